// Live ticket changes from GET /api/events/stream. EventSource reconnects by itself and sends Last-Event-ID, which the
// server replays from; when it cannot (too long away, database reconnect) it says "resync" and the caller refetches.
import { onScopeDispose, ref } from 'vue';
import type { Ticket } from '../api/generated';

export interface TicketStreamHandlers {
  ticket: (ticket: Ticket) => void;
  resync: () => void;
}

export function useTicketStream(handlers: TicketStreamHandlers) {
  const connected = ref(false);
  let source: EventSource | null = null;
  let droppedOnce = false;

  function open(): void {
    if (typeof EventSource === 'undefined') return;
    source = new EventSource('/api/events/stream', { withCredentials: true });
    source.onopen = () => {
      connected.value = true;
      // Changes made while the stream was down and beyond what the server replays are caught by a refetch.
      if (droppedOnce) handlers.resync();
    };
    source.onerror = () => {
      connected.value = false;
      droppedOnce = true;
    };
    source.addEventListener('ticket', (e) => {
      try {
        handlers.ticket(JSON.parse((e as MessageEvent<string>).data) as Ticket);
      } catch {
        // A malformed event is skipped; the next refetch repairs the row.
      }
    });
    source.addEventListener('resync', () => handlers.resync());
    // The session ended: stop rather than reconnect into 401s; the next API call sends the user to login.
    source.addEventListener('expired', () => close());
  }

  function close(): void {
    source?.close();
    source = null;
    connected.value = false;
  }

  open();
  onScopeDispose(close);
  return { connected, close };
}
