// The production topology on one host: the real Temporal server on PostgreSQL, two API replicas and two workers behind
// HAProxy (deploy/haproxy.cfg). Under a steady load of creations, comments and transitions, each worker and then each API
// replica is restarted in turn, as a rolling deploy does. Nothing may fail, be lost or be done twice, and every ticket's
// SLA escalation fires exactly once.
import pg from 'pg';
import { spawnTs, type Child } from '../../platform/processes';
import { startHaproxy, type Proxy } from '../../platform/servers/haproxy';
import { freePort, waitForPort } from '../../platform/servers/ports';
import { childStdio as stdio, serverLog as log, startClusterServers, type ClusterServers } from '../support/cluster';
import { ADMIN, Session, eventually } from '../support/http';

const TASK_QUEUE = 'guichet-cluster';
const CLIENTS = 4;
// The resolution clock's warning fires this long after creation (1 minute budget, warned at 10 %).
const WARNING_AFTER_MS = 6_000;

let servers: ClusterServers;
let suffix: string;
let proxy: Proxy;
let env: NodeJS.ProcessEnv;
const apiPorts: number[] = [];
const apis: Child[] = [];
const workers: Child[] = [];

async function startApi(i: number): Promise<void> {
  apis[i] = spawnTs(`api${i + 1}`, 'api/main.ts', { ...env, PORT: String(apiPorts[i]) }, { stdio });
  await apis[i]!.ready;
  await waitForPort(apiPorts[i]!, 10_000);
}

async function startWorker(i: number): Promise<void> {
  workers[i] = spawnTs(`worker${i + 1}`, 'worker/main.ts', env, { stdio });
  await workers[i]!.ready;
}

/** Until HAProxy's health check has put both replicas back in rotation (rise 2 × 500 ms). */
async function bothInRotation(): Promise<void> {
  const ready = async (port: number) => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200;
  await eventually(async () => ((await ready(apiPorts[0]!)) && (await ready(apiPorts[1]!)) ? true : undefined), 20_000, 200);
  await new Promise((r) => setTimeout(r, 1_500));
}

beforeAll(async () => {
  servers = await startClusterServers('cluster', TASK_QUEUE);
  suffix = servers.suffix;
  apiPorts.push(await freePort(), await freePort());
  env = {
    ...servers.env,
    TRUST_PROXY: 'true',
    // Longer than the proxy needs to see a failed readiness check (inter 500 ms, fall 1).
    DRAIN_SECONDS: process.env.CLUSTER_DRAIN_SECONDS ?? '2',
  };
  // The first replica migrates and seeds; the second finds it done (an advisory lock orders them anyway).
  await startApi(0);
  await Promise.all([startApi(1), startWorker(0), startWorker(1)]);
  proxy = await startHaproxy([`127.0.0.1:${apiPorts[0]}`, `127.0.0.1:${apiPorts[1]}`], log);
  await bothInRotation();
}, 180_000);

afterAll(async () => {
  await proxy?.stop();
  await Promise.all([...apis, ...workers].map((c) => c?.stop()));
  await servers?.stop();
});

/** A short-SLA version of the incident definition: every high ticket's resolution warning escalates after six seconds. */
async function publishShortSla(admin: Session): Promise<void> {
  const versions = await admin.get('/api/definitions/incident/versions');
  const latest = versions.body.items.filter((v: { status: string }) => v.status === 'published').at(-1);
  const { version: _version, status: _status, ...body } = (await admin.get(`/api/definitions/incident/versions/${latest.version}`)).body;
  body.sla.policies.high = { calendar: '24x7', resolutionMinutes: 1, warnAtPercent: (WARNING_AFTER_MS / 60_000) * 100 };
  body.escalations = [{ name: 'resolution_warning', on: 'resolution.warning', actions: [{ type: 'addNote', text: { en: 'Resolution target is close.', fr: "L'échéance approche." } }] }];
  expect((await admin.request('PUT', '/api/definitions/incident/draft', body)).status).toBe(200);
  const published = await admin.post('/api/definitions/incident/publish');
  expect(published.status).toBe(200);
  // Each replica caches the published versions for a moment: load starts once both start tickets on the new one.
  for (const port of apiPorts) {
    const direct = await Session.login(ADMIN.email, ADMIN.password, `http://127.0.0.1:${port}`);
    await eventually(async () => {
      const items: Array<{ key: string; version: number }> = (await direct.get('/api/definitions')).body.items;
      return items.some((d) => d.key === 'incident' && d.version === published.body.version) ? true : undefined;
    }, 10_000, 200);
  }
}

interface Outcome {
  phase: string;
  what: string;
  status: number | string;
}

