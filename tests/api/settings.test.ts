// Desk settings: customers file at "high" at most unless an admin allows "critical"; the change is audited.
import { ADMIN, Session, unique } from '../support/http';

let admin: Session;
let customer: Session;

beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
  const email = `${unique('settings-customer')}@example.test`;
  expect((await admin.post('/api/users', { email, name: 'Cust', role: 'customer', password: 'a-long-password-1' })).status).toBe(201);
  customer = await Session.login(email, 'a-long-password-1');
});

afterAll(async () => {
  await admin?.request('PATCH', '/api/settings', { customersMayChooseCritical: false });
});

it('should keep critical for agents unless an admin lets customers choose it, and audit the change', async () => {
  expect((await customer.get('/api/settings')).body).toEqual({ customersMayChooseCritical: false, allowedTags: [] });
  const title = unique('Everything is on fire');
  const refused = await customer.post('/api/tickets', { type: 'incident', title, priority: 'critical' });
  expect(refused.status).toBe(422);
  expect(refused.headers.get('content-type')).toContain('application/problem+json');
  expect(refused.body.errors).toEqual([{ pointer: '/priority', message: 'critical is for agents to set' }]);
  expect((await admin.get(`/api/tickets?q=${encodeURIComponent(title)}`)).body.items).toEqual([]);
  expect((await customer.post('/api/tickets', { type: 'incident', title: unique('Quite urgent'), priority: 'high' })).status).toBe(201);
  // Agents raise it for them, or file it critical on their behalf.
  expect((await admin.post('/api/tickets', { type: 'incident', title: unique('Phoned in'), priority: 'critical', requesterId: customer.user!.id })).status).toBe(201);

  expect((await customer.request('PATCH', '/api/settings', { customersMayChooseCritical: true })).status).toBe(403);
  const bad = await admin.request('PATCH', '/api/settings', { customersMayChooseCritical: 'yes' });
  expect(bad.status).toBe(400);
  expect((await admin.request('PATCH', '/api/settings', { somethingElse: true })).status).toBe(400);
  const allowed = await admin.request('PATCH', '/api/settings', { customersMayChooseCritical: true });
  expect(allowed.status).toBe(200);
  expect(allowed.body).toEqual({ customersMayChooseCritical: true, allowedTags: [] });
  expect((await customer.post('/api/tickets', { type: 'incident', title: unique('Now I may'), priority: 'critical' })).status).toBe(201);

  const [entry] = (await admin.get('/api/audit?entity=settings&entityId=desk')).body.items;
  expect(entry).toMatchObject({ action: 'PATCH /api/settings', actorId: admin.user!.id });
  expect(entry.detail.changes).toContainEqual(expect.objectContaining({ path: '/customersMayChooseCritical', after: true }));
});
