// Presence on a ticket page: says every few seconds that this agent has the ticket open (and whether they are typing a
// reply) and learns who else has; leaving the page says so at once.
import { onScopeDispose, ref, watch, type Ref } from 'vue';
import { api } from '../api/client';
import { http } from '../api/http';
import type { Viewer } from '../api/generated';

export type { Viewer } from '../api/generated';

/** Well inside the server's 15 s: two beats may be lost before someone seems to have left. */
const BEAT_MS = 5_000;

export function usePresence(ticketId: () => string, typing: Ref<boolean>) {
  const viewers = ref<Viewer[]>([]);
  let stopped = false;

  async function beat(): Promise<void> {
    const id = ticketId();
    try {
      const answer = await http.put('/tickets/{id}/presence', { path: { id }, body: { typing: typing.value } });
      if (!stopped && id === ticketId()) viewers.value = answer.viewers;
    } catch {
      // Presence is a courtesy: a missed beat shows nothing wrong, the next one repairs it.
    }
  }

  function leave(id: string): void {
    void api.deleteOnUnload(`/tickets/${encodeURIComponent(id)}/presence`).catch(() => undefined);
  }
  // Closing the tab unmounts nothing: say goodbye from the page's last moment instead of waiting for the presence to age.
  const onPageHide = () => leave(ticketId());
  window.addEventListener('pagehide', onPageHide);

  watch(ticketId, (id, before) => {
    if (before) leave(before);
    viewers.value = [];
    void beat();
  });
  // Others learn at once that a reply is being written, not at the next beat.
  watch(typing, () => void beat());
  void beat();
  const timer = setInterval(() => void beat(), BEAT_MS);
  onScopeDispose(() => {
    stopped = true;
    clearInterval(timer);
    window.removeEventListener('pagehide', onPageHide);
    leave(ticketId());
  });
  return { viewers };
}
