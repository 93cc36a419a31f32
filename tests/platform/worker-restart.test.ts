// Killing the worker loses no ticket: one created while it is down is readable at once and its timeline is recorded once the worker is back.
import { startDesk, type Desk } from '../support/desk';
import { ADMIN, Session, eventually, unique } from '../support/http';

let desk: Desk;

beforeAll(async () => {
  desk = await startDesk({ taskQueue: unique('restart') });
});
afterAll(async () => desk?.stop());

it('should record a ticket created while the worker was killed once the worker is back', async () => {
  const admin = await Session.login(ADMIN.email, ADMIN.password, desk.url);
  // One search word shared by both tickets: the list below must not depend on what other suites left in the queue.
  const tag = `crash${Date.now().toString(36)}`;
  const before = await admin.post('/api/tickets', { type: 'incident', title: `${tag} before crash`, priority: 'low' });
  expect(before.status).toBe(201);

  await desk.worker.stop('SIGKILL');
  const during = await admin.post('/api/tickets', { type: 'incident', title: `${tag} while down`, priority: 'critical' });
  expect(during.status).toBe(201);
  expect(during.body.state).toBe('new');
  // The API wrote the opened ticket itself; nothing is recorded until a worker runs the workflow.
  const waiting = await admin.get(`/api/tickets/${during.body.id}`);
  expect(waiting.status).toBe(200);
  expect(waiting.body).toMatchObject({ number: during.body.number, state: 'new', priority: 'critical' });
  expect((await admin.get(`/api/tickets/${during.body.id}/timeline`)).body.items).toEqual([]);

  await desk.startWorker();
  const recorded = await eventually(async () => {
    const r = await admin.get(`/api/tickets/${during.body.id}/timeline`);
    return r.body.items?.length ? r.body.items : undefined;
  }, 30_000);
  expect(recorded.map((e: { seq: number; type: string }) => [e.seq, e.type])).toEqual([[1, 'created']]);

  const moved = await admin.post(`/api/tickets/${during.body.id}/transitions`, { transition: 'start' });
  expect(moved.status).toBe(200);
  expect(moved.body.state).toBe('in_progress');
  const timeline = await admin.get(`/api/tickets/${during.body.id}/timeline`);
  expect(timeline.body.items.map((e: { seq: number; type: string }) => [e.seq, e.type])).toEqual([
    [1, 'created'],
    [2, 'transitioned'],
  ]);
  const list = await admin.get(`/api/tickets?limit=100&q=${tag}`);
  const ids = list.body.items.map((t: { id: string }) => t.id);
  expect(ids.filter((id: string) => id === during.body.id)).toHaveLength(1);
  expect(ids).toContain(before.body.id);
});
