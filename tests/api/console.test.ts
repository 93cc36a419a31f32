// The API the console relies on beyond tickets: the staff directory, editable organisation sharing, the admin user and
// queue lists with what the admin screens edit, and the filtered, paged audit log.
import { ADMIN, Session, allUsers, unique } from '../support/http';

let admin: Session;
let agent: Session;
let customer: Session;
let agentId: string;

beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
  const make = async (role: string) => {
    const email = `${unique(role)}@example.test`;
    const res = await admin.post('/api/users', { email, name: `${role} ${unique('n')}`, role, password: 'a-long-password-1' });
    expect(res.status).toBe(201);
    return { id: res.body.id as string, s: await Session.login(email, 'a-long-password-1') };
  };
  const a = await make('agent');
  agentId = a.id;
  agent = a.s;
  customer = (await make('customer')).s;
});

test('the directory lists staff names and groups for agents, never emails, and refuses customers', async () => {
  const group = unique('dir').replace(/-/g, '_');
  expect((await admin.post('/api/groups', { key: group, name: 'Directory group' })).status).toBe(201);
  const res = await agent.get('/api/directory');
  expect(res.status).toBe(200);
  expect(res.body.agents.some((u: { id: string }) => u.id === agentId)).toBe(true);
  expect(res.body.groups.some((g: { key: string }) => g.key === group)).toBe(true);
  expect(JSON.stringify(res.body)).not.toContain('@example.test');
  expect(res.body.agents.every((u: { role: string }) => u.role !== 'customer')).toBe(true);
  expect((await customer.get('/api/directory')).status).toBe(403);
});

test('an organisation\'s ticket sharing can be switched; only admins may, names stay unique', async () => {
  const org = (await admin.post('/api/organisations', { name: unique('Share org') })).body;
  const other = (await admin.post('/api/organisations', { name: unique('Other org') })).body;
  const on = await admin.request('PATCH', `/api/organisations/${org.id}`, { shareTickets: true });
  expect(on.status).toBe(200);
  expect(on.body).toEqual({ id: org.id, name: org.name, shareTickets: true });
  expect((await admin.get('/api/organisations')).body.items.find((o: { id: string }) => o.id === org.id).shareTickets).toBe(true);
  expect((await admin.request('PATCH', `/api/organisations/${org.id}`, { name: other.name })).status).toBe(409);
  expect((await admin.request('PATCH', `/api/organisations/${org.id}`, {})).status).toBe(400);
  expect((await admin.request('PATCH', '/api/organisations/00000000-0000-4000-8000-000000000000', { shareTickets: false })).status).toBe(404);
  expect((await agent.request('PATCH', `/api/organisations/${org.id}`, { shareTickets: false })).status).toBe(403);
});

test('the user list carries organisation and status; the queue list carries its groups', async () => {
  const org = (await admin.post('/api/organisations', { name: unique('Listed org') })).body;
  const created = await admin.post('/api/users', { email: `${unique('listed')}@example.test`, name: 'Listed', role: 'customer', password: 'a-long-password-1', organisationId: org.id });
  expect((await admin.request('PATCH', `/api/users/${created.body.id}`, { disabled: true })).status).toBe(200);
  const user = (await allUsers(admin)).find((u) => u.id === created.body.id);
  expect(user).toMatchObject({ id: created.body.id, role: 'customer', organisationId: org.id, disabled: true });

  const group = unique('qg').replace(/-/g, '_');
  const queue = unique('qq').replace(/-/g, '_');
  expect((await admin.post('/api/groups', { key: group, name: 'Queue group' })).status).toBe(201);
  expect((await admin.post('/api/queues', { key: queue, name: 'Queue with groups' })).status).toBe(201);
  expect((await admin.request('PUT', `/api/queues/${queue}/groups`, { groups: [group] })).status).toBe(200);
  const listed = (await admin.get('/api/queues')).body.items.find((q: { key: string }) => q.key === queue);
  expect(listed).toMatchObject({ key: queue, groups: [group], open: 0, breached: 0 });
});

test('the audit log filters by action text, outcome and actor, and pages with next/before', async () => {
  const marker = unique('auditgrp').replace(/-/g, '_');
  for (let i = 0; i < 3; i++) expect((await admin.post('/api/groups', { key: `${marker}_${i}`, name: `Audit ${i}` })).status).toBe(201);
  const first = await admin.get(`/api/audit?action=${encodeURIComponent('POST /api/groups')}&limit=2&actorId=${admin.user!.id}&outcome=allowed`);
  expect(first.status).toBe(200);
  expect(first.body.items).toHaveLength(2);
  expect(first.body.items.every((e: { action: string; outcome: string }) => e.action === 'POST /api/groups' && e.outcome === 'allowed')).toBe(true);
  expect(first.body.next).toEqual(first.body.items[1].id);
  const second = await admin.get(`/api/audit?action=${encodeURIComponent('POST /api/groups')}&limit=2&before=${first.body.next}`);
  expect(second.status).toBe(200);
  expect(Number(second.body.items[0].id)).toBeLessThan(Number(first.body.items[1].id));
  // LIKE wildcards in the filter are taken literally.
  expect((await admin.get('/api/audit?action=%25%25%25zz_no_such_action')).body.items).toEqual([]);
  expect((await admin.get('/api/audit?before=abc')).status).toBe(400);
  expect((await agent.get('/api/audit')).status).toBe(403);
});

test('the user list comes a page at a time, searched and filtered on the server, so no account is silently left out', async () => {
  const mark = unique('paged').toLowerCase();
  const made = [];
  for (const [i, role] of (['customer', 'agent', 'customer'] as const).entries()) {
    const res = await admin.post('/api/users', { email: `${mark}-${i}@example.test`, name: `Paged ${i}`, role, password: 'a-long-password-1' });
    expect(res.status).toBe(201);
    made.push(res.body.email);
  }
  const first = await admin.get(`/api/users?q=${mark}&limit=2`);
  expect(first.status).toBe(200);
  expect(first.body.items.map((u: { email: string }) => u.email)).toEqual(made.slice(0, 2));
  expect(first.body.next).toBe(made[1]);
  const second = await admin.get(`/api/users?q=${mark}&limit=2&cursor=${encodeURIComponent(first.body.next)}`);
  expect(second.body.items.map((u: { email: string }) => u.email)).toEqual([made[2]]);
  expect(second.body.next).toBeNull();

  expect((await admin.get(`/api/users?q=${mark}&role=staff`)).body.items.map((u: { email: string }) => u.email)).toEqual([made[1]]);
  expect((await admin.get(`/api/users?q=${mark}&role=customer`)).body.items).toHaveLength(2);
  // Search text is matched literally: LIKE's wildcards in it match only themselves.
  expect((await admin.get(`/api/users?q=${encodeURIComponent(`${mark.slice(0, 3)}%${mark.slice(4)}`)}`)).body.items).toEqual([]);
  for (const bad of ['limit=0', 'limit=501', 'limit=abc', 'role=owner', 'size=3']) expect((await admin.get(`/api/users?${bad}`)).status).toBe(400);
  // Every account is reachable by paging, however many there are.
  const everyone = await allUsers(admin);
  expect(new Set(everyone.map((u) => u.email)).size).toBe(everyone.length);
  expect(everyone.map((u) => u.email)).toEqual(expect.arrayContaining(made));
});
