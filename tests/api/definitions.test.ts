// Versioned definitions through the API: drafts validated with pointers, publish, diff, pinning per ticket, in-flight migration.
import { ADMIN, Session, eventually, unique } from '../support/http';

let admin: Session;
let agent: Session;

beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
  const email = `${unique('agent')}@example.test`;
  await admin.post('/api/users', { email, name: 'Alex Agent', role: 'agent', password: 'agent-password-12' });
  agent = await Session.login(email, 'agent-password-12');
});

async function latest(key: string) {
  const versions = await admin.get(`/api/definitions/${key}/versions`);
  const published = versions.body.items.filter((v: { status: string }) => v.status === 'published');
  const v = published[published.length - 1].version;
  return { version: v as number, body: (await admin.get(`/api/definitions/${key}/versions/${v}`)).body };
}

function withoutMeta(body: Record<string, unknown>) {
  const { version: _v, status: _s, ...def } = body;
  return structuredClone(def) as any;
}

describe('validation', () => {
  it('should report each error with its JSON pointer and never store an invalid draft', async () => {
    const { body } = await latest('problem');
    const bad = withoutMeta(body);
    bad.states.push({ name: 'limbo', category: 'open', label: { en: 'Limbo', fr: 'Limbes' } });
    bad.transitions[0].to = 'nowhere';
    const check = await admin.post('/api/definitions/validate', bad);
    expect(check.status).toBe(200);
    expect(check.body.valid).toBe(false);
    expect(check.body.errors).toEqual(
      expect.arrayContaining([
        { pointer: '/transitions/0/to', message: "unknown state 'nowhere'" },
        expect.objectContaining({ pointer: `/states/${bad.states.length - 1}`, message: expect.stringContaining('unreachable') }),
      ]),
    );
    const save = await admin.request('PUT', '/api/definitions/problem/draft', bad);
    expect(save.status).toBe(422);
    expect(save.body.errors.map((e: { pointer: string }) => e.pointer)).toContain('/transitions/0/to');
    const versions = await admin.get('/api/definitions/problem/versions');
    expect(versions.body.items.every((v: { status: string }) => v.status === 'published')).toBe(true);
  });

  it('should let only admins change definitions', async () => {
    const { body } = await latest('problem');
    expect((await agent.request('PUT', '/api/definitions/problem/draft', withoutMeta(body))).status).toBe(403);
    expect((await agent.post('/api/definitions/problem/publish')).status).toBe(403);
  });
});

