// Custom roles against the real desk: composed from the documented permissions, per queue or for every queue the holder
// works, applied from the holder's next request, refused when malformed, and never deleted while held.
import { ADMIN, Session, unique, ok } from '../support/http';

let admin: Session;

beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
});

const key = (p: string) => unique(p).replace(/[^a-z0-9_]/g, '_');

/** An agent in a fresh group working two fresh queues, holding `role`, with a ticket in each queue. */
async function holderOf(role: string) {
  const group = key('rg');
  const [q1, q2] = [key('rq'), key('rq')];
  await ok(admin.post('/api/groups', { key: group, name: group }), 201);
  for (const q of [q1, q2]) {
    await ok(admin.post('/api/queues', { key: q, name: q }), 201);
    await ok(admin.request('PUT', `/api/queues/${q}/groups`, { groups: [group] }));
  }
  const email = `${unique('holder')}@example.test`;
  const made = await ok(admin.post('/api/users', { email, name: 'Holder', role: 'customer', password: 'a-long-password-1' }), 201);
  const changed = await ok(admin.request('PATCH', `/api/users/${made.id}`, { customRole: role }));
  expect(changed).toMatchObject({ role: 'agent', customRole: role });
  await ok(admin.request('PUT', `/api/groups/${group}/members`, { userIds: [made.id] }));
  const holder = await Session.login(email, 'a-long-password-1');
  const ticketIn = async (queue: string) => {
    const t = await ok(admin.post('/api/tickets', { type: 'incident', title: unique('Role ticket'), priority: 'low' }), 201);
    await ok(admin.post(`/api/tickets/${t.id}/assign`, { assigneeId: null, queue }));
    return t.id as string;
  };
  return { id: made.id as string, holder, q1, q2, t1: await ticketIn(q1), t2: await ticketIn(q2) };
}

