// Organisations, groups and queue groups against the real desk: names and keys stay unique with a clear 409, members
// and groups are checked before anything is replaced, and a list shows each group with exactly its members.
import { ADMIN, Session, unique, ok } from '../support/http';

let admin: Session;

beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
});

const key = (p: string) => unique(p).replace(/[^a-z0-9_]/g, '_');

describe('Organisations', () => {
  it('should refuse a second organisation of the same name, on creation and on renaming', async () => {
    const [a, b] = [unique('Org A'), unique('Org B')];
    const made = await ok(admin.post('/api/organisations', { name: a }), 201);
    expect(made).toEqual({ id: expect.any(String), name: a, shareTickets: false });
    const other = await ok(admin.post('/api/organisations', { name: b, shareTickets: true }), 201);
    expect((await admin.post('/api/organisations', { name: a })).body).toMatchObject({ status: 409, type: expect.stringMatching(/\/organisation-exists$/) });
    expect((await admin.request('PATCH', `/api/organisations/${other.id}`, { name: a })).body).toMatchObject({ status: 409, type: expect.stringMatching(/\/organisation-exists$/) });
    // The refused rename changed nothing; a partial change keeps the other field.
    expect(await ok(admin.request('PATCH', `/api/organisations/${other.id}`, { shareTickets: false }))).toEqual({ id: other.id, name: b, shareTickets: false });
    const listed = (await ok(admin.get('/api/organisations'))).items as Array<{ id: string; name: string }>;
    expect(listed.filter((o) => o.id === made.id || o.id === other.id)).toEqual([
      { id: made.id, name: a, shareTickets: false },
      { id: other.id, name: b, shareTickets: false },
    ]);
    expect((await admin.request('PATCH', '/api/organisations/00000000-0000-4000-8000-000000000000', { name: unique('Nobody') })).status).toBe(404);
  });
});

describe('Groups', () => {
  it('should list each group with exactly its members and replace them only when every one is staff', async () => {
    const [g1, g2] = [key('ig'), key('ig')];
    expect(await ok(admin.post('/api/groups', { key: g1, name: g1 }), 201)).toEqual({ key: g1, name: g1, userIds: [] });
    await ok(admin.post('/api/groups', { key: g2, name: g2 }), 201);
    expect((await admin.post('/api/groups', { key: g1, name: 'again' })).body).toMatchObject({ status: 409, type: expect.stringMatching(/\/group-exists$/) });

    const person = async (role: string) =>
      (await ok(admin.post('/api/users', { email: `${unique(role)}@example.test`, name: role, role, password: 'a-long-password-1' }), 201)).id as string;
    const [agent, otherAgent, customer] = [await person('agent'), await person('agent'), await person('customer')];
    await ok(admin.request('PUT', `/api/groups/${g1}/members`, { userIds: [agent, otherAgent] }));
    await ok(admin.request('PUT', `/api/groups/${g2}/members`, { userIds: [otherAgent] }));

    const refused = await admin.request('PUT', `/api/groups/${g1}/members`, { userIds: [agent, customer] });
    expect(refused.body).toMatchObject({ status: 422, type: expect.stringMatching(/\/invalid-members$/), errors: [{ pointer: '/userIds/1' }] });
    const listed = (await ok(admin.get('/api/groups'))).items as Array<{ key: string; userIds: string[] }>;
    const of = (k: string) => listed.find((g) => g.key === k)!.userIds.sort();
    expect(of(g1)).toEqual([agent, otherAgent].sort());
    expect(of(g2)).toEqual([otherAgent]);

    await ok(admin.request('PUT', `/api/groups/${g1}/members`, { userIds: [] }));
    const emptied = (await ok(admin.get('/api/groups'))).items as Array<{ key: string; userIds: string[] }>;
    expect(emptied.find((g) => g.key === g1)!.userIds).toEqual([]);
    expect((await admin.request('PUT', `/api/groups/${key('none')}/members`, { userIds: [] })).status).toBe(404);

    // Made a customer, an agent leaves every group.
    await ok(admin.request('PATCH', `/api/users/${otherAgent}`, { role: 'customer' }));
    expect(((await ok(admin.get('/api/groups'))).items as Array<{ key: string; userIds: string[] }>).find((g) => g.key === g2)!.userIds).toEqual([]);
  });

  it('should give a queue only groups that exist', async () => {
    const [group, queue] = [key('qg'), key('qq')];
    await ok(admin.post('/api/groups', { key: group, name: group }), 201);
    await ok(admin.post('/api/queues', { key: queue, name: queue }), 201);
    expect(await ok(admin.request('PUT', `/api/queues/${queue}/groups`, { groups: [group] }))).toEqual({ queue, groups: [group] });
    const refused = await admin.request('PUT', `/api/queues/${queue}/groups`, { groups: [group, key('ghost')] });
    expect(refused.body).toMatchObject({ status: 422, type: expect.stringMatching(/\/unknown-group$/), errors: [{ pointer: '/groups/1' }] });
    expect((await admin.request('PUT', `/api/queues/${key('none')}/groups`, { groups: [] })).status).toBe(404);

    // The list counts the queue's open tickets only.
    const [open, done] = [await ok(admin.post('/api/tickets', { type: 'incident', title: unique('Queue count'), priority: 'low' }), 201), await ok(admin.post('/api/tickets', { type: 'incident', title: unique('Queue count'), priority: 'low' }), 201)];
    for (const t of [open, done]) await ok(admin.post(`/api/tickets/${t.id}/assign`, { assigneeId: null, queue }));
    await ok(admin.post(`/api/tickets/${done.id}/transitions`, { transition: 'resolve', fields: { resolution: 'done' } }));
    expect(await ok(admin.request('PATCH', `/api/queues/${queue}`, { maxOpenPerAgent: 5 }))).toEqual({ key: queue, name: queue, description: '', assignment: 'off', maxOpenPerAgent: 5, groups: [group], open: 1, breached: 0 });
    expect((await admin.request('PATCH', `/api/queues/${key('none')}`, { name: 'x' })).status).toBe(404);
  });
});

describe('Accounts', () => {
  it("should name a user's manager in the change's answer and in the list", async () => {
    const make = async (name: string) => {
      const email = `${unique(name.toLowerCase())}@example.test`;
      return { email, id: (await ok(admin.post('/api/users', { email: email.toUpperCase(), name, role: 'customer', password: 'a-long-password-1' }), 201)).id as string };
    };
    const [boss, worker] = [await make('Boss'), await make('Worker')];
    expect(await ok(admin.request('PATCH', `/api/users/${worker.id}`, { managerId: boss.id, skills: ['printers'] }))).toMatchObject({ id: worker.id, email: worker.email, managerId: boss.id, managerName: 'Boss', skills: ['printers'] });
    const listed = (await ok(admin.get(`/api/users?q=${encodeURIComponent(worker.email)}`))).items;
    expect(listed).toEqual([expect.objectContaining({ id: worker.id, email: worker.email, managerId: boss.id, managerName: 'Boss', skills: ['printers'], disabled: false })]);
    // The other way round would make a cycle.
    expect((await admin.request('PATCH', `/api/users/${boss.id}`, { managerId: worker.id })).body).toMatchObject({ status: 422, type: expect.stringMatching(/\/invalid-manager$/) });
    expect(await ok(admin.request('PATCH', `/api/users/${worker.id}`, { managerId: null }))).toMatchObject({ managerId: null, managerName: null });
  });
});
