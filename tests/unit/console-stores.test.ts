// The console's stores without a browser or a server: how a live update moves a ticket in the loaded queue, and what
// the console offers a role on a queue. Real Pinia; nothing here reaches the network.
import { createPinia, setActivePinia } from 'pinia';
import type { Priority, Ticket } from '../../web/src/api/generated';
import { useAuthStore } from '../../web/src/stores/auth';
import { useTicketsStore } from '../../web/src/stores/tickets';

let n = 0;
function ticket(priority: Priority, createdAt: string, extra: Partial<Ticket> = {}): Ticket {
  n += 1;
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    number: `INC-${n}`,
    type: 'incident',
    title: `ticket ${n}`,
    description: '',
    priority,
    state: 'new',
    stateCategory: 'new',
    queue: 'service_desk',
    assigneeId: null,
    assignedGroup: null,
    requesterId: 'r',
    organisationId: null,
    definition: { key: 'incident', version: 1 },
    fields: {},
    tags: [],
    sla: [],
    slaStatus: 'ok',
    createdAt,
    updatedAt: createdAt,
    resolvedAt: null,
    closedAt: null,
    workflowId: `ticket-${n}`,
    links: [],
    ...extra,
  } as Ticket;
}

beforeEach(() => setActivePinia(createPinia()));

describe('the queue as live updates arrive', () => {
  const numbers = (items: Ticket[]) => items.map((t) => t.number);

  it('should put a new ticket where the server would: priority first, then creation date', () => {
    const store = useTicketsStore();
    const high = ticket('high', '2026-12-01T09:00:00.000Z');
    const medium = ticket('medium', '2026-12-01T08:00:00.000Z');
    const low = ticket('low', '2026-12-01T07:00:00.000Z');
    store.items = [high, medium, low];
    const newer = ticket('medium', '2026-12-01T10:00:00.000Z');
    const critical = ticket('critical', '2026-12-02T00:00:00.000Z');
    store.upsert(newer, true);
    store.upsert(critical, true);
    expect(numbers(store.items)).toEqual([critical.number, high.number, medium.number, newer.number, low.number]);
  });

  it('should keep the newer copy when an older update arrives late', () => {
    const store = useTicketsStore();
    const t = ticket('high', '2026-12-01T09:00:00.000Z', { updatedAt: '2026-12-01T12:00:00.000Z', title: 'fresh' });
    store.items = [t];
    store.upsert({ ...t, updatedAt: '2026-12-01T11:00:00.000Z', title: 'stale' }, true);
    expect(store.items.map((x) => x.title)).toEqual(['fresh']);
  });

  it('should move a ticket whose priority changed, and drop one that left the filter', () => {
    const store = useTicketsStore();
    const a = ticket('high', '2026-12-01T09:00:00.000Z');
    const b = ticket('low', '2026-12-01T08:00:00.000Z');
    store.items = [a, b];
    store.upsert({ ...b, priority: 'critical', updatedAt: '2026-12-01T13:00:00.000Z' }, true);
    expect(numbers(store.items)).toEqual([b.number, a.number]);
    store.upsert({ ...a, state: 'resolved', updatedAt: '2026-12-01T13:00:00.000Z' }, false);
    expect(numbers(store.items)).toEqual([b.number]);
  });

  it('should leave a ticket that sorts past the loaded page to the page that holds it', () => {
    const store = useTicketsStore();
    store.items = [ticket('high', '2026-12-01T09:00:00.000Z')];
    store.next = 'cursor-of-page-2';
    store.upsert(ticket('low', '2026-12-01T10:00:00.000Z'), true);
    expect(store.items).toHaveLength(1);
    store.next = null;
    store.upsert(ticket('low', '2026-12-01T10:00:00.000Z'), true);
    expect(store.items).toHaveLength(2);
  });
});

describe('what the console offers a role on a queue', () => {
  it('should follow the role’s grants per queue, with * as the fallback, and offer nothing once signed out', () => {
    const auth = useAuthStore();
    auth.user = { id: 'u', email: 'a@example.org', name: 'Agent', role: 'agent' } as typeof auth.user;
    auth.permissions = { areas: ['tickets'], queues: { network: ['reply', 'note'], '*': ['note'] } } as unknown as typeof auth.permissions;
    expect(auth.canOnQueue('reply', 'network')).toBe(true);
    expect(auth.canOnQueue('reply', 'service_desk')).toBe(false);
    expect(auth.canOnQueue('note', 'service_desk')).toBe(true);
    expect(auth.canOnQueue('note', null)).toBe(true);
    auth.clear();
    expect(auth.canOnQueue('note', 'network')).toBe(false);
  });

  it('should let customers act on their own tickets whatever the queue (the server checks ownership)', () => {
    const auth = useAuthStore();
    auth.user = { id: 'c', email: 'c@example.org', name: 'Customer', role: 'customer' } as typeof auth.user;
    expect(auth.canOnQueue('reply', 'network')).toBe(true);
  });
});
