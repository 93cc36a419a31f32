// One run of a plug-in's schedule: its Temporal Schedule (or an admin's "run now") starts this workflow, which runs the
// plug-in's code in one activity. A run that throws is a failed run, recorded, not retried: the next interval tries
// again. Only the desk's own faults around it (the database away while recording) are retried.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { PluginScheduleActivities, PluginScheduleRun } from '../activities/plugin-schedules';

export const PLUGIN_SCHEDULE_WORKFLOW = 'pluginScheduleWorkflow';
/**
 * One workflow id per schedule and desk (its task queue: desks may share a Temporal namespace): a second start while a
 * run goes on is refused, so runs never overlap.
 */
export const pluginScheduleWorkflowId = (taskQueue: string, plugin: string, key: string): string => `plugin-schedule-run-${taskQueue}-${plugin}-${key}`;
export const pluginScheduleId = (taskQueue: string, plugin: string, key: string): string => `plugin-schedule-${taskQueue}-${plugin}-${key}`;

const { runPluginSchedule } = proxyActivities<PluginScheduleActivities>({
  // The plug-in's own limit is 15 minutes (enforced in the activity); this leaves room to record the outcome.
  startToCloseTimeout: '16 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '2 minutes', maximumAttempts: 5 },
});

export async function pluginScheduleWorkflow(input: Omit<PluginScheduleRun, 'runId'>): Promise<{ status: 'succeeded' | 'failed' }> {
  return runPluginSchedule({ ...input, runId: workflowInfo().runId });
}
