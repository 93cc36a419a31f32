// Tickets store: the ticket list with its cursor, the open ticket, its transitions and its timeline.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { http } from '../api/http';
import type {
  NewTicket, Ticket, TicketPatch, TicketQuery, TimelineEvent, Transition, TransitionRequest, Visibility,
} from '../api/generated';
import { placeOf } from './ticketOrder';

export const useTicketsStore = defineStore('tickets', () => {
  const items = ref<Ticket[]>([]);
  const next = ref<string | null>(null);
  const loaded = ref(false);
  const current = ref<Ticket | null>(null);
  const transitions = ref<Transition[]>([]);
  const timeline = ref<TimelineEvent[]>([]);
  /** The filters the loaded list answers; live updates are matched against them. */
  const query = ref<TicketQuery>({});

  async function fetchTickets(options: { more?: boolean; query?: TicketQuery } = {}): Promise<void> {
    if (options.query) query.value = options.query;
    const cursor = options.more ? next.value : null;
    if (options.more && !cursor) return;
    const asked = query.value;
    const page = await http.get('/tickets', { query: { ...asked, ...(cursor ? { cursor } : {}) } });
    // A newer filter change overtook this answer; its own fetch will fill the list.
    if (asked !== query.value) return;
    if (cursor) {
      // A ticket created locally may also arrive in a later page; keep one copy.
      const known = new Set(items.value.map((t) => t.id));
      items.value.push(...page.items.filter((t) => !known.has(t.id)));
    } else {
      items.value = page.items;
    }
    next.value = page.next;
    loaded.value = true;
  }

  async function createTicket(input: NewTicket): Promise<Ticket> {
    const ticket = await http.post('/tickets', { body: input });
    const at = placeOf(items.value, ticket);
    // Past the loaded window the ticket belongs to a page not fetched yet; "Load more" will bring it.
    if (at < items.value.length || next.value === null) items.value.splice(at, 0, ticket);
    return ticket;
  }

  /** A ticket changed elsewhere (live event): update it in place, insert it where it sorts, or drop it when it left the filter. */
  function upsert(ticket: Ticket, belongs: boolean): void {
    const index = items.value.findIndex((t) => t.id === ticket.id);
    if (index !== -1 && items.value[index]!.updatedAt > ticket.updatedAt) return;
    if (current.value?.id === ticket.id) current.value = ticket;
    if (index !== -1) items.value.splice(index, 1);
    if (!belongs) return;
    const at = placeOf(items.value, ticket);
    if (at < items.value.length || next.value === null || index !== -1) items.value.splice(at, 0, ticket);
  }

  function remember(ticket: Ticket): void {
    current.value = ticket;
    const index = items.value.findIndex((t) => t.id === ticket.id);
    if (index !== -1) items.value[index] = ticket;
  }

  async function fetchTicket(id: string): Promise<Ticket> {
    if (current.value?.id !== id) {
      current.value = null;
      transitions.value = [];
      timeline.value = [];
    }
    const ticket = await http.get('/tickets/{id}', { path: { id } });
    remember(ticket);
    return ticket;
  }

  // Live changes can start a read while an earlier one is still on its way: only the latest one asked for is shown,
  // or an older answer arriving last would bring back what the ticket no longer offers.
  let transitionsAsked = 0;
  let timelineAsked = 0;

  async function fetchTransitions(id: string): Promise<Transition[]> {
    const asked = ++transitionsAsked;
    const page = await http.get('/tickets/{id}/transitions', { path: { id } });
    if (asked === transitionsAsked) transitions.value = page.items;
    return page.items;
  }

  async function applyTransition(
    id: string,
    transition: string,
    fields: TransitionRequest['fields'] = {},
    timeSpent?: number | null,
  ): Promise<Ticket> {
    const ticket = await http.post('/tickets/{id}/transitions', { path: { id }, body: { transition, fields, ...(timeSpent ? { timeSpent } : {}) } });
    remember(ticket);
    // The new state changes what may happen next and adds an event; refresh both together.
    await Promise.all([fetchTransitions(id), fetchTimeline(id)]);
    return ticket;
  }

  /** The open ticket again with what follows from it (timeline, transitions offered), after a change made elsewhere than its own actions. */
  async function reload(id: string): Promise<void> {
    await fetchTicket(id);
    await Promise.all([fetchTimeline(id), fetchTransitions(id)]);
  }

  async function fetchTimeline(id: string): Promise<TimelineEvent[]> {
    const asked = ++timelineAsked;
    const page = await http.get('/tickets/{id}/timeline', { path: { id } });
    if (asked === timelineAsked) timeline.value = page.items;
    return page.items;
  }

  /** Priority or field values, checked by the ticket's definition; the timeline gains the change. */
  async function updateTicket(id: string, patch: TicketPatch): Promise<Ticket> {
    const ticket = await http.patch('/tickets/{id}', { path: { id }, body: patch });
    remember(ticket);
    await fetchTimeline(id);
    return ticket;
  }

  async function setTags(id: string, change: { add?: string[]; remove?: string[] }): Promise<Ticket> {
    const ticket = await http.put('/tickets/{id}/tags', { path: { id }, body: change });
    remember(ticket);
    await fetchTimeline(id);
    return ticket;
  }

  async function assignTicket(id: string, to: { assigneeId: string | null; queue?: string | null; group?: string | null }): Promise<Ticket> {
    const ticket = await http.post('/tickets/{id}/assign', { path: { id }, body: to });
    remember(ticket);
    await fetchTimeline(id);
    return ticket;
  }

  /** `ifSeenSeq`: the last event the writer had seen; the API refuses (409 ticket-changed) if a reply or state change came after. */
  async function addComment(id: string, body: string, visibility: Visibility, ifSeenSeq?: number, timeSpent?: number | null): Promise<void> {
    try {
      await http.post('/tickets/{id}/comments', { path: { id }, body: { body, visibility, ...(ifSeenSeq === undefined ? {} : { ifSeenSeq }), ...(timeSpent ? { timeSpent } : {}) } });
    } finally {
      // Sent or refused, the writer now sees what is there.
      await fetchTimeline(id);
    }
  }

  /** The number of the latest event on the open ticket's timeline (0 before any). */
  const lastSeenSeq = computed(() => timeline.value.reduce((max, e) => Math.max(max, e.seq), 0));

  /**
   * A change to the open ticket arrived on the live stream: take its new projection, then what follows from it (the
   * timeline and the transitions now offered), once for a burst of changes.
   */
  let liveTimer: ReturnType<typeof setTimeout> | undefined;
  const liveVersion = ref(0);
  function liveChange(ticket: Ticket, withTransitions: boolean): void {
    if (current.value?.id !== ticket.id) return;
    // Events can overtake each other between replicas; an older projection never replaces a newer one.
    if (Date.parse(ticket.updatedAt) < Date.parse(current.value.updatedAt)) return;
    remember(ticket);
    clearTimeout(liveTimer);
    liveTimer = setTimeout(() => {
      liveVersion.value += 1;
      void Promise.all([fetchTimeline(ticket.id), ...(withTransitions ? [fetchTransitions(ticket.id)] : [])]).catch(() => undefined);
    }, 150);
  }

  function reset(): void {
    items.value = [];
    next.value = null;
    loaded.value = false;
    current.value = null;
    transitions.value = [];
    timeline.value = [];
    query.value = {};
  }

  return {
    items, next, loaded, current, transitions, timeline, query, upsert, lastSeenSeq, liveVersion, liveChange,
    fetchTickets, createTicket, fetchTicket, reload, fetchTransitions, applyTransition, fetchTimeline, addComment, updateTicket, assignTicket, setTags, reset,
  };
});
