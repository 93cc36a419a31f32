// One plug-in action a ticket asked for (a definition's escalation, an automation rule): run in the worker, retried
// with backoff, and its outcome kept in this short workflow's history; the ticket's own workflow never waits on it.
import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { PluginActionActivities, PluginActionRun } from '../activities/plugin-actions';

export const PLUGIN_ACTION_WORKFLOW = 'pluginActionWorkflow';
/** One per (ticket, event): the event that asked for it is delivered at least once, the action starts once. */
export const pluginActionWorkflowId = (eventId: string): string => `plugin-action-${eventId}`;

/** Five runs over about five minutes: long enough to ride out a restart of what the plug-in calls, short enough to say so. */
const ATTEMPTS = 5;

export async function pluginActionWorkflow(input: PluginActionRun): Promise<{ ran: boolean; attempts: number; error?: string }> {
  const { runPluginAction } = proxyActivities<PluginActionActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '5 seconds', backoffCoefficient: 3, maximumInterval: '2 minutes', maximumAttempts: ATTEMPTS, nonRetryableErrorTypes: ['PluginActionUnknown'] },
  });
  const { giveUpPluginAction } = proxyActivities<PluginActionActivities>({ startToCloseTimeout: '30 seconds', retry: { maximumInterval: '1 minute' } });
  try {
    await runPluginAction(input);
    return { ran: true, attempts: 1 };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const cause = err.cause instanceof ApplicationFailure ? err.cause : undefined;
    const error = cause?.message ?? err.message;
    // Reported once, where the admin sees the plug-in's errors; the workflow itself ends well so nothing retries it.
    await giveUpPluginAction(input, error);
    return { ran: false, attempts: cause?.type === 'PluginActionUnknown' ? 1 : ATTEMPTS, error };
  }
}
