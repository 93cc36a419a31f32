// A deploy of changed workflow code under load, with worker versioning on the real Temporal server: build A runs the
// tickets; build B (whose ticket workflow takes a timer that A's histories do not have, so it cannot replay them) comes
// up beside it and is promoted; every running ticket stays on A until it continues as new onto B, then A stops. No
// request may fail, no workflow task may fail (a non-determinism error would), and nothing may be lost or repeated.
import path from 'node:path';
import pg from 'pg';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { spawnTs, type Child } from '../../platform/processes';
import { freePort, waitForPort } from '../../platform/servers/ports';
import { buildOf, promoteBuild, runsOnOlderBuilds } from '../../worker/deployment';
import { ticketWorkflowId } from '../../workflows/ticket-messages';
import { copyBuild } from '../support/build-copy';
import { childStdio as stdio, startClusterServers, type ClusterServers } from '../support/cluster';
import { ADMIN, Session, eventually } from '../support/http';
import { workflowBundle } from '../support/workflow-env';

const TASK_QUEUE = 'guichet-rollout';
const DEPLOYMENT = 'guichet-rollout';
const CLIENTS = 3;
// Build B's change: a 1 ms timer before each write of the read model, which A's histories never recorded.
const CHANGES = [
  { file: 'workflows/ticket.ts', replace: 'import {\n  condition,', with: 'import {\n  sleep,\n  condition,' },
  { file: 'workflows/ticket.ts', replace: '      const batch = pending.splice(0, pending.length);', with: '      await sleep(1);\n      const batch = pending.splice(0, pending.length);' },
];

const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } as never;

let servers: ClusterServers;
let api: Child;
let url: string;
let buildB: string;
const workers: Record<'a' | 'b', Child | undefined> = { a: undefined, b: undefined };
let connection: Connection;
let client: Client;

function startWorker(build: 'a' | 'b', root?: string): Promise<void> {
  const env = { ...servers.env, TEMPORAL_WORKER_DEPLOYMENT: DEPLOYMENT, TEMPORAL_WORKER_BUILD_ID: build, TEMPORAL_WORKER_PROMOTE: build === 'a' ? 'true' : 'false' };
  workers[build] = spawnTs(`worker-${build}`, 'worker/main.ts', env, { stdio, root });
  return workers[build]!.ready;
}

beforeAll(async () => {
  servers = await startClusterServers('rollout', TASK_QUEUE);
  buildB = copyBuild(path.join(servers.dir, 'build-b'), CHANGES);
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  api = spawnTs('api', 'api/main.ts', { ...servers.env, PORT: String(port) }, { stdio });
  await api.ready;
  await waitForPort(port, 10_000);
  // The first build promotes itself: new tickets have a current build to start on.
  await startWorker('a');
  connection = await Connection.connect({ address: servers.temporal.address });
  client = new Client({ connection, namespace: 'default' });
}, 180_000);

afterAll(async () => {
  await Promise.all([api, workers.a, workers.b].map((c) => c?.stop()));
  await connection?.close();
  await servers?.stop();
});

interface Outcome {
  phase: string;
  status: number | string;
}

