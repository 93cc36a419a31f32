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
  /** Runs on an older build at the last look when the wait ran out, each nudged (0: the older builds have drained). */
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
  // A worker that promotes itself at start must not take the deployment back from a newer build when it restarts.
  if (opts.onlyIfNoneIsCurrent && previous && previous !== d.buildId) return { previous, nudged: 0, remaining: 0, promoted: false };
  if (previous !== d.buildId) {
    await client.workflowService.setWorkerDeploymentCurrentVersion({
      namespace: client.options.namespace,
      deploymentName: d.name,
      buildId: d.buildId,
      identity: opts.identity ?? 'guichet-promote',
    });
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

/** Running long-lived workflows of the deployment that are on another build than `buildId`. */
export async function runsOnOlderBuilds(client: Client, d: WorkerDeployment): Promise<string[]> {
  const types = MOVING_WORKFLOW_TYPES.map((t) => `'${t}'`).join(', ');
  const ids: string[] = [];
  for await (const run of client.workflow.list({ query: `TemporalWorkerDeployment = '${d.name}' AND ExecutionStatus = 'Running' AND WorkflowType IN (${types})` })) {
    const build = buildOf(run);
    if (build && build !== d.buildId) ids.push(run.workflowId);
  }
  return ids;
}

/** Nudges, again and again (visibility lags a little behind starts), until no run is left on an older build. */
async function drainOlderBuilds(client: Client, d: WorkerDeployment, drainMs: number): Promise<Omit<Promotion, 'previous'>> {
  const until = Date.now() + drainMs;
  const nudgedIds = new Set<string>();
  for (;;) {
    const older = await runsOnOlderBuilds(client, d);
    if (older.length === 0) return { nudged: nudgedIds.size, remaining: 0 };
    for (let i = 0; i < older.length; i += 16) {
      await Promise.all(
        older.slice(i, i + 16).map(async (id) => {
          nudgedIds.add(id);
          // A run that has just ended or moved on needs no nudge.
          await client.workflow.getHandle(id).signal(newWorkerVersionSignal).catch(() => undefined);
        }),
      );
    }
    if (Date.now() >= until) return { nudged: nudgedIds.size, remaining: older.length };
    await sleep(1_000);
  }
}
