// Mass actions report per ticket; saved views replay their filters; watchers only among those who may see the ticket.
import { ADMIN, Session, signedInAs, unique } from '../support/http';

let admin: Session;
let agent: Session;
let customer: Session;
beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
  const mk = async (role: string) => {
    const email = `${unique(role)}@example.test`;
    await admin.post('/api/users', { email, name: role, role, password: 'a-long-password-1' });
    return Session.login(email, 'a-long-password-1');
  };
  agent = await mk('agent');
  customer = await mk('customer');
});

it('should apply a mass transition and report each ticket\'s own success or failure', async () => {
  const a = await agent.post('/api/tickets', { type: 'incident', title: unique('bulk a'), priority: 'low' });
  const b = await agent.post('/api/tickets', { type: 'incident', title: unique('bulk b'), priority: 'low' });
  await agent.post(`/api/tickets/${b.body.id}/transitions`, { transition: 'start' });
  const missing = '00000000-0000-4000-8000-000000000000';
  const res = await agent.post('/api/tickets/bulk', { ids: [a.body.id, b.body.id, missing], action: { type: 'transition', transition: 'start' } });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ succeeded: 1, failed: 2 });
  expect(res.body.results[0]).toMatchObject({ id: a.body.id, ok: true, state: 'in_progress' });
  expect(res.body.results[1]).toMatchObject({ id: b.body.id, ok: false, status: 409 });
  expect(res.body.results[2]).toMatchObject({ id: missing, ok: false, status: 404 });
  const prio = await agent.post('/api/tickets/bulk', { ids: [a.body.id, b.body.id], action: { type: 'priority', priority: 'high' } });
  expect(prio.body.succeeded).toBe(2);
  expect((await customer.post('/api/tickets/bulk', { ids: [a.body.id], action: { type: 'priority', priority: 'low' } })).status).toBe(403);
  expect((await agent.post('/api/tickets/bulk', { ids: [a.body.id], action: { type: 'explode' } })).status).toBe(400);
});

it('should save a view and list the same tickets with it', async () => {
  const tag = unique('needle');
  const t = await agent.post('/api/tickets', { type: 'incident', title: `${tag} in haystack`, priority: 'critical' });
  const saved = await agent.post('/api/views', { name: unique('critical needles'), query: { priority: 'critical', q: tag } });
  expect(saved.status).toBe(201);
  expect((await agent.post('/api/views', { name: saved.body.name, query: {} })).status).toBe(409);
  expect((await agent.post('/api/views', { name: 'bad', query: { colour: 'red' } })).status).toBe(400);
  const views = await agent.get('/api/views');
  const view = views.body.items.find((v: { id: string }) => v.id === saved.body.id);
  const qs = new URLSearchParams(view.query).toString();
  const list = await agent.get(`/api/tickets?${qs}`);
  expect(list.body.items.map((x: { id: string }) => x.id)).toEqual([t.body.id]);
  expect((await admin.request('DELETE', `/api/views/${saved.body.id}`)).status).toBe(404);
  expect((await agent.request('DELETE', `/api/views/${saved.body.id}`)).status).toBe(204);
});

it('should share a view with a group or with everyone on staff, and let only its owner (or an admin) delete it', async () => {
  const group = unique('night_shift').replace(/-/g, '_');
  const [member, outsider] = [await signedInAs(admin, 'agent', 'Member'), await signedInAs(admin, 'agent', 'Outsider')];
  expect((await admin.post('/api/groups', { key: group, name: 'Night shift' })).status).toBe(201);
  expect((await admin.request('PUT', `/api/groups/${group}/members`, { userIds: [agent.user!.id, member.user!.id] })).status).toBe(200);

  const forGroup = await agent.post('/api/views', { name: unique('night critical'), query: { priority: 'critical' }, sharedWith: 'group', group });
  expect(forGroup.status).toBe(201);
  const names = async (s: Session) => (await s.get('/api/views')).body.items.map((v: { id: string }) => v.id);
  expect(await names(member)).toContain(forGroup.body.id);
  expect(await names(outsider)).not.toContain(forGroup.body.id);
  const seen = (await member.get('/api/views')).body.items.find((v: { id: string }) => v.id === forGroup.body.id);
  expect(seen).toMatchObject({ sharedWith: 'group', group, mine: false, owner: { id: agent.user!.id } });
  // Only its owner deletes it; others are told it is not theirs to delete.
  expect((await member.request('DELETE', `/api/views/${forGroup.body.id}`)).status).toBe(404);

  // Sharing is bounded: not into a group one is not in, not with everyone unless admin, never by customers.
  expect((await outsider.post('/api/views', { name: unique('x'), query: {}, sharedWith: 'group', group })).status).toBe(403);
  expect((await agent.post('/api/views', { name: unique('x'), query: {}, sharedWith: 'everyone' })).status).toBe(403);
  expect((await agent.post('/api/views', { name: unique('x'), query: {}, sharedWith: 'group' })).status).toBe(422);
  expect((await agent.post('/api/views', { name: unique('x'), query: {}, sharedWith: 'group', group: 'no_such_group' })).status).toBe(422);
  expect((await customer.post('/api/views', { name: unique('x'), query: {}, sharedWith: 'everyone' })).status).toBe(403);

  const forAll = await admin.post('/api/views', { name: unique('all breached'), query: { slaStatus: 'breached' }, sharedWith: 'everyone' });
  expect(forAll.status).toBe(201);
  expect(await names(outsider)).toContain(forAll.body.id);
  expect(await names(customer)).not.toContain(forAll.body.id);
  // An admin clears a shared view that outlived its use.
  expect((await admin.request('DELETE', `/api/views/${forGroup.body.id}`)).status).toBe(204);
  expect((await admin.request('DELETE', `/api/views/${forAll.body.id}`)).status).toBe(204);
});

