// Backpressure: with its workers gone, the desk takes new tickets until the oldest waits longer than the bound, then
// answers 503 with Retry-After; once a worker is back, every accepted ticket is recorded and creation opens again. And
// while SLA timers have just fired late, new tickets wait until the timers are on time again.
import { startDesk, type Desk } from '../support/desk';
import { ADMIN, Session, eventually, unique } from '../support/http';

let desk: Desk;
let admin: Session;

beforeAll(async () => {
  desk = await startDesk({ taskQueue: unique('backpressure'), env: { BACKPRESSURE_MAX_BACKLOG_SECONDS: '2', BACKPRESSURE_MAX_TIMER_LATENESS_MS: '1000' } });
  admin = await Session.login(ADMIN.email, ADMIN.password, desk.url);
}, 60_000);
afterAll(async () => desk?.stop());

it('should refuse new tickets with 503 and Retry-After while the workers are behind, and lose none it accepted', async () => {
  await desk.worker.stop();
  const key = unique('first-while-behind');
  const first = await admin.request('POST', '/api/tickets', { type: 'incident', title: unique('while behind'), priority: 'low' }, { 'Idempotency-Key': key });
  expect(first.status).toBe(201);
  const accepted: string[] = [first.body.id];
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
  // While refusing new work, the desk still answers what it can without adding any: a retry of a creation it recorded
  // gets that ticket back, and a request it would refuse anyway says why.
  const replay = await admin.request('POST', '/api/tickets', { type: 'incident', title: 'retried', priority: 'low' }, { 'Idempotency-Key': key });
  expect(replay.status).toBe(201);
  expect(replay.headers.get('idempotent-replayed')).toBe('true');
  expect(replay.body.id).toBe(first.body.id);
  const invalid = await admin.post('/api/tickets', { type: 'incident', title: unique('invalid while behind'), priority: 'low', fields: { category: 'nowhere' } });
  expect(invalid.status).toBe(422);

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

it('should refuse new tickets while SLA timers fire late, and take them again once the timers are on time', async () => {
  // No worker runs while a problem whose first-response warning is due 0.6 s after opening is opened and that time
  // passes: its workflow's first task, once a worker is back, fires the warning as late as the worker was away. The
  // published version is put back at once, so only this ticket (pinned to its version) runs the short one.
  await desk.worker.stop();
  const versions = (await admin.get('/api/definitions/problem/versions')).body.items as Array<{ version: number }>;
  const { version: _v, status: _s, ...original } = (await admin.get(`/api/definitions/problem/versions/${Math.max(...versions.map((v) => v.version))}`)).body;
  const short = structuredClone(original);
  short.sla = { ...(short.sla ?? {}), policies: { ...(short.sla?.policies ?? {}), low: { calendar: '24x7', firstResponseMinutes: 1, warnAtPercent: 1 } } };
  let id: string;
  let answeredAt: number;
  try {
    expect((await admin.request('PUT', '/api/definitions/problem/draft', short)).status).toBe(200);
    expect((await admin.post('/api/definitions/problem/publish')).status).toBe(200);
    const created = await admin.post('/api/tickets', { type: 'problem', title: unique('late warning'), priority: 'low' });
    answeredAt = Date.now();
    expect(created.status).toBe(201);
    id = created.body.id;
  } finally {
    await admin.request('PUT', '/api/definitions/problem/draft', original);
    await admin.post('/api/definitions/problem/publish');
  }
  // The warning is due at most 0.6 s after the creation's answer; the worker comes back 2.5 s after that.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, answeredAt + 600 + 2_500 - Date.now())));
  await desk.startWorker();
  const timeline = async () => (await admin.get(`/api/tickets/${id}/timeline`)).body.items as Array<{ type: string; at: string; data: { deadline?: string } }>;
  const warning = await eventually(async () => (await timeline()).find((e) => e.type === 'sla_warning'), 30_000);
  expect(Date.parse(warning.at) - Date.parse(warning.data.deadline!)).toBeGreaterThan(2_000);

  // Refused for the late timers (a refusal for the backlog, while the worker catches up, is not the one looked for).
  const refused = await eventually(async () => {
    const res = await admin.post('/api/tickets', { type: 'incident', title: unique('after late timers'), priority: 'low' });
    return res.status === 503 && /SLA timers/.test(res.body.detail) ? res : undefined;
  }, 10_000, 100);
  expect(refused.body.type).toContain('/busy');
  expect(refused.body.detail).toMatch(/behind on its SLA timers \(recent ones fired \d+\.\d s late\)/);
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

  // Once no timer recorded in the last seconds is late, creation opens again.
  const after = await eventually(async () => {
    const res = await admin.post('/api/tickets', { type: 'incident', title: unique('timers on time'), priority: 'low' });
    return res.status === 201 ? res : undefined;
  }, 30_000, 250);
  expect(after.status).toBe(201);
}, 90_000);
