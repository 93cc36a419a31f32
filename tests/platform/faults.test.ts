// Breaking things on purpose during bursts of work: a worker killed -9, the API restarted mid-stream, workers replaced one at a time. Nothing is lost or doubled.
import { Client, Connection } from '@temporalio/client';
import { snapshotQuery, ticketWorkflowId } from '../../workflows/ticket-messages';
import { startDesk, type Desk } from '../support/desk';
import { ADMIN, Session, eventually, unique } from '../support/http';

let desk: Desk;
let temporal: Client;
let connection: Connection;

beforeAll(async () => {
  desk = await startDesk({ taskQueue: unique('faults') });
  connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  temporal = new Client({ connection });
});
afterAll(async () => {
  await desk?.stop();
  await connection?.close();
});

/** Runs `count` jobs with `concurrency` workers at a time. */
async function burst<T>(count: number, concurrency: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await job(i);
      }
    }),
  );
  return out;
}

/** Every ticket once in the read model, its row equal to its workflow's state, its timeline gap-free. */
async function expectConsistent(admin: Session, ids: string[]): Promise<void> {
  for (const id of ids) {
    const row = await eventually(async () => {
      const r = await admin.get(`/api/tickets/${id}`);
      if (r.status !== 200) return undefined;
      const snap = await temporal.workflow.getHandle(ticketWorkflowId(id)).query(snapshotQuery);
      const timeline = await admin.get(`/api/tickets/${id}/timeline`);
      const last = timeline.body.items[timeline.body.items.length - 1]?.seq;
      return r.body.state === snap.state && last === snap.lastSeq ? { row: r.body, snap, timeline: timeline.body.items } : undefined;
    }, 60_000, 250);
    expect(row.timeline.map((e: { seq: number }) => e.seq)).toEqual(Array.from({ length: row.snap.lastSeq }, (_, i) => i + 1));
    expect(row.timeline.filter((e: { type: string }) => e.type === 'created')).toHaveLength(1);
  }
}

it('should lose and double nothing when the worker is killed -9 in the middle of a burst', async () => {
  const admin = await Session.login(ADMIN.email, ADMIN.password, desk.url);
  const prefix = unique('burst');
  let killed = false;
  const created = await burst(40, 8, async (i) => {
    if (i === 15 && !killed) {
      killed = true;
      await desk.worker.stop('SIGKILL');
      setTimeout(() => void desk.startWorker(), 2000);
    }
    const r = await admin.post('/api/tickets', { type: 'incident', title: `${prefix} ${i}`, priority: 'medium' });
    expect(r.status).toBe(201);
    // A ticket created while no worker runs is durable but reaches the read model only once one is back: retry until then.
    const moved = await eventually(async () => {
      const m = await admin.post(`/api/tickets/${r.body.id}/transitions`, { transition: 'start' });
      if (m.status !== 404) return m;
    }, 60_000, 250);
    expect(moved.status).toBe(200);
    return r.body.id as string;
  });
  expect(new Set(created).size).toBe(40);
  const listed = await admin.get(`/api/tickets?q=${encodeURIComponent(prefix)}&limit=100`);
  expect(listed.body.items).toHaveLength(40);
  expect(new Set(listed.body.items.map((t: { number: string }) => t.number)).size).toBe(40);
  await expectConsistent(admin, created);
  for (const t of listed.body.items) expect(t.state).toBe('in_progress');
});

it('should create nothing twice when the API restarts during a stream of idempotent retries', async () => {
  const prefix = unique('stream');
  let session = await Session.login(ADMIN.email, ADMIN.password, desk.url);
  let restarting: Promise<unknown> | undefined;
  const results = await burst(30, 4, async (i) => {
    if (i === 10 && !restarting) restarting = desk.api.stop('SIGTERM').then(() => desk.startApi());
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await session.post('/api/tickets', { type: 'incident', title: `${prefix} ${i}`, priority: 'low' }, { 'idempotency-key': `${prefix}-${i}` });
        if (r.status === 201) return r.body.id as string;
        if (r.status === 401) session = await Session.login(ADMIN.email, ADMIN.password, desk.url);
        else if (r.status < 500) throw new Error(`unexpected ${r.status}`);
      } catch (err) {
        if ((err as Error).message.startsWith('unexpected')) throw err;
      }
      if (attempt > 100) throw new Error('the API never came back');
      await new Promise((res) => setTimeout(res, 200));
    }
  });
  await restarting;
  expect(new Set(results).size).toBe(30);
  const listed = await session.get(`/api/tickets?q=${encodeURIComponent(prefix)}&limit=100`);
  expect(listed.body.items).toHaveLength(30);
});

it('should keep every ticket progressing while workers are replaced one at a time', async () => {
  const admin = await Session.login(ADMIN.email, ADMIN.password, desk.url);
  const tickets = await burst(10, 5, async (i) => (await admin.post('/api/tickets', { type: 'incident', title: unique(`rolling ${i}`), priority: 'high' })).body.id as string);
  let rolling = true;
  const deploy = (async () => {
    const second = await desk.addWorker();
    await desk.worker.stop('SIGTERM');
    await desk.startWorker();
    await second.stop('SIGTERM');
    rolling = false;
  })();
  let round = 0;
  const failures: string[] = [];
  while (rolling || round < 2) {
    await burst(tickets.length, 5, async (i) => {
      const r = await admin.post(`/api/tickets/${tickets[i]}/comments`, { body: `round ${round}`, visibility: 'internal' });
      if (r.status !== 201) failures.push(`${tickets[i]}: ${r.status}`);
    });
    round++;
  }
  await deploy;
  expect(failures).toEqual([]);
  await expectConsistent(admin, tickets);
  const moved = await burst(tickets.length, 5, async (i) => (await admin.post(`/api/tickets/${tickets[i]}/transitions`, { transition: 'start' })).status);
  expect(moved.every((s) => s === 200)).toBe(true);
});
