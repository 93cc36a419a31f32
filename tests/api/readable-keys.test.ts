// The API gives the console names rather than keys: timeline events carry their states' and transition's labels, and
// the directory says which groups the caller belongs to (the only ones an agent may make owner of a plan or asset).
import { ADMIN, Session, unique } from '../support/http';

let admin: Session;

beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
});

async function newUser(role: 'agent' | 'customer'): Promise<{ id: string; s: Session }> {
  const email = `${unique(role)}@example.test`;
  const res = await admin.post('/api/users', { email, name: `${role} ${unique('n')}`, role, password: 'a-long-password-1' });
  expect(res.status).toBe(201);
  return { id: res.body.id as string, s: await Session.login(email, 'a-long-password-1') };
}

test("the timeline names the created state and a transition's states and name in both languages, for the customer too", async () => {
  const customer = await newUser('customer');
  const t = await customer.s.post('/api/tickets', { type: 'incident', title: unique('Printer jam'), priority: 'high' });
  expect((await admin.post(`/api/tickets/${t.body.id}/transitions`, { transition: 'start' })).status).toBe(200);
  const items = (await customer.s.get(`/api/tickets/${t.body.id}/timeline`)).body.items as Array<{ type: string; data: Record<string, unknown> }>;
  expect(items.find((e) => e.type === 'created')?.data.stateLabel).toEqual({ en: 'New', fr: 'Nouveau' });
  expect(items.find((e) => e.type === 'transitioned')?.data).toMatchObject({
    fromLabel: { en: 'New', fr: 'Nouveau' },
    toLabel: { en: 'In progress', fr: 'En cours' },
    transitionLabel: { en: 'Start work', fr: 'Prendre en charge' },
  });
});

test('the directory says which groups the caller belongs to', async () => {
  const agent = await newUser('agent');
  const group = unique('dirm').replace(/-/g, '_');
  expect((await admin.post('/api/groups', { key: group, name: 'Directory member group' })).status).toBe(201);
  expect((await agent.s.get('/api/directory')).body.groups.find((g: { key: string }) => g.key === group)).toEqual({ key: group, name: 'Directory member group', member: false });
  expect((await admin.request('PUT', `/api/groups/${group}/members`, { userIds: [agent.id] })).status).toBe(200);
  expect((await agent.s.get('/api/directory')).body.groups.find((g: { key: string }) => g.key === group).member).toBe(true);
});
