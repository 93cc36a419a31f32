// A directory sync, durably: the directory's Temporal Schedule (or an admin's "sync now") starts this workflow, which
// runs the sync in one activity. The activity records its own report; a directory that fails is a failed report, not a
// retry, and the next scheduled run tries again. Only unexpected failures (the database away) are retried.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index';

export interface DirectorySyncInput {
  directoryId: string;
  trigger: 'schedule' | 'manual';
}

/** One workflow id per directory: a second start while one runs is refused, so syncs of a directory never overlap. */
export const directorySyncWorkflowId = (directoryId: string) => `ldap-sync-${directoryId}`;
export const directoryScheduleId = (directoryId: string) => `ldap-sync-schedule-${directoryId}`;

const { syncDirectory } = proxyActivities<Activities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '5 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '5 minutes', maximumAttempts: 5 },
});

export async function directorySyncWorkflow(input: DirectorySyncInput) {
  return syncDirectory(input);
}