it('should let people watch tickets they can see, and only those', async () => {
  const t = await customer.post('/api/tickets', { type: 'incident', title: unique('watch me'), priority: 'low' });
  expect((await customer.post(`/api/tickets/${t.body.id}/watchers`, {})).status).toBe(204);
  expect((await agent.post(`/api/tickets/${t.body.id}/watchers`, {})).status).toBe(204);
  const stranger = `${unique('stranger')}@example.test`;
  const created = await admin.post('/api/users', { email: stranger, name: 'Stranger', role: 'customer', password: 'a-long-password-1' });
  const refused = await agent.post(`/api/tickets/${t.body.id}/watchers`, { userId: created.body.id });
  expect(refused.status).toBe(422);
  const watchers = await agent.get(`/api/tickets/${t.body.id}/watchers`);
  expect(watchers.body.items).toHaveLength(2);
  expect(watchers.body.items.every((w: { email?: string }) => typeof w.email === 'string')).toBe(true);
  // The customer sees the agent by name, never their address; their own entry keeps theirs.
  const seenByCustomer = (await customer.get(`/api/tickets/${t.body.id}/watchers`)).body.items as Array<{ id: string; name: string; email?: string }>;
  expect(seenByCustomer.find((w) => w.id === agent.user!.id)).toEqual({ id: agent.user!.id, name: expect.any(String) });
  expect(seenByCustomer.find((w) => w.id === customer.user!.id)?.email).toBe(customer.user!.email);
  expect((await customer.request('DELETE', `/api/tickets/${t.body.id}/watchers/${agent.user!.id}`)).status).toBe(403);
  expect((await customer.request('DELETE', `/api/tickets/${t.body.id}/watchers/${customer.user!.id}`)).status).toBe(204);
  expect((await agent.get(`/api/tickets/${t.body.id}/watchers`)).body.items).toHaveLength(1);
});

it('should relate tickets both ways and merge a duplicate into its original', async () => {
  const original = await agent.post('/api/tickets', { type: 'incident', title: unique('Wifi down 3rd floor'), priority: 'high' });
  const dup = await customer.post('/api/tickets', { type: 'incident', title: unique('no wifi'), priority: 'medium' });
  const other = await agent.post('/api/tickets', { type: 'service_request', title: unique('new access point'), priority: 'low' });
  expect((await agent.post(`/api/tickets/${original.body.id}/links`, { ticketId: other.body.id, relation: 'related' })).status).toBe(200);
  expect((await agent.get(`/api/tickets/${other.body.id}`)).body.links).toEqual([{ kind: 'related', ticketId: original.body.id, number: original.body.number }]);

  const merged = await agent.post(`/api/tickets/${dup.body.id}/links`, { ticketId: original.body.id, relation: 'duplicate' });
  expect(merged.status).toBe(200);
  expect(merged.body).toMatchObject({ state: 'closed', stateCategory: 'closed' });
  expect((await agent.get(`/api/tickets/${original.body.id}`)).body.links).toEqual(
    expect.arrayContaining([{ kind: 'duplicated_by', ticketId: dup.body.id, number: dup.body.number }]),
  );
  const seen = await customer.get(`/api/tickets/${dup.body.id}/timeline`);
  expect(seen.body.items.find((e: { data: { transition?: string } }) => e.data.transition === 'merge').data).toMatchObject({ into: original.body.number, to: 'closed' });
  expect((await agent.post(`/api/tickets/${dup.body.id}/links`, { ticketId: other.body.id, relation: 'duplicate' })).status).toBe(409);
});

it('should assign a ticket to a group and filter by it', async () => {
  const key = unique('desk').replace(/-/g, '_');
  expect((await admin.post('/api/groups', { key, name: 'Desk' })).status).toBe(201);
  const t = await agent.post('/api/tickets', { type: 'incident', title: unique('group me'), priority: 'low' });
  const res = await agent.post(`/api/tickets/${t.body.id}/assign`, { assigneeId: null, group: key });
  expect(res.status).toBe(200);
  expect(res.body.assignedGroup).toBe(key);
  expect((await agent.post(`/api/tickets/${t.body.id}/assign`, { assigneeId: null, group: 'no_such_group' })).status).toBe(422);
  expect((await agent.get(`/api/tickets?assignedGroup=${key}`)).body.items.map((x: { id: string }) => x.id)).toEqual([t.body.id]);
});