it('should lose, fail or repeat nothing while each worker and each API replica is restarted under load', async () => {
  const admin = await Session.login(ADMIN.email, ADMIN.password, proxy.url);
  await publishShortSla(admin);

  const outcomes: Outcome[] = [];
  const created: Array<{ id: string; title: string }> = [];
  let phase = 'steady';
  let running = true;
  const send = async (what: string, request: () => Promise<{ status: number; body: any }>) => {
    const at = phase;
    try {
      const res = await request();
      outcomes.push({ phase: at, what, status: res.status });
      return res.status < 300 ? res.body : undefined;
    } catch (err) {
      outcomes.push({ phase: at, what, status: (err as Error).message });
      return undefined;
    }
  };
  const client = async (n: number) => {
    const me = await Session.login(ADMIN.email, ADMIN.password, proxy.url);
    for (let i = 0; running; i++) {
      const title = `cluster ${suffix} ${n}-${i}`;
      const ticket = await send('create', () => me.post('/api/tickets', { type: 'incident', title, priority: 'high' }));
      if (!ticket) continue;
      created.push({ id: ticket.id, title });
      await send('comment', () => me.post(`/api/tickets/${ticket.id}/comments`, { body: `Looking at it (${i})`, visibility: 'public' }));
      await send('transition', () => me.post(`/api/tickets/${ticket.id}/transitions`, { transition: 'start' }));
    }
  };
  const load = Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));

  const settle = () => new Promise((r) => setTimeout(r, 3_000));
  // Whatever happens to a restart, the load stops: a failed step must fail this test, not leave clients looping on.
  try {
    await settle();
    for (const i of [0, 1]) {
      phase = `worker ${i + 1} restart`;
      await workers[i]!.stop();
      await startWorker(i);
      await settle();
    }
    for (const i of [0, 1]) {
      phase = `api ${i + 1} restart`;
      await apis[i]!.stop();
      await startApi(i);
      await bothInRotation();
    }
    phase = 'steady';
    await settle();
  } finally {
    running = false;
    await load;
  }

  // Every ticket the API accepted exists once in the read model, in the state the load left it in.
  const db = new pg.Client({ connectionString: servers.databaseUrl });
  await db.connect();
  try {
    const rows = await db.query<{ title: string; n: string; state: string }>(
      `select title, count(*) as n, max(state) as state from tickets where title like $1 group by title`,
      [`cluster ${suffix} %`],
    );
    const byTitle = new Map(rows.rows.map((r) => [r.title, r]));
    const lost = created.filter((c) => !byTitle.has(c.title));
    const duplicated = rows.rows.filter((r) => Number(r.n) > 1);

    // Each ticket's resolution warning fires once, restarts or not, and no other escalation fires.
    const ids = created.map((c) => c.id);
    const escalationsPerTicket = async () =>
      (await db.query<{ ticket_id: string; n: string }>(
        `select ticket_id, count(*) as n from ticket_events where type = 'escalated' and ticket_id = any($1::uuid[]) group by ticket_id`,
        [ids],
      )).rows;
    // The last tickets warn WARNING_AFTER_MS after they were created; past that (with room for a loaded worker), count.
    const escalations = await eventually(async () => {
      const rows = await escalationsPerTicket();
      return rows.length === ids.length ? rows : undefined;
    }, WARNING_AFTER_MS + 30_000, 500).catch(escalationsPerTicket);
    const fired = escalations.reduce((sum, r) => sum + Number(r.n), 0);

    const phases = [...new Set(outcomes.map((o) => o.phase))];
    const table = phases.map((p) => {
      const mine = outcomes.filter((o) => o.phase === p);
      return { phase: p, sent: mine.length, failed: mine.filter((o) => typeof o.status !== 'number' || o.status >= 300).length };
    });
    console.log(
      [
        'rolling restart on the real Temporal server (2 API replicas behind HAProxy, 2 workers):',
        ...table.map((t) => `  ${t.phase.padEnd(18)} requests ${String(t.sent).padStart(5)}  failed ${t.failed}`),
        `  tickets accepted ${created.length}, lost ${lost.length}, duplicated ${duplicated.length}`,
        `  escalations fired ${fired}, expected ${created.length}`,
      ].join('\n'),
    );

    const failures = outcomes.filter((o) => typeof o.status !== 'number' || o.status >= 300);
    expect(failures).toEqual([]);
    expect(created.length).toBeGreaterThan(20);
    expect(table.map((t) => t.phase)).toEqual(['steady', 'worker 1 restart', 'worker 2 restart', 'api 1 restart', 'api 2 restart']);
    expect(table.every((t) => t.sent > 0)).toBe(true);
    expect(lost).toEqual([]);
    expect(duplicated).toEqual([]);
    expect(rows.rows.every((r) => r.state === 'in_progress')).toBe(true);
    expect(escalations.filter((r) => Number(r.n) !== 1)).toEqual([]);
    expect(fired).toBe(created.length);
  } finally {
    await db.end();
  }
}, 300_000);
