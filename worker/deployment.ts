// Worker versioning: with TEMPORAL_WORKER_BUILD_ID set, the worker joins the deployment TEMPORAL_WORKER_DEPLOYMENT as
// that build, and every workflow it starts stays pinned to it. Promotion makes a build the deployment's current one
// (new tickets start on it), then nudges each long-lived run still pinned to an older build so that it continues as
// new onto the current one (workflows/deployment-messages.ts); an older build's workers can stop once it has drained.
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import { MOVING_WORKFLOW_TYPES, newWorkerVersionSignal } from '../workflows/deployment-messages';

export interface WorkerDeployment {
  name: string;
  buildId: string;
}

/** The Worker.create options for a build of the deployment, or none for an unversioned worker. */
export function deploymentOptions(d: WorkerDeployment | undefined): Pick<WorkerOptions, 'workerDeploymentOptions'> {
  if (!d) return {};
  return { workerDeploymentOptions: { version: { deploymentName: d.name, buildId: d.buildId }, useWorkerVersioning: true, defaultVersioningBehavior: 'PINNED' } };
}

const NOT_FOUND = 5;
const FAILED_PRECONDITION = 9;
const ROUTING_UPDATE_IN_PROGRESS = 1;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function describe(client: Client, deploymentName: string) {
  try {
    return await client.workflowService.describeWorkerDeployment({ namespace: client.options.namespace, deploymentName });
  } catch (err) {
    if ((err as { code?: number }).code === NOT_FOUND) return null;
    throw err;
  }
}

export interface Promotion {
  /** The build that was current before, null if none was. */
  previous: string | null;
  /** Runs nudged to move on, until none was left on an older build (or the wait ran out). */
  nudged: number;
  /** Runs of any type on an older build at the last look when the wait ran out (0: the older builds have drained). */
  remaining: number;
}

/**
 * Makes `buildId` current once its workers poll (they register it), then nudges the runs pinned to older builds until
 * none is left or `drainMs` has passed. Setting a build that is already current changes nothing, so a retried or
 * repeated promotion is harmless.
 */
export async function promoteBuild(
  client: Client,
  d: WorkerDeployment,
  opts: { waitMs?: number; drainMs?: number; identity?: string; onlyIfNoneIsCurrent?: boolean } = {},
): Promise<Promotion & { promoted: boolean }> {
  const until = Date.now() + (opts.waitMs ?? 60_000);
  let info = await describe(client, d.name);
  while (!info?.workerDeploymentInfo?.versionSummaries?.some((v) => v.deploymentVersion?.buildId === d.buildId)) {
    if (Date.now() > until) throw new Error(`build '${d.buildId}' of worker deployment '${d.name}' has no polling worker: start its workers before promoting it`);
    await sleep(250);
    info = await describe(client, d.name);
  }
  const routing = () => info!.workerDeploymentInfo?.routingConfig;
  const previous = routing()?.currentDeploymentVersion?.buildId || null;
  for (;;) {
    const current = routing()?.currentDeploymentVersion?.buildId || null;
    if (current === d.buildId) break;
    // A worker that promotes itself at start must not take the deployment back from a newer build when it restarts.
    if (opts.onlyIfNoneIsCurrent && current) return { previous: current, nudged: 0, remaining: 0, promoted: false };
    try {
      // The token makes a concurrent promotion fail this one rather than be silently overwritten.
      await client.workflowService.setWorkerDeploymentCurrentVersion({
        namespace: client.options.namespace,
        deploymentName: d.name,
        buildId: d.buildId,
        conflictToken: info!.conflictToken,
        identity: opts.identity ?? 'guichet-promote',
      });
      break;
    } catch (err) {
      // Refused while one of the build's task queues has no poller yet, or the deployment changed meanwhile: look again.
      if ((err as { code?: number }).code !== FAILED_PRECONDITION || Date.now() > until) throw err;
      await sleep(250);
      info = await describe(client, d.name);
    }
  }
  // The new routing reaches every task queue of the deployment before a nudged run could find it.
  while (routing()?.currentDeploymentVersion?.buildId !== d.buildId || info?.workerDeploymentInfo?.routingConfigUpdateState === ROUTING_UPDATE_IN_PROGRESS) {
    if (Date.now() > until) throw new Error(`worker deployment '${d.name}' did not route to build '${d.buildId}' in time`);
    await sleep(250);
    info = await describe(client, d.name);
  }
  return { previous, promoted: true, ...(await drainOlderBuilds(client, d, opts.drainMs ?? 120_000)) };
}

/** The build a run is on, from the one place visibility keeps it: the search attribute "<deployment>:<build>". */
export function buildOf(run: Pick<WorkflowExecutionInfo, 'searchAttributes'>): string | undefined {
  const version = run.searchAttributes?.TemporalWorkerDeploymentVersion?.[0];
  return typeof version === 'string' ? version.slice(version.indexOf(':') + 1) : undefined;
}

/**
 * Running workflows of the deployment on another build than `buildId`, of every type: the long-lived ones are nudged,
 * the others (a webhook delivery retrying for up to a day, a directory sync) keep the older build's workers needed until
 * they finish.
 */
export async function runsOnOlderBuilds(client: Client, d: WorkerDeployment): Promise<Array<{ workflowId: string; type: string }>> {
  const runs: Array<{ workflowId: string; type: string }> = [];
  for await (const run of client.workflow.list({ query: `TemporalWorkerDeployment = '${d.name}' AND ExecutionStatus = 'Running'` })) {
    const build = buildOf(run);
    if (build && build !== d.buildId) runs.push({ workflowId: run.workflowId, type: run.type });
  }
  return runs;
}

const MOVING = new Set<string>(MOVING_WORKFLOW_TYPES);

/**
 * Nudges the long-lived runs on older builds, again as visibility catches up with starts (each run at most once every
 * ten seconds), until no run at all is left on an older build or `drainMs` has passed.
 */
async function drainOlderBuilds(client: Client, d: WorkerDeployment, drainMs: number): Promise<Omit<Promotion, 'previous'>> {
  const until = Date.now() + drainMs;
  const nudgedAt = new Map<string, number>();
  for (;;) {
    const older = await runsOnOlderBuilds(client, d);
    if (older.length === 0) return { nudged: nudgedAt.size, remaining: 0 };
    const due = older.filter((r) => MOVING.has(r.type) && Date.now() - (nudgedAt.get(r.workflowId) ?? 0) >= 10_000);
    for (let i = 0; i < due.length; i += 16) {
      await Promise.all(
        due.slice(i, i + 16).map(async ({ workflowId }) => {
          nudgedAt.set(workflowId, Date.now());
          // A run that has just ended or moved on needs no nudge.
          await client.workflow.getHandle(workflowId).signal(newWorkerVersionSignal).catch(() => undefined);
        }),
      );
    }
    if (Date.now() >= until) return { nudged: nudgedAt.size, remaining: older.length };
    await sleep(1_000);
  }
}
