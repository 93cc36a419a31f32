// Loads one ticket for a page (and the transitions its viewer may take), with its loading, error and not-found states,
// and keeps it live: a change from anyone (a reply, a state change, an SLA clock, an assignment) shows without reload.
import { computed, ref, watch } from 'vue';
import { ApiError } from '../api/client';
import { useTicketsStore } from '../stores/tickets';
import { useTicketStream } from './useTicketStream';

export function useTicketPage(id: () => string, opts: { transitions: boolean }) {
  const tickets = useTicketsStore();
  const loading = ref(false);
  const error = ref<unknown>(null);
  const ticket = computed(() => (tickets.current?.id === id() ? tickets.current : null));
  // A ticket the caller may not see answers 404 like one that does not exist.
  const notFound = computed(() => error.value instanceof ApiError && [403, 404].includes(error.value.status));

  async function load(ticketId: string): Promise<void> {
    loading.value = true;
    error.value = null;
    try {
      await Promise.all([tickets.fetchTicket(ticketId), tickets.fetchTimeline(ticketId), ...(opts.transitions ? [tickets.fetchTransitions(ticketId)] : [])]);
    } catch (e) {
      error.value = e;
    } finally {
      loading.value = false;
    }
  }

  watch(id, load, { immediate: true });
  const stream = useTicketStream({
    ticket: (changed) => tickets.liveChange(changed, opts.transitions),
    // Back after a gap longer than the server replays: read the ticket again.
    resync: () => void load(id()),
  });
  return { tickets, ticket, loading, error, notFound, load, live: stream.connected };
}