describe('publishing and migration', () => {
  it('should pin running tickets to their version, start new ones on the published one, and migrate on request', async () => {
    const v1 = await latest('service_request');
    const old = await agent.post('/api/tickets', { type: 'service_request', title: unique('Old laptop'), priority: 'medium' });
    expect(old.body.definition.version).toBe(v1.version);
    await agent.post(`/api/tickets/${old.body.id}/transitions`, { transition: 'start' });
    const parked = await agent.post(`/api/tickets/${old.body.id}/transitions`, { transition: 'wait_for_customer' });
    expect(parked.body.state).toBe('pending_customer');

    // Version 2 renames the waiting state and adds a second-level state.
    const next = withoutMeta(v1.body);
    const rename = (s: string) => (s === 'pending_customer' ? 'waiting_on_requester' : s);
    next.states = next.states.map((s: { name: string }) => ({ ...s, name: rename(s.name) }));
    next.transitions = next.transitions.map((t: { from: string[]; to: string }) => ({ ...t, from: t.from.map(rename), to: rename(t.to) }));
    next.states.push({ name: 'with_supplier', category: 'pending', label: { en: 'With supplier', fr: 'Chez le fournisseur' }, slaPaused: true });
    next.transitions.push({ name: 'order', label: { en: 'Order from supplier', fr: 'Commander' }, from: ['in_fulfilment'], to: 'with_supplier', roles: ['agent'] });
    next.transitions.push({ name: 'delivered', label: { en: 'Delivered', fr: 'Livré' }, from: ['with_supplier'], to: 'in_fulfilment', roles: ['agent'] });
    const draft = await admin.request('PUT', '/api/definitions/service_request/draft', next);
    expect(draft.status).toBe(200);
    expect(draft.body).toMatchObject({ version: v1.version + 1, status: 'draft' });
    const published = await admin.post('/api/definitions/service_request/publish');
    expect(published.body).toMatchObject({ version: v1.version + 1, status: 'published' });
    const v2 = published.body.version;

    const diff = await admin.get(`/api/definitions/service_request/diff?from=${v1.version}&to=${v2}`);
    const paths = diff.body.items.map((c: { path: string; op: string }) => `${c.op} ${c.path}`);
    expect(paths).toEqual(expect.arrayContaining(['added /states/with_supplier', 'removed /states/pending_customer', 'added /states/waiting_on_requester', 'added /transitions/order']));

    // A published version is immutable; the next edit opens the next draft.
    const again = await admin.request('PUT', '/api/definitions/service_request/draft', next);
    expect(again.body.version).toBe(v2 + 1);
    expect((await admin.request('DELETE', '/api/definitions/service_request/draft')).status).toBe(204);

    const fresh = await agent.post('/api/tickets', { type: 'service_request', title: unique('New laptop'), priority: 'medium' });
    expect(fresh.body.definition.version).toBe(v2);
    expect((await agent.get(`/api/tickets/${old.body.id}`)).body.definition.version).toBe(v1.version);

    const incomplete = await admin.post('/api/definitions/service_request/migrations', { fromVersion: v1.version, toVersion: v2 });
    expect(incomplete.status).toBe(422);
    expect(incomplete.body.errors).toEqual([{ pointer: '/stateMapping/pending_customer', message: "state 'pending_customer' no longer exists: map it" }]);

    const migration = await admin.post('/api/definitions/service_request/migrations', {
      fromVersion: v1.version,
      toVersion: v2,
      stateMapping: { pending_customer: 'waiting_on_requester' },
    });
    expect(migration.status).toBe(200);
    expect(migration.body.migrated).toEqual(expect.arrayContaining([{ ticketId: old.body.id, number: old.body.number, state: 'waiting_on_requester' }]));

    const moved = await agent.get(`/api/tickets/${old.body.id}`);
    expect(moved.body).toMatchObject({ state: 'waiting_on_requester', definition: { key: 'service_request', version: v2 } });
    const timeline = await agent.get(`/api/tickets/${old.body.id}/timeline`);
    const migrated = timeline.body.items.find((e: { type: string }) => e.type === 'migrated');
    const labelOf = (name: string) => v1.body.states.find((st: { name: string }) => st.name === name).label;
    expect(migrated.data).toEqual({
      from: { version: v1.version, state: 'pending_customer' },
      to: { version: v2, state: 'waiting_on_requester' },
      fromLabel: labelOf('pending_customer'),
      toLabel: labelOf('pending_customer'),
    });
    // Events from before the migration keep the words of the version they happened under, though v2 has no such state.
    const parkedEvent = timeline.body.items.find((e: { type: string; data: { to?: string } }) => e.type === 'transitioned' && e.data.to === 'pending_customer');
    expect(parkedEvent.data.toLabel).toEqual(labelOf('pending_customer'));
    // The ticket now follows version 2's transitions.
    expect((await agent.post(`/api/tickets/${old.body.id}/transitions`, { transition: 'customer_replied' })).body.state).toBe('in_fulfilment');
    expect((await agent.post(`/api/tickets/${old.body.id}/transitions`, { transition: 'order' })).body.state).toBe('with_supplier');
  });
});

describe('problems', () => {
  it('should resolve linked incidents with the problem\'s fix as a public comment when the problem is resolved', async () => {
    const incident = await agent.post('/api/tickets', { type: 'incident', title: unique('VPN drops'), priority: 'high' });
    const problem = await agent.post('/api/tickets', { type: 'problem', title: unique('VPN concentrator crashes'), priority: 'high' });
    const linked = await agent.post(`/api/tickets/${problem.body.id}/links`, { ticketId: incident.body.id });
    expect(linked.status).toBe(200);
    expect(linked.body.links).toEqual([{ kind: 'incident', ticketId: incident.body.id, number: incident.body.number }]);
    expect((await agent.post(`/api/tickets/${problem.body.id}/links`, { ticketId: incident.body.id })).status).toBe(409);
    expect((await agent.get(`/api/tickets/${incident.body.id}`)).body.links).toEqual([{ kind: 'problem', ticketId: problem.body.id, number: problem.body.number }]);

    await agent.post(`/api/tickets/${problem.body.id}/transitions`, { transition: 'investigate' });
    const resolved = await agent.post(`/api/tickets/${problem.body.id}/transitions`, {
      transition: 'resolve',
      fields: { root_cause: 'memory leak in firmware 1.2', fix: 'firmware 1.3 installed' },
    });
    expect(resolved.body.state).toBe('resolved');

    const after = await eventually(async () => {
      const r = await agent.get(`/api/tickets/${incident.body.id}`);
      return r.body.state === 'resolved' ? r.body : undefined;
    });
    expect(after.fields.resolution).toBe('firmware 1.3 installed');
    const timeline = await agent.get(`/api/tickets/${incident.body.id}/timeline`);
    const comment = timeline.body.items.find((e: { type: string }) => e.type === 'commented');
    expect(comment).toMatchObject({ visibility: 'public', actor: { role: 'system' }, data: { body: `Resolved by problem ${problem.body.number}: firmware 1.3 installed` } });
  });

  it('should refuse to link two incidents', async () => {
    const a = await agent.post('/api/tickets', { type: 'incident', title: unique('a'), priority: 'low' });
    const b = await agent.post('/api/tickets', { type: 'incident', title: unique('b'), priority: 'low' });
    const res = await agent.post(`/api/tickets/${a.body.id}/links`, { ticketId: b.body.id });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].pointer).toBe('/ticketId');
  });
});

