// Plug-in schedule runs on the time-skipping server with the worker's own activities and a real PostgreSQL: a run
// records its report once, even when the recording is retried; a run that throws is a failed run, recorded and reported,
// not retried; a schedule no loaded plug-in has fails the same way.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Worker } from '@temporalio/worker';
import { pluginScheduleActivitiesWith } from '../../activities/plugin-schedules';
import { PluginSet, type LoadedPlugin } from '../../platform/plugins/loader';
import type { PluginRunReport } from '../../platform/plugins/v1';
import { SecretBox } from '../../platform/secret-box';
import { useTimeSkippingEnv, workflowBundle } from '../support/workflow-env';
import { saveHistory } from './history-store';

const testEnv = useTimeSkippingEnv();
let pool: pg.Pool;
const reported: string[] = [];

beforeAll(() => {
  pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
});
afterAll(async () => {
  await pool.end();
});

function setWith(name: string, run: () => Promise<PluginRunReport>): PluginSet {
  const plugin: LoadedPlugin = {
    entry: name,
    name,
    folder: null,
    manifest: { name, version: '1.0.0', apiVersion: 1, main: 'index.ts' },
    status: 'loaded',
    error: null,
    routes: [],
    listeners: [],
    panels: [],
    actions: [],
    pages: [],
    schedules: [{ key: 'sync', title: 'Sync', everyMinutes: () => 60, run }],
    backgrounds: [],
    migrations: [],
  };
  const log = { error: () => undefined, info: () => undefined, warn: () => undefined, child: () => log } as never;
  return new PluginSet([plugin], { process: 'worker', pool, box: new SecretBox(undefined), log, errors: { record: async (_p, _phase, message) => void reported.push(message) }, cwd: process.cwd() });
}

async function runOnce(set: PluginSet, plugin: string, key = 'sync') {
  const env = testEnv();
  const taskQueue = `plugin-schedule-${randomUUID()}`;
  const worker = await Worker.create({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, workflowBundle: await workflowBundle(), activities: pluginScheduleActivitiesWith(set) });
  const handle = await env.client.workflow.start('pluginScheduleWorkflow', { taskQueue, workflowId: `plugin-schedule-run-${randomUUID()}`, args: [{ plugin, key, trigger: 'schedule' }] });
  const result = await worker.runUntil(handle.result());
  const { rows } = await pool.query('select plugin, schedule, trigger, status, report, error, finished_at is not null as finished from plugin_schedule_runs where id = $1', [handle.firstExecutionRunId]);
  return { result, rows, handle };
}

it('should run the schedule once and record its report', async () => {
  const name = `sched-${randomUUID().slice(0, 8)}`;
  let runs = 0;
  const { result, rows, handle } = await runOnce(
    setWith(name, async () => {
      runs += 1;
      return { created: 3, updated: 1, skipped: 2, notes: ['row 4: no e-mail', 42 as never], extra: true } as PluginRunReport;
    }),
    name,
  );
  expect(result).toEqual({ status: 'succeeded' });
  expect(runs).toBe(1);
  // Only counts and text notes are kept, whatever the plug-in returned.
  expect(rows).toEqual([{ plugin: name, schedule: 'sync', trigger: 'schedule', status: 'succeeded', report: { created: 3, updated: 1, unchanged: 0, skipped: 2, notes: ['row 4: no e-mail'] }, error: null, finished: true }]);
  await saveHistory('plugin-schedule-run', await handle.fetchHistory());
});

it('should record a run that throws as failed, report it and not retry it', async () => {
  const name = `sched-${randomUUID().slice(0, 8)}`;
  let runs = 0;
  const { result, rows } = await runOnce(
    setWith(name, async () => {
      runs += 1;
      throw new Error('the CRM is down');
    }),
    name,
  );
  expect(result).toEqual({ status: 'failed' });
  expect(runs).toBe(1);
  expect(rows[0]).toMatchObject({ status: 'failed', report: null, error: 'the CRM is down', finished: true });
  expect(reported).toContain('schedule sync: the CRM is down');
});

it('should fail a run of a schedule no loaded plug-in has', async () => {
  const { result, rows } = await runOnce(setWith('present', async () => ({})), 'absent');
  expect(result).toEqual({ status: 'failed' });
  expect(rows[0]).toMatchObject({ plugin: 'absent', status: 'failed', error: 'no loaded plug-in absent has a schedule sync' });
});

it('should never run two runs of one schedule at once, whoever started them', async () => {
  const name = `sched-${randomUUID().slice(0, 8)}`;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const set = setWith(name, async () => {
    started();
    await held;
    return { updated: 1 };
  });
  const env = testEnv();
  const taskQueue = `plugin-schedule-${randomUUID()}`;
  const worker = await Worker.create({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, workflowBundle: await workflowBundle(), activities: pluginScheduleActivitiesWith(set) });
  await worker.runUntil(async () => {
    // The schedule's run and an admin's run now: two workflows, one lock.
    const first = await env.client.workflow.start('pluginScheduleWorkflow', { taskQueue, workflowId: `plugin-schedule-run-${randomUUID()}`, args: [{ plugin: name, key: 'sync', trigger: 'schedule' }] });
    await running;
    const second = await env.client.workflow.start('pluginScheduleWorkflow', { taskQueue, workflowId: `plugin-schedule-run-${randomUUID()}`, args: [{ plugin: name, key: 'sync', trigger: 'admin' }] });
    expect(await second.result()).toEqual({ status: 'failed' });
    release();
    expect(await first.result()).toEqual({ status: 'succeeded' });
    const { rows } = await pool.query('select trigger, status, error from plugin_schedule_runs where id = any($1) order by started_at', [[first.firstExecutionRunId, second.firstExecutionRunId]]);
    expect(rows).toEqual([
      { trigger: 'schedule', status: 'succeeded', error: null },
      { trigger: 'admin', status: 'failed', error: 'another run of this schedule is still going on' },
    ]);
  });
});

