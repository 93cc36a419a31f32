// Wakes (or starts) the delivery workflow of one (subscription, ticket) with a seq to send; used by the worker's listener and by redeliveries.
import type { Client } from '@temporalio/client';
import { enqueueDeliverySignal, webhookDeliveryWorkflowId, WEBHOOK_DELIVERY_WORKFLOW, type WebhookRetry, type webhookDeliveryWorkflow } from '../workflows/webhook-delivery';

export interface DeliveryTarget {
  subscriptionId: string;
  ticketId: string;
  seq: number;
}

/** Where delivery activities run: a queue of their own beside the desk's, served by the same worker processes. */
export const webhookActivityQueue = (taskQueue: string) => `${taskQueue}-webhooks`;

export function deliveryEnqueuer(client: Client, taskQueue: string, retry: WebhookRetry) {
  return async (ref: DeliveryTarget): Promise<void> => {
    await client.workflow.signalWithStart<typeof webhookDeliveryWorkflow, [{ seq: number }]>(WEBHOOK_DELIVERY_WORKFLOW, {
      workflowId: webhookDeliveryWorkflowId(ref.subscriptionId, ref.ticketId),
      taskQueue,
      args: [{ subscriptionId: ref.subscriptionId, ticketId: ref.ticketId, retry, activityTaskQueue: webhookActivityQueue(taskQueue) }],
      signal: enqueueDeliverySignal,
      signalArgs: [{ seq: ref.seq }],
    });
  };
}

export const retryOf = (c: { initialIntervalMs: number; maxIntervalMs: number; retryWindowSeconds: number }): WebhookRetry => ({
  initialIntervalMs: c.initialIntervalMs,
  maxIntervalMs: c.maxIntervalMs,
  retryWindowSeconds: c.retryWindowSeconds,
});