it('should roll out changed workflow code under load with no failed request and no non-determinism', async () => {
  const outcomes: Outcome[] = [];
  const created: Array<{ id: string; title: string; phase: string }> = [];
  let phase = 'on A';
  let running = true;
  const send = async (request: () => Promise<{ status: number; body: any }>) => {
    const at = phase;
    try {
      const res = await request();
      outcomes.push({ phase: at, status: res.status });
      return res.status < 300 ? res.body : undefined;
    } catch (err) {
      outcomes.push({ phase: at, status: (err as Error).message });
      return undefined;
    }
  };
  const load = async (n: number) => {
    const me = await Session.login(ADMIN.email, ADMIN.password, url);
    for (let i = 0; running; i++) {
      const title = `rollout ${servers.suffix} ${n}-${i}`;
      const at = phase;
      const ticket = await send(() => me.post('/api/tickets', { type: 'incident', title, priority: 'high' }));
      if (!ticket) continue;
      created.push({ id: ticket.id, title, phase: at });
      await send(() => me.post(`/api/tickets/${ticket.id}/comments`, { body: `Looking at it (${i})`, visibility: 'public' }));
      await send(() => me.post(`/api/tickets/${ticket.id}/transitions`, { transition: 'start' }));
    }
  };
  const clients = Promise.all(Array.from({ length: CLIENTS }, (_, n) => load(n)));
  const settle = () => new Promise((r) => setTimeout(r, 3_000));

  let promotion: Awaited<ReturnType<typeof promoteBuild>>;
  // Whatever happens to a step, the load stops: a failed step must fail this test, not leave clients looping on.
  try {
    await settle();
    phase = 'B starting';
    await startWorker('b', buildB);
    phase = 'B promoted';
    promotion = await promoteBuild(client, { name: DEPLOYMENT, buildId: 'b' }, { drainMs: 60_000 });
    expect(promotion).toMatchObject({ previous: 'a', remaining: 0, promoted: true });
    expect(promotion.nudged).toBeGreaterThan(0);
    phase = 'A stopped';
    await workers.a!.stop();
    // An A worker restarted with TEMPORAL_WORKER_PROMOTE (a crash loop, a stale deploy) must not take the deployment back.
    await startWorker('a');
    const routing = (await client.workflowService.describeWorkerDeployment({ namespace: 'default', deploymentName: DEPLOYMENT })).workerDeploymentInfo?.routingConfig;
    expect(routing?.currentDeploymentVersion?.buildId).toBe('b');
    await workers.a!.stop();
    // Build B alone serves the load for a while: ten more tickets go all the way through it.
    await eventually(async () => (created.filter((c) => c.phase === 'A stopped').length >= 10 ? true : undefined), 60_000, 200);
  } finally {
    running = false;
    await clients;
  }

  // Every ticket accepted exists once, with each of its events recorded once, in the state the load left it in.
  const db = new pg.Client({ connectionString: servers.databaseUrl });
  await db.connect();
  let rows: Array<{ title: string; n: string; state: string; created: string; comments: string; starts: string }>;
  try {
    rows = (
      await db.query(
        `select t.title, count(*) over (partition by t.title) as n, t.state,
           (select count(*) from ticket_events e where e.ticket_id = t.id and e.type = 'created') as created,
           (select count(*) from ticket_events e where e.ticket_id = t.id and e.type = 'commented') as comments,
           (select count(*) from ticket_events e where e.ticket_id = t.id and e.type = 'transitioned') as starts
         from tickets t where t.title like $1`,
        [`rollout ${servers.suffix} %`],
      )
    ).rows;
  } finally {
    await db.end();
  }

  // Every run of every ticket, on A and on B: no workflow task failed, and each latest run is on B.
  let failedTasks = 0;
  const runsByBuild: Record<string, number> = {};
  let recordedOnA: { workflowId: string; runId: string } | undefined;
  for (const t of created) {
    for await (const run of client.workflow.list({ query: `WorkflowId = '${ticketWorkflowId(t.id)}'` })) {
      const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      failedTasks += (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes).length;
      const build = buildOf(run) ?? 'none';
      runsByBuild[build] = (runsByBuild[build] ?? 0) + 1;
      recordedOnA ??= build === 'a' ? { workflowId: run.workflowId, runId: run.runId } : undefined;
    }
  }
  const latestOnB = await Promise.all(
    created.map(async (t) => buildOf(await client.workflow.getHandle(ticketWorkflowId(t.id)).describe())),
  );

  const phases = [...new Set(outcomes.map((o) => o.phase))];
  const failures = outcomes.filter((o) => typeof o.status !== 'number' || o.status >= 300);
  console.log(
    [
      'worker rollout on the real Temporal server (build A -> build B with changed ticket workflow code):',
      ...phases.map((p) => `  ${p.padEnd(12)} requests ${String(outcomes.filter((o) => o.phase === p).length).padStart(5)}  failed ${failures.filter((o) => o.phase === p).length}`),
      `  tickets accepted ${created.length} (${created.filter((c) => c.phase === 'on A' || c.phase === 'B starting').length} while A was current), runs by build ${JSON.stringify(runsByBuild)}`,
      `  runs nudged onto B ${promotion.nudged}, failed workflow tasks ${failedTasks}`,
    ].join('\n'),
  );

  expect(failures).toEqual([]);
  expect(phases).toEqual(['on A', 'B starting', 'B promoted', 'A stopped']);
  expect(created.filter((c) => c.phase === 'on A').length).toBeGreaterThan(5);
  expect(rows.map((r) => r.title).sort()).toEqual(created.map((c) => c.title).sort());
  expect(rows.filter((r) => Number(r.n) !== 1 || Number(r.created) !== 1 || Number(r.comments) !== 1 || Number(r.starts) !== 1 || r.state !== 'in_progress')).toEqual([]);
  expect(failedTasks).toBe(0);
  expect(runsByBuild.a).toBeGreaterThan(0);
  expect(latestOnB.filter((b) => b !== 'b')).toEqual([]);
  expect(await runsOnOlderBuilds(client, { name: DEPLOYMENT, buildId: 'b' })).toEqual([]);

  // The change is a real one: build B's code cannot replay a run that A recorded, while A's (this tree's) can.
  const history = await client.workflow.getHandle(recordedOnA!.workflowId, recordedOnA!.runId).fetchHistory();
  await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history);
  const bundleB = await bundleWorkflowCode({ workflowsPath: path.join(buildB, 'workflows', 'index.ts'), logger: silent });
  await expect(Worker.runReplayHistory({ workflowBundle: bundleB }, history)).rejects.toMatchObject({ name: 'DeterminismViolationError' });
}, 300_000);
