// Retention, durably: the daily schedule (or an admin's "run now") starts this workflow, which runs the policies in an
// activity that retries until it is done. Anonymising is idempotent, so a retry only finishes what was left.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index';

export interface RetentionInput {
  trigger: 'schedule' | 'manual';
  /** Only these policies (a manual run); all enabled ones when absent. */
  policyIds?: string[];
}
export type RetentionResult = Array<{ policyId: string; anonymised: number }>;

export const retentionWorkflowId = (taskQueue: string) => `retention-${taskQueue}`;

const { applyRetentionPolicies } = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes' },
});

export async function retentionWorkflow(input: RetentionInput): Promise<RetentionResult> {
  return applyRetentionPolicies(input);
}
