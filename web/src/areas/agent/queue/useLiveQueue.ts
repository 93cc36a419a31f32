// Keeps the queue on screen current from the server's event stream: changes are gathered and applied a few times a
// second (the latest of each ticket), rows that changed flash, and a screen reader hears what happened.
import { onBeforeUnmount, ref, type Ref } from 'vue';
import { useI18n } from 'vue-i18n';
import type { Ticket, TicketQuery } from '../../../api/generated';
import { useTicketStream } from '../../../composables/useTicketStream';
import { useTicketsStore } from '../../../stores/tickets';

/** Whether a changed ticket belongs to the list the filters give; full-text matches are left to the server. */
export function belongs(ticket: Ticket, f: TicketQuery, listed: readonly Ticket[]): boolean {
  if (f.q) return listed.some((x) => x.id === ticket.id);
  return (!f.stateCategory || f.stateCategory === ticket.stateCategory)
    && (!f.type || f.type === ticket.type)
    && (!f.priority || f.priority === ticket.priority)
    && (!f.queue || f.queue === ticket.queue)
    && (!f.assigneeId || f.assigneeId === ticket.assigneeId)
    && (!f.assignedGroup || f.assignedGroup === ticket.assignedGroup)
    && (!f.slaStatus || f.slaStatus === ticket.slaStatus)
    && (!f.tag || ticket.tags.includes(f.tag));
}

/**
 * `active` is the keyboard cursor, kept on the same ticket when rows move above it; `countsChanged` refreshes the queue
 * counts (once for a burst); `resync` reloads everything after the stream was cut.
 */
export function useLiveQueue(options: { active: Ref<number>; countsChanged: () => void; resync: () => void }) {
  const { t } = useI18n();
  const tickets = useTicketsStore();
  /** Rows changed in the last seconds. */
  const flashing = ref(new Set<string>());
  const announcement = ref('');
  // A burst (a mass action, an integration importing tickets) sends hundreds of changes a second: they are gathered and
  // applied together, so the page re-renders once per batch.
  const arrived = new Map<string, Ticket>();
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let countsTimer: ReturnType<typeof setTimeout> | undefined;

  function flash(ids: string[]): void {
    flashing.value = new Set([...flashing.value, ...ids]);
    setTimeout(() => {
      for (const id of ids) flashing.value.delete(id);
      flashing.value = new Set(flashing.value);
    }, 4000);
  }

  function apply(): void {
    flushTimer = undefined;
    const batch = [...arrived.values()];
    arrived.clear();
    const activeId = tickets.items[options.active.value]?.id;
    const flashed: string[] = [];
    const said: string[] = [];
    for (const ticket of batch) {
      const known = tickets.items.some((x) => x.id === ticket.id);
      const fits = belongs(ticket, tickets.query, tickets.items);
      tickets.upsert(ticket, fits);
      if (fits && tickets.items.some((x) => x.id === ticket.id)) {
        flashed.push(ticket.id);
        said.push(t(known ? 'queue.liveUpdated' : 'queue.liveNew', { number: ticket.number, title: ticket.title }));
      }
    }
    if (activeId) {
      const index = tickets.items.findIndex((x) => x.id === activeId);
      if (index !== -1) options.active.value = index;
    }
    if (flashed.length) {
      flash(flashed);
      // A screen reader hears each of a few changes, and a count for a burst.
      announcement.value = said.length <= 3 ? said.join(' · ') : t('queue.liveMany', { count: said.length });
    }
  }

  const stream = useTicketStream({
    ticket: (ticket) => {
      const held = arrived.get(ticket.id);
      if (!held || held.updatedAt <= ticket.updatedAt) arrived.set(ticket.id, ticket);
      flushTimer ??= setTimeout(apply, 250);
      clearTimeout(countsTimer);
      countsTimer = setTimeout(options.countsChanged, 1000);
    },
    resync: options.resync,
  });
  onBeforeUnmount(() => {
    clearTimeout(flushTimer);
    clearTimeout(countsTimer);
  });

  return { connected: stream.connected, flashing, flash, announcement };
}
