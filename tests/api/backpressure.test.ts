// Backpressure: with its workers gone, the desk takes new tickets until the oldest waits longer than the bound, then
// answers 503 with Retry-After; once a worker is back, every accepted ticket is recorded and creation opens again.
import { startDesk, type Desk } from '../support/desk';
import { ADMIN, Session, eventually, unique } from '../support/http';

let desk: Desk;
let admin: Session;

beforeAll(async () => {
  desk = await startDesk({ taskQueue: unique('backpressure'), env: { BACKPRESSURE_MAX_BACKLOG_SECONDS: '2' } });
  admin = await Session.login(ADMIN.email, ADMIN.password, desk.url);
}, 60_000);
afterAll(async () => desk?.stop());

it('should refuse new tickets with 503 and Retry-After while the workers are behind, and lose none it accepted', async () => {
  await desk.worker.stop();
  const accepted: string[] = [];
  const refused = await eventually(
    async () => {
      const res = await admin.post('/api/tickets', { type: 'incident', title: unique('while behind'), priority: 'low' });
      if (res.status === 201) accepted.push(res.body.id);
      return res.status === 201 ? undefined : res;
    },
    20_000,
    200,
  );
  expect(refused.status).toBe(503);
  expect(refused.headers.get('content-type')).toContain('application/problem+json');
  expect(refused.body.type).toContain('/busy');
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(accepted.length).toBeGreaterThan(0);

  await desk.startWorker();
  const after = await eventually(async () => {
    const res = await admin.post('/api/tickets', { type: 'incident', title: unique('caught up'), priority: 'low' });
    return res.status === 201 ? res : undefined;
  }, 30_000, 250);
  expect(after.status).toBe(201);
  // Every ticket accepted while the workers were away is recorded by its workflow once they are back.
  for (const id of accepted) {
    await eventually(async () => ((await admin.get(`/api/tickets/${id}/timeline`)).body.items?.some((e: { type: string }) => e.type === 'created') ? true : undefined), 30_000);
  }
}, 90_000);
