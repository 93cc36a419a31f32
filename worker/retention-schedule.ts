// The daily retention run as a Temporal Schedule (one per task queue, so desks sharing a namespace keep their own):
// made when missing at worker start; a desk whose admins never define a policy runs it and finds nothing to do.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { retentionWorkflowId } from '../workflows/retention';

export const retentionScheduleId = (taskQueue: string) => `retention-daily-${taskQueue}`;

export async function ensureRetentionSchedule(client: Client, taskQueue: string): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: retentionScheduleId(taskQueue),
      // Night in Europe, before the working day: anonymising a long history then competes with nobody.
      spec: { calendars: [{ hour: 2, minute: 30 }] },
      action: { type: 'startWorkflow', workflowType: 'retentionWorkflow', workflowId: retentionWorkflowId(taskQueue), taskQueue, args: [{ trigger: 'schedule' }] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
}
