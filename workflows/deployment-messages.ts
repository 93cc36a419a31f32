// Worker deployments (Temporal worker versioning): every run stays on the worker version it started on, so a deploy
// never replays a running ticket on changed code. A long-lived run moves to the current version only by continuing as
// new, from its carried state; the deploy hastens that by nudging each run still pinned to an older version.
import { defineSignal, makeContinueAsNewFunc, workflowInfo, type Workflow } from '@temporalio/workflow';

/** Wakes a run so that it notices a newer current version and continues as new onto it. Carries nothing. */
export const newWorkerVersionSignal = defineSignal('guichet.newWorkerVersion');

/** Workflow types that live for weeks and must move; the others finish where they started. */
export const MOVING_WORKFLOW_TYPES = ['ticketWorkflow', 'maintenancePlanWorkflow'] as const;

/** True once the deployment's current version is not the one this run is pinned to (false on unversioned workers). */
export function newerVersionIsCurrent(): boolean {
  return workflowInfo().targetWorkerDeploymentVersionChanged === true;
}

/** Continue-as-new whose next run starts on the deployment's current version, not on this run's. */
export function continueOnCurrentVersion<F extends Workflow>(): (...args: Parameters<F>) => Promise<never> {
  return makeContinueAsNewFunc<F>({ initialVersioningBehavior: 'AUTO_UPGRADE' });
}
