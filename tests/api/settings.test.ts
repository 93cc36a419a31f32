// Desk settings: customers file at "high" at most unless an admin allows "critical"; the change is audited.
import { ADMIN, Session, unique } from '../support/http';
import { DEFAULT_ATTACHMENT_TYPES } from '../../api/modules/settings/service';

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
  await admin?.request('PATCH', '/api/settings', { attachmentMaxMegabytes: 10, attachmentMessageMaxMegabytes: 25, attachmentTypes: DEFAULT_ATTACHMENT_TYPES });
});

it('should keep critical for agents unless an admin lets customers choose it, and audit the change', async () => {
  expect((await customer.get('/api/settings')).body).toMatchObject({ customersMayChooseCritical: false, allowedTags: [], attachmentMaxMegabytes: 10, attachmentMessageMaxMegabytes: 25 });
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
  expect(allowed.body).toMatchObject({ customersMayChooseCritical: true, allowedTags: [] });
  expect((await customer.post('/api/tickets', { type: 'incident', title: unique('Now I may'), priority: 'critical' })).status).toBe(201);

  const [entry] = (await admin.get('/api/audit?entity=settings&entityId=desk')).body.items;
  expect(entry).toMatchObject({ action: 'PATCH /api/settings', actorId: admin.user!.id });
  expect(entry.detail.changes).toContainEqual(expect.objectContaining({ path: '/customersMayChooseCritical', after: true }));
});

it('should take attachment limits and types from the settings: 413 and 415 name the desk\'s rule, and nothing is left behind', async () => {
  const t = await customer.post('/api/tickets', { type: 'incident', title: unique('Files'), priority: 'low' });
  const upload = (name: string, type: string, bytes: number) =>
    customer.request('POST', `/api/tickets/${t.body.id}/attachments?filename=${name}&visibility=public`, new Uint8Array(bytes).fill(65) as never, { 'content-type': type });
  expect((await upload('big.txt', 'text/plain', 1_500_000)).status).toBe(201);
  expect((await admin.request('PATCH', '/api/settings', { attachmentMaxMegabytes: 1, attachmentTypes: ['image/png', 'text/plain'] })).status).toBe(200);
  const big = await upload('bigger.txt', 'text/plain', 1_500_000);
  expect(big.status).toBe(413);
  expect(big.body.detail).toBe('attachments are limited to 1 MiB on this desk');
  const pdf = await upload('doc.pdf', 'application/pdf', 100);
  expect(pdf.status).toBe(415);
  expect(pdf.body.detail).toBe("files of type 'application/pdf' are not accepted on this desk");
  expect((await upload('small.txt', 'text/plain', 100)).status).toBe(201);
  expect((await customer.get(`/api/tickets/${t.body.id}/attachments`)).body.items.map((a: { filename: string }) => a.filename)).toEqual(['big.txt', 'small.txt']);
  expect((await admin.request('PATCH', '/api/settings', { attachmentTypes: ['not a type'] })).status).toBe(400);
  expect((await admin.request('PATCH', '/api/settings', { attachmentMaxMegabytes: 0 })).status).toBe(400);
});
