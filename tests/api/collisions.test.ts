// Two agents on one ticket: each sees the other (and who is typing), and a reply begun before someone else answered is
// held back once, recording nothing, so no customer is answered twice by agents who did not see each other.
import { ADMIN, Session, eventually, signedInAs, unique } from '../support/http';

let admin: Session;
let marie: Session;
let paul: Session;
let customer: Session;
beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
  marie = await signedInAs(admin, 'agent', `Marie ${unique('m')}`);
  paul = await signedInAs(admin, 'agent', `Paul ${unique('p')}`);
  customer = await signedInAs(admin, 'customer', 'Claire');
});

const lastSeq = async (s: Session, id: string) => Math.max(0, ...(await s.get(`/api/tickets/${id}/timeline`)).body.items.map((e: { seq: number }) => e.seq));

it('should tell each agent who else has the ticket open and who is typing, and forget who left', async () => {
  const t = await customer.post('/api/tickets', { type: 'incident', title: unique('printer on fire'), priority: 'high' });
  const id = t.body.id;
  expect((await marie.request('PUT', `/api/tickets/${id}/presence`, { typing: false })).body.viewers).toEqual([]);
  const seen = await paul.request('PUT', `/api/tickets/${id}/presence`, { typing: true });
  expect(seen.status).toBe(200);
  expect(seen.body.viewers).toEqual([{ id: marie.user!.id, name: expect.stringMatching(/^Marie/), typing: false }]);
  expect((await marie.request('PUT', `/api/tickets/${id}/presence`, { typing: false })).body.viewers).toEqual([{ id: paul.user!.id, name: expect.stringMatching(/^Paul/), typing: true }]);

  expect((await paul.request('DELETE', `/api/tickets/${id}/presence`)).status).toBe(204);
  expect((await marie.request('PUT', `/api/tickets/${id}/presence`, { typing: false })).body.viewers).toEqual([]);

  // Customers have no presence, and nobody has it on a ticket they may not see.
  expect((await customer.request('PUT', `/api/tickets/${id}/presence`, { typing: true })).status).toBe(403);
  expect((await marie.request('PUT', `/api/tickets/${id}/presence`, { typing: 'yes' })).status).toBe(400);
  expect((await marie.request('PUT', '/api/tickets/00000000-0000-4000-8000-000000000000/presence', { typing: false })).status).toBe(404);
});

it('should hold back a reply begun before someone else answered, record nothing, and take it once read', async () => {
  const t = await customer.post('/api/tickets', { type: 'incident', title: unique('cannot log in'), priority: 'high' });
  const id = t.body.id;
  await eventually(async () => ((await lastSeq(marie, id)) >= 1 ? true : undefined));
  const marieSaw = await lastSeq(marie, id);

  // Paul answers while Marie is still writing.
  expect((await paul.post(`/api/tickets/${id}/comments`, { body: 'Reset your password from the link', visibility: 'public', ifSeenSeq: marieSaw })).status).toBe(201);
  await eventually(async () => ((await lastSeq(marie, id)) > marieSaw ? true : undefined));

  const refused = await marie.post(`/api/tickets/${id}/comments`, { body: 'Try resetting your password', visibility: 'public', ifSeenSeq: marieSaw });
  expect(refused.status).toBe(409);
  expect(refused.body.type).toMatch(/\/ticket-changed$/);
  expect(refused.body.detail).toContain('a reply from Paul');
  const bodies = (await marie.get(`/api/tickets/${id}/timeline`)).body.items.filter((e: { type: string }) => e.type === 'commented').map((e: { data: { body: string } }) => e.data.body);
  expect(bodies).toEqual(['Reset your password from the link']);

  // Her own changes never hold her back, and once she has read Paul's reply hers goes through.
  const now = await lastSeq(marie, id);
  expect((await marie.post(`/api/tickets/${id}/comments`, { body: 'Between us: I had the same idea', visibility: 'internal', ifSeenSeq: now })).status).toBe(201);
  expect((await marie.post(`/api/tickets/${id}/comments`, { body: 'Did the link work?', visibility: 'public', ifSeenSeq: now })).status).toBe(201);

  // A customer counts events as they see them: Paul's internal note is not something they missed.
  await eventually(async () => ((await lastSeq(customer, id)) >= 3 ? true : undefined));
  const customerSaw = await lastSeq(customer, id);
  expect((await paul.post(`/api/tickets/${id}/comments`, { body: 'Internal: account locked by AD', visibility: 'internal' })).status).toBe(201);
  await eventually(async () => ((await lastSeq(paul, id)) > now + 2 ? true : undefined));
  expect((await customer.post(`/api/tickets/${id}/comments`, { body: 'Still locked', ifSeenSeq: customerSaw })).status).toBe(201);
  // A number past the last event means nothing was missed; one past what an event number can be is refused, not a 500.
  expect((await customer.post(`/api/tickets/${id}/comments`, { body: 'And now?', ifSeenSeq: 9999 })).status).toBe(201);
  expect((await marie.post(`/api/tickets/${id}/comments`, { body: 'Huge', ifSeenSeq: 2 ** 40 })).status).toBe(400);
});