describe('Roles', () => {
  it('should describe every permission and the built-in roles in the same terms', async () => {
    const roles = await ok(admin.get('/api/roles'));
    expect(roles.permissions.areas.map((p: { key: string }) => p.key)).toEqual(expect.arrayContaining(['kb.edit', 'reports.view', 'maintenance.manage', 'admin.audit', 'admin.people']));
    expect(roles.permissions.queue.map((p: { key: string }) => p.key)).toEqual(['reply', 'note', 'transition', 'edit', 'assign']);
    expect(roles.builtIn.find((r: { key: string }) => r.key === 'agent')).toMatchObject({ areas: ['kb.edit', 'reports.view', 'maintenance.manage'], queues: { '*': ['reply', 'note', 'transition', 'edit', 'assign'] } });
    expect(roles.builtIn.find((r: { key: string }) => r.key === 'customer')).toMatchObject({ areas: [], queues: {} });
  });

  it('should grant per queue over the default, from the next request, and show the caller their own grants', async () => {
    const role = key('triage');
    const made = await ok(admin.post('/api/roles', { key: role, name: 'Triage', areas: ['admin.audit'], queues: { '*': ['reply'] } }), 201);
    expect(made).toMatchObject({ key: role, holders: 0 });
    const h = await holderOf(role);
    expect((await ok(h.holder.get('/api/auth/me'))).permissions).toEqual({ areas: ['admin.audit'], queues: { '*': ['reply'] }, customRole: role });

    // Everywhere: public replies only.
    await ok(h.holder.post(`/api/tickets/${h.t1}/comments`, { body: 'On it' }), 201);
    const note = await h.holder.post(`/api/tickets/${h.t1}/comments`, { body: 'internal', visibility: 'internal' });
    expect(note.status).toBe(403);
    expect(note.body.type).toMatch(/missing-permission$/);
    expect(note.body.detail).toContain(h.q1);
    expect((await h.holder.post(`/api/tickets/${h.t1}/assign`, { assigneeId: h.id })).status).toBe(403);
    // No transition is offered where the role may not move tickets.
    expect((await ok(h.holder.get(`/api/tickets/${h.t1}?include=transitions`))).transitions).toEqual([]);
    // The audit log, but no other admin area; reports are not theirs either.
    await ok(h.holder.get('/api/audit'));
    expect((await h.holder.get('/api/tokens')).status).toBe(403);
    expect((await h.holder.get('/api/reports/backlog')).status).toBe(403);

    // One queue gets more: notes and transitions there, still not elsewhere. No new sign-in needed.
    await ok(admin.request('PATCH', `/api/roles/${role}`, { queues: { '*': ['reply'], [h.q2]: ['reply', 'note', 'transition'] } }));
    await ok(h.holder.post(`/api/tickets/${h.t2}/comments`, { body: 'internal here', visibility: 'internal' }), 201);
    await ok(h.holder.post(`/api/tickets/${h.t2}/transitions`, { transition: 'start' }));
    expect((await h.holder.post(`/api/tickets/${h.t1}/comments`, { body: 'still not here', visibility: 'internal' })).status).toBe(403);
    expect((await h.holder.post(`/api/tickets/${h.t1}/transitions`, { transition: 'start' })).status).toBe(403);
    // A macro is each of its parts.
    const macro = await ok(h.holder.post('/api/macros', { name: unique('Note'), reply: { en: 'n', visibility: 'internal' } }), 201);
    const applied = await ok(h.holder.post(`/api/macros/${macro.id}/apply`, { ids: [h.t1, h.t2] }));
    expect(applied.results.map((r: { ok: boolean }) => r.ok)).toEqual([false, true]);
  });

  it('should keep what would raise its holder above the role with built-in admins, whatever areas a role grants', async () => {
    const role = key('lead');
    await ok(admin.post('/api/roles', { key: role, name: 'Team lead', areas: ['admin.people', 'admin.integrations', 'admin.privacy'], queues: { '*': ['reply'] } }), 201);
    const h = await holderOf(role);
    const me = (await ok(h.holder.get('/api/auth/me'))).user;
    const adminId = admin.user!.id;
    const refusals = [
      await h.holder.post('/api/users', { email: `${unique('x')}@example.test`, name: 'X', role: 'admin', password: 'a-long-password-1' }),
      await h.holder.request('PATCH', `/api/users/${me.id}`, { role: 'admin' }),
      await h.holder.request('PATCH', `/api/users/${me.id}`, { customRole: null }),
      await h.holder.request('PATCH', `/api/users/${adminId}`, { name: 'Renamed' }),
      await h.holder.post(`/api/users/${adminId}/password-reset`),
      await h.holder.post(`/api/users/${adminId}/erase`, { confirm: ADMIN.email }),
      await h.holder.post('/api/tokens', { name: 'mine', scope: 'admin', userId: adminId }),
      await h.holder.post('/api/roles', { key: key('all'), name: 'All', areas: ['admin.settings'], queues: {} }),
      await h.holder.post('/api/ldap/directories', { name: 'rogue', url: 'ldap://127.0.0.1:9', bindDn: 'cn=x', bindSecret: 'x', userBaseDns: ['dc=x'] }),
      await h.holder.post('/api/webhooks/subscriptions', { name: 'all events', url: 'http://127.0.0.1:9/hook', allowPrivateNetwork: true, eventTypes: ['ticket.event_emitted'] }),
    ];
    expect(refusals.map((r) => [r.status, r.body.type?.split('/').pop()])).toEqual(refusals.map(() => [403, 'built-in-admin-only']));
    // What the areas are for still works: an agent's account, a customer's data.
    const agent = await ok(h.holder.post('/api/users', { email: `${unique('a')}@example.test`, name: 'A', role: 'agent', password: 'a-long-password-1' }), 201);
    await ok(h.holder.request('PATCH', `/api/users/${agent.id}`, { name: 'Agent A' }));
    await ok(h.holder.get('/api/tokens'));
  });

  it('should refuse malformed roles and assignments, and a role in use cannot be deleted', async () => {
    expect((await admin.post('/api/roles', { key: key('r'), name: 'R', areas: ['admin.everything'], queues: {} })).status).toBe(400);
    expect((await admin.post('/api/roles', { key: key('r'), name: 'R', areas: [], queues: { '*': ['fly'] } })).status).toBe(400);
    const unknownQueue = await admin.post('/api/roles', { key: key('r'), name: 'R', areas: [], queues: { no_such_queue_here: ['reply'] } });
    expect(unknownQueue.status).toBe(422);
    expect(unknownQueue.body.errors[0].pointer).toBe('/queues/no_such_queue_here');
    expect((await admin.post('/api/roles', { key: 'agent', name: 'Agent', areas: [], queues: {} })).status).toBe(409);
    const role = key('held');
    await ok(admin.post('/api/roles', { key: role, name: 'Held', areas: [], queues: { '*': ['reply'] } }), 201);
    expect((await admin.post('/api/roles', { key: role, name: 'Again', areas: [], queues: {} })).status).toBe(409);

    const h = await holderOf(role);
    expect((await admin.request('PATCH', `/api/users/${h.id}`, { role: 'admin', customRole: role })).status).toBe(422);
    expect((await admin.request('PATCH', `/api/users/${h.id}`, { customRole: 'no_such_role' })).status).toBe(422);
    const inUse = await admin.request('DELETE', `/api/roles/${role}`);
    expect(inUse.status).toBe(409);
    expect(inUse.body.type).toMatch(/role-in-use$/);
    // Back to the built-in agent: every right of an agent again, and the role can go.
    expect(await ok(admin.request('PATCH', `/api/users/${h.id}`, { customRole: null }))).toMatchObject({ role: 'agent', customRole: null });
    await ok(h.holder.post(`/api/tickets/${h.t1}/comments`, { body: 'agent again', visibility: 'internal' }), 201);
    expect((await admin.request('DELETE', `/api/roles/${role}`)).status).toBe(204);
    expect((await admin.request('PATCH', `/api/roles/${role}`, { name: 'Gone' })).status).toBe(404);
    // Only those with admin.people manage roles.
    expect((await admin.get('/api/roles')).status).toBe(200);
    expect((await h.holder.get('/api/roles')).status).toBe(403);
  });
});
