// Delivers one subscription's webhooks for one ticket, one at a time in seq order, retrying each for a day before giving it up.
import { ActivityFailure, condition, defineSignal, proxyActivities, setHandler, workflowInfo, allHandlersFinished } from '@temporalio/workflow';
import { continueOnCurrentVersion } from './deployment-messages';
import type { WebhookActivities } from '../activities/webhook-delivery';

export const WEBHOOK_DELIVERY_WORKFLOW = 'webhookDeliveryWorkflow';
/** One workflow per (subscription, ticket): that is what orders deliveries per ticket while tickets deliver in parallel. */
export const webhookDeliveryWorkflowId = (subscriptionId: string, ticketId: string): string => `webhook-${subscriptionId}-${ticketId}`;

/** A delivery row (subscription, ticket, seq) is waiting; sent with signalWithStart by the event listener and by redeliveries. */
export const enqueueDeliverySignal = defineSignal<[{ seq: number }]>('enqueueDelivery');

export interface WebhookRetry {
  initialIntervalMs: number;
  maxIntervalMs: number;
  /** How long one delivery is retried before it is given up (schedule-to-close). */
  retryWindowSeconds: number;
}

export interface WebhookDeliveryInput {
  subscriptionId: string;
  ticketId: string;
  retry: WebhookRetry;
  /** Seqs carried over a continue-as-new. */
  pending?: number[];
  /** How long the workflow waits for more events before finishing (default 60 s). */
  idleSeconds?: number;
  /** Deliveries per run before continuing as new (default 200). */
  maxPerRun?: number;
  /**
   * Task queue of the delivery activities: slow receivers then fill their own worker's slots, never those that
   * record ticket events. Absent: the workflow's own queue.
   */
  activityTaskQueue?: string;
}

/**
 * The signal/finish race: the workflow finishes only when a wait for work timed out with nothing queued, in the same
 * activation. A signal that reaches the server while that completion is in flight fails the completion, so the
 * workflow wakes again with it; one arriving after completion starts a new run (the sender always signals with start).
 */
export async function webhookDeliveryWorkflow(input: WebhookDeliveryInput): Promise<{ delivered: number; givenUp: number }> {
  const { deliverWebhook } = proxyActivities<WebhookActivities>({
    ...(input.activityTaskQueue ? { taskQueue: input.activityTaskQueue } : {}),
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: `${input.retry.retryWindowSeconds} seconds`,
    retry: { initialInterval: input.retry.initialIntervalMs, backoffCoefficient: 2, maximumInterval: input.retry.maxIntervalMs },
  });
  const { giveUpWebhook } = proxyActivities<WebhookActivities>({ startToCloseTimeout: '30 seconds', retry: { maximumInterval: '1 minute' } });

  const state = { pending: new Set<number>(input.pending ?? []), current: null as number | null, again: false, delivered: 0, givenUp: 0 };
  setHandler(enqueueDeliverySignal, ({ seq }) => {
    // A redelivery of the event being sent right now must still go out once more afterwards.
    if (seq === state.current) state.again = true;
    else state.pending.add(seq);
  });

  const idle = `${input.idleSeconds ?? 60} seconds`;
  const maxPerRun = input.maxPerRun ?? 200;
  for (;;) {
    if (state.pending.size === 0 && !(await condition(() => state.pending.size > 0, idle))) {
      return { delivered: state.delivered, givenUp: state.givenUp };
    }
    if (state.delivered + state.givenUp >= maxPerRun || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return continueOnCurrentVersion<typeof webhookDeliveryWorkflow>()({ ...input, pending: [...state.pending] });
    }
    const seq = Math.min(...state.pending);
    state.pending.delete(seq);
    state.current = seq;
    const ref = { subscriptionId: input.subscriptionId, ticketId: input.ticketId, seq };
    try {
      await deliverWebhook(ref);
      state.delivered += 1;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      await giveUpWebhook({ ...ref, error: (err.cause?.message ?? err.message).slice(0, 1000) });
      state.givenUp += 1;
    }
    state.current = null;
    if (state.again) {
      state.again = false;
      state.pending.add(seq);
    }
  }
}
