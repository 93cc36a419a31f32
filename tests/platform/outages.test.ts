// When Temporal or PostgreSQL goes away the API answers 503 with Retry-After promptly, keeps serving what it still can, and loses nothing once they are back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../platform/servers/postgres';
import { startTemporalDevServer, type TemporalDevServer } from '../../platform/servers/temporal';
import { startDesk, type Desk } from '../support/desk';
import { ADMIN, Session, eventually, unique } from '../support/http';

const root = path.resolve(import.meta.dirname, '..', '..');
let dir: string;
let pg: EmbeddedPostgresHandle;
let temporal: TemporalDevServer;
let desk: Desk;

const startTemporal = (port?: number) => startTemporalDevServer({ toolsDir: path.join(root, '.tools'), dataDir: dir, namespace: 'default', preferredPort: port });

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-outage-'));
  fs.chmodSync(dir, 0o755);
  pg = await startEmbeddedPostgres(dir);
  temporal = await startTemporal();
  desk = await startDesk({ taskQueue: unique('outage'), env: { DATABASE_URL: pg.url, TEMPORAL_ADDRESS: temporal.address } });
});

afterAll(async () => {
  await desk?.stop();
  await temporal?.stop();
  await pg?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = Date.now();
  const result = await fn();
  return [result, Date.now() - started];
}

it('should answer 503 with Retry-After while Temporal is down, keep listing tickets, and recover after a restart', async () => {
  const admin = await Session.login(ADMIN.email, ADMIN.password, desk.url);
  const before = await admin.post('/api/tickets', { type: 'incident', title: unique('before outage'), priority: 'high' });
  expect(before.status).toBe(201);
  const port = Number(temporal.address.split(':')[1]);

  await temporal.stop();
  const [refused, ms] = await timed(() => admin.post('/api/tickets', { type: 'incident', title: unique('during outage'), priority: 'high' }));
  expect(refused.status).toBe(503);
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(ms).toBeLessThan(10_000);
  const transition = await admin.post(`/api/tickets/${before.body.id}/transitions`, { transition: 'start' });
  expect(transition.status).toBe(503);
  expect((await admin.get('/readyz')).status).toBe(503);
  const list = await admin.get('/api/tickets?limit=100');
  expect(list.status).toBe(200);
  expect(list.body.items.map((t: { id: string }) => t.id)).toContain(before.body.id);

  temporal = await startTemporal(port);
  expect(temporal.address).toBe(`127.0.0.1:${port}`);
  const after = await eventually(async () => {
    const r = await admin.post('/api/tickets', { type: 'incident', title: unique('after outage'), priority: 'high' });
    return r.status === 201 ? r : undefined;
  }, 30_000, 500);
  expect(after.body.state).toBe('new');
  const moved = await eventually(async () => {
    const r = await admin.post(`/api/tickets/${before.body.id}/transitions`, { transition: 'start' });
    return r.status === 200 ? r : undefined;
  }, 30_000, 500);
  expect(moved.body.state).toBe('in_progress');
});

it('should answer 503 promptly while PostgreSQL is down and converge the read model once it is back', async () => {
  const admin = await Session.login(ADMIN.email, ADMIN.password, desk.url);
  const ticket = await admin.post('/api/tickets', { type: 'incident', title: unique('db outage'), priority: 'medium' });
  expect(ticket.status).toBe(201);

  await pg.stop();
  const [list, ms] = await timed(() => admin.get('/api/tickets'));
  expect(list.status).toBe(503);
  expect(list.headers.get('retry-after')).toBeTruthy();
  expect(list.headers.get('content-type')).toContain('application/problem+json');
  expect(ms).toBeLessThan(5_000);
  expect((await admin.post('/api/tickets', { type: 'incident', title: unique('no db'), priority: 'low' })).status).toBe(503);
  expect((await admin.get('/readyz')).status).toBe(503);

  pg = await startEmbeddedPostgres(dir, Number(new URL(pg.url).port));
  const back = await eventually(async () => {
    const r = await admin.get(`/api/tickets/${ticket.body.id}`);
    return r.status === 200 ? r : undefined;
  }, 30_000, 500);
  expect(back.body.state).toBe('new');
  const moved = await admin.post(`/api/tickets/${ticket.body.id}/transitions`, { transition: 'start' });
  expect(moved.status).toBe(200);
  const timeline = await admin.get(`/api/tickets/${ticket.body.id}/timeline`);
  expect(timeline.body.items.map((e: { seq: number }) => e.seq)).toEqual([1, 2]);
});