describe('parent and child requests', () => {
  it('should keep a parent from finishing until its children are done, and record each child as it finishes', async () => {
    const parent = await agent.post('/api/tickets', { type: 'service_request', title: unique('Onboard Dana'), priority: 'medium' });
    const laptop = await agent.post('/api/tickets', { type: 'service_request', title: unique('Laptop for Dana'), priority: 'medium' });
    const badge = await agent.post('/api/tickets', { type: 'incident', title: unique('Badge for Dana'), priority: 'medium' });
    for (const child of [laptop, badge]) {
      const res = await agent.post(`/api/tickets/${parent.body.id}/links`, { ticketId: child.body.id, relation: 'child' });
      expect(res.status).toBe(200);
    }
    expect((await agent.get(`/api/tickets/${laptop.body.id}`)).body.links).toEqual([{ kind: 'parent', ticketId: parent.body.id, number: parent.body.number }]);
    await agent.post(`/api/tickets/${parent.body.id}/transitions`, { transition: 'start' });
    const early = await agent.post(`/api/tickets/${parent.body.id}/transitions`, { transition: 'fulfil', fields: { fulfilment: 'all set' } });
    expect(early.status).toBe(409);
    expect(early.body.detail).toBe('2 child ticket(s) are still open');

    await agent.post(`/api/tickets/${laptop.body.id}/transitions`, { transition: 'start' });
    await agent.post(`/api/tickets/${laptop.body.id}/transitions`, { transition: 'fulfil', fields: { fulfilment: 'laptop handed over' } });
    await agent.post(`/api/tickets/${badge.body.id}/transitions`, { transition: 'resolve', fields: { resolution: 'badge printed' } });
    const done = await eventually(async () => {
      const t = await agent.get(`/api/tickets/${parent.body.id}/timeline`);
      return t.body.items.some((e: { type: string }) => e.type === 'children_done') ? t.body.items : undefined;
    });
    expect(done.filter((e: { type: string }) => e.type === 'child_finished').map((e: { data: { number: string } }) => e.data.number).sort()).toEqual([badge.body.number, laptop.body.number].sort());
    const finished = await agent.post(`/api/tickets/${parent.body.id}/transitions`, { transition: 'fulfil', fields: { fulfilment: 'all set' } });
    expect(finished.status).toBe(200);
    expect(finished.body.state).toBe('fulfilled');
  });
});

describe('queues and routing', () => {
  it('should route a new ticket by its fields and count it in its queue', async () => {
    const key = unique('network').replace(/-/g, '_').toLowerCase();
    expect((await admin.post('/api/queues', { key, name: 'Network team' })).status).toBe(201);
    const rules = await admin.request('PUT', '/api/routing-rules', {
      items: [{ name: 'network incidents', conditions: { type: 'incident', field: { name: 'category', equals: 'network' } }, queue: key }],
    });
    expect(rules.status).toBe(200);
    const bad = await admin.request('PUT', '/api/routing-rules', { items: [{ name: 'x', conditions: { type: 'incident' }, queue: 'nope' }] });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].pointer).toBe('/items/0/queue');

    const routed = await agent.post('/api/tickets', { type: 'incident', title: unique('switch down'), priority: 'high', fields: { category: 'network' } });
    expect(routed.body.queue).toBe(key);
    const other = await agent.post('/api/tickets', { type: 'incident', title: unique('mouse'), priority: 'low', fields: { category: 'hardware' } });
    expect(other.body.queue).toBe('service_desk');
    const queues = await agent.get('/api/queues');
    expect(queues.body.items.find((q: { key: string }) => q.key === key)).toMatchObject({ name: 'Network team', open: 1 });
    const list = await agent.get(`/api/tickets?queue=${key}`);
    expect(list.body.items.map((t: { id: string }) => t.id)).toEqual([routed.body.id]);
    await admin.request('PUT', '/api/routing-rules', { items: [] });
  });
});
