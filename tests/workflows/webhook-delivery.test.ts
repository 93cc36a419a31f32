// The webhook delivery workflow on the time-skipping test server: seq order, retries with back-off, giving up after the window, idle finish, replay.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { timeSkippingEnv, workflowBundle } from '../support/workflow-env';
import { saveHistory } from './history-store';
import { enqueueDeliverySignal, webhookDeliveryWorkflowId, WEBHOOK_DELIVERY_WORKFLOW, type WebhookDeliveryInput, type webhookDeliveryWorkflow } from '../../workflows/webhook-delivery';
import type { DeliveryRef } from '../../activities/webhook-delivery';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnv();
});
afterAll(async () => env?.teardown());

/** Stand-in activities: seqs in `failing` fail `failing[seq]` times (Infinity: always), every attempt is recorded. */
function standIns(failing: Record<number, number>) {
  const attempts: number[] = [];
  const delivered: number[] = [];
  const givenUp: Array<{ seq: number; error: string }> = [];
  return {
    attempts,
    delivered,
    givenUp,
    activities: {
      async deliverWebhook(ref: DeliveryRef) {
        attempts.push(ref.seq);
        if ((failing[ref.seq] ?? 0) > 0) {
          failing[ref.seq] -= 1;
          throw ApplicationFailure.retryable(`HTTP 503 for ${ref.seq}`, 'WebhookDeliveryFailed');
        }
        delivered.push(ref.seq);
        return { status: 204 };
      },
      async giveUpWebhook(ref: DeliveryRef & { error: string }) {
        givenUp.push({ seq: ref.seq, error: ref.error });
        return { disabled: false };
      },
    },
  };
}

const input = (over: Partial<WebhookDeliveryInput> = {}): WebhookDeliveryInput => ({
  subscriptionId: randomUUID(),
  ticketId: randomUUID(),
  retry: { initialIntervalMs: 1000, maxIntervalMs: 60_000, retryWindowSeconds: 24 * 3600 },
  idleSeconds: 60,
  ...over,
});

async function run(taskQueue: string, fake: ReturnType<typeof standIns>, body: () => Promise<void>) {
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities: fake.activities });
  await worker.runUntil(body);
}

async function signal(taskQueue: string, args: WebhookDeliveryInput, seq: number) {
  return env.client.workflow.signalWithStart<typeof webhookDeliveryWorkflow, [{ seq: number }]>(WEBHOOK_DELIVERY_WORKFLOW, {
    workflowId: webhookDeliveryWorkflowId(args.subscriptionId, args.ticketId),
    taskQueue,
    args: [args],
    signal: enqueueDeliverySignal,
    signalArgs: [{ seq }],
  });
}

it('should deliver in seq order whatever the signal order, retry a failing delivery until it passes, then finish when idle', async () => {
  const taskQueue = `wh-${randomUUID()}`;
  const fake = standIns({ 2: 3 });
  const args = input();
  // Signals that arrive before the first task (no worker yet) are all seen together: the lowest seq goes first.
  await signal(taskQueue, args, 3);
  await signal(taskQueue, args, 1);
  const handle = await signal(taskQueue, args, 2);
  await run(taskQueue, fake, async () => {
    const result = await handle.result();
    expect(result).toEqual({ delivered: 3, givenUp: 0 });
    expect(fake.delivered).toEqual([1, 2, 3]);
    expect(fake.attempts.filter((s) => s === 2)).toHaveLength(4);
    await saveHistory('webhook-delivery-retries', await handle.fetchHistory());
    // Replay of what just ran: the workflow is deterministic.
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, await handle.fetchHistory());
  });
});

it('should give a delivery up after the retry window and go on with the next one, in order', async () => {
  const taskQueue = `wh-${randomUUID()}`;
  const fake = standIns({ 1: Infinity });
  const args = input({ retry: { initialIntervalMs: 1000, maxIntervalMs: 3_600_000, retryWindowSeconds: 24 * 3600 } });
  await run(taskQueue, fake, async () => {
    await signal(taskQueue, args, 1);
    const handle = await signal(taskQueue, args, 2);
    expect(await handle.result()).toEqual({ delivered: 1, givenUp: 1 });
    expect(fake.givenUp).toEqual([{ seq: 1, error: expect.stringMatching(/HTTP 503|timeout|Activity/i) }]);
    expect(fake.delivered).toEqual([2]);
    // Exponential back-off capped at an hour: a day of retries is a few dozen attempts, not thousands.
    const tries = fake.attempts.filter((s) => s === 1).length;
    expect(tries).toBeGreaterThan(10);
    expect(tries).toBeLessThan(60);
  });
});

it('should continue as new after maxPerRun deliveries, carrying the queue', async () => {
  const taskQueue = `wh-${randomUUID()}`;
  const fake = standIns({});
  const args = input({ maxPerRun: 2 });
  await run(taskQueue, fake, async () => {
    const firstRunId = (await signal(taskQueue, args, 1)).signaledRunId;
    for (const seq of [2, 3, 4, 5]) await signal(taskQueue, args, seq);
    const workflowId = webhookDeliveryWorkflowId(args.subscriptionId, args.ticketId);
    await env.client.workflow.getHandle(workflowId).result();
    expect(fake.delivered).toEqual([1, 2, 3, 4, 5]);
    // The first run handed its queue on: it ended as continued-as-new, and the run that finished is another one.
    const first = await env.client.workflow.getHandle(workflowId, firstRunId, { followRuns: false }).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
    const last = await env.client.workflow.getHandle(workflowId).describe();
    expect(last.runId).not.toBe(firstRunId);
    expect(last.status.name).toBe('COMPLETED');
  });
});
