// The worker's two lanes of workflow task slots: tasks from the shared queue (new tickets, evicted ones) and from the
// worker's sticky queue (cached tickets' updates and timers) never take each other's slots, a freed slot goes to the
// oldest waiter of its lane, the shared lane narrows while sticky tasks run, and a reservation the SDK gives up frees
// nothing it never had. Then a real worker on one slot per lane runs concurrent tickets and their updates to the end:
// a permit lost on its way through the SDK would leak its slot and stall the worker.
import { randomUUID } from 'node:crypto';
import type { CustomSlotSupplier, SlotReserveContext, WorkflowSlotInfo } from '@temporalio/worker';
import { workflowSlotLanes } from '../../worker/workflow-slots';
import { commentUpdate, transitionUpdate, type Actor } from '../../workflows/ticket-messages';
import { createWorker, incidentInput, RecordedEvents, startTicket, useTimeSkippingEnv } from '../support/workflow-env';

const reserve = (isSticky: boolean): SlotReserveContext => ({ slotType: 'workflow', taskQueue: 'q', workerIdentity: 'w', workerBuildId: '', isSticky });
const settled = async <T>(p: Promise<T>): Promise<boolean> => {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('workflow task slot lanes', () => {
  it('should keep the shared and sticky lanes apart and hand a freed slot to the oldest waiter of its lane', async () => {
    const lanes = workflowSlotLanes({ shared: 1, sticky: 2 });
    const never = new AbortController().signal;
    const first = await lanes.reserveSlot(reserve(false), never);
    expect(lanes.tryReserveSlot(reserve(false))).toBeNull();
    const second = lanes.reserveSlot(reserve(false), never);
    const third = lanes.reserveSlot(reserve(false), never);
    expect(await settled(second)).toBe(false);

    // The shared lane is full, the sticky one is not.
    const stickyA = lanes.tryReserveSlot(reserve(true));
    const stickyB = await lanes.reserveSlot(reserve(true), never);
    expect(stickyA).not.toBeNull();
    expect(lanes.tryReserveSlot(reserve(true))).toBeNull();

    // A sticky slot freed does not open the shared lane.
    lanes.releaseSlot({ permit: stickyB });
    expect(await settled(second)).toBe(false);
    expect(lanes.tryReserveSlot(reserve(true))).not.toBeNull();

    lanes.releaseSlot({ permit: first });
    expect(await settled(second)).toBe(true);
    expect(await settled(third)).toBe(false);
    lanes.releaseSlot({ permit: await second });
    expect(await settled(third)).toBe(true);
    lanes.releaseSlot({ permit: await third });
    expect(lanes.tryReserveSlot(reserve(false))).not.toBeNull();
  });

  it('should narrow the shared lane to a fifth while sticky tasks run, and widen it again when the last one ends', async () => {
    const lanes = workflowSlotLanes({ shared: 10, sticky: 4 });
    const never = new AbortController().signal;
    const running = { type: 'workflow', workflowType: 'ticketWorkflow', isSticky: true } as const;
    // A sticky slot that only polls (no task yet) narrows nothing.
    const polling = await lanes.reserveSlot(reserve(true), never);
    const shared = [];
    for (let i = 0; i < 3; i++) shared.push(lanes.tryReserveSlot(reserve(false)));
    expect(shared.every((p) => p !== null)).toBe(true);

    // A timer fires for a cached ticket: its task runs, and the shared lane (3 taken) takes no more.
    const timer = await lanes.reserveSlot(reserve(true), never);
    lanes.markSlotUsed({ slotInfo: running, permit: timer });
    expect(lanes.tryReserveSlot(reserve(false))).toBeNull();
    const next = lanes.reserveSlot(reserve(false), never);
    // Shared tasks ending free nothing until the lane is under two.
    lanes.releaseSlot({ permit: shared.pop()!, slotInfo: { ...running, isSticky: false } });
    expect(await settled(next)).toBe(false);
    lanes.releaseSlot({ permit: shared.pop()!, slotInfo: { ...running, isSticky: false } });
    expect(await settled(next)).toBe(true);
    expect(lanes.tryReserveSlot(reserve(false))).toBeNull();

    // The poll that ended empty changes nothing; the timer's task ending opens the whole lane again.
    lanes.releaseSlot({ permit: polling });
    expect(lanes.tryReserveSlot(reserve(false))).toBeNull();
    lanes.releaseSlot({ permit: timer, slotInfo: running });
    for (let i = 0; i < 8; i++) expect(lanes.tryReserveSlot(reserve(false))).not.toBeNull();
    expect(lanes.tryReserveSlot(reserve(false))).toBeNull();
  });

  it('should reject an abandoned reservation with the signal reason and keep the slot count right', async () => {
    const lanes = workflowSlotLanes({ shared: 1, sticky: 1 });
    const held = await lanes.reserveSlot(reserve(false), new AbortController().signal);
    const giveUp = new AbortController();
    const waiting = lanes.reserveSlot(reserve(false), giveUp.signal);
    const reason = new Error('poller stopped');
    giveUp.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    const aborted = new AbortController();
    aborted.abort(reason);
    await expect(lanes.reserveSlot(reserve(false), aborted.signal)).rejects.toBe(reason);

    // The abandoned waiters took nothing: the held slot, once freed, is free.
    lanes.releaseSlot({ permit: held });
    expect(lanes.tryReserveSlot(reserve(false))).not.toBeNull();
    expect(lanes.tryReserveSlot(reserve(false))).toBeNull();
  });
});

describe('a worker on one slot per lane', () => {
  const testEnv = useTimeSkippingEnv();
  const AGENT: Actor = { id: randomUUID(), role: 'agent' };
  const CUSTOMER: Actor = { id: randomUUID(), role: 'customer' };

  it('should run concurrent tickets and their updates to the end, sticky tasks in their own lane', async () => {
    const env = testEnv();
    const inner = workflowSlotLanes({ shared: 1, sticky: 1 });
    const inUse = { shared: 0, sticky: 0, maxShared: 0, maxSticky: 0, stickyTasks: 0 };
    const lanes: CustomSlotSupplier<WorkflowSlotInfo> = {
      ...inner,
      async reserveSlot(ctx, signal) {
        const permit = await inner.reserveSlot(ctx, signal);
        if (ctx.isSticky) inUse.maxSticky = Math.max(inUse.maxSticky, ++inUse.sticky);
        else inUse.maxShared = Math.max(inUse.maxShared, ++inUse.shared);
        return permit;
      },
      tryReserveSlot: () => null,
      markSlotUsed(ctx) {
        if (ctx.slotInfo.isSticky) inUse.stickyTasks++;
      },
      releaseSlot(ctx) {
        if ((ctx.permit as { lane: string }).lane === 'sticky') inUse.sticky--;
        else inUse.shared--;
        inner.releaseSlot(ctx);
      },
    };
    const worker = await createWorker(env, 'slot-lanes', new RecordedEvents(), {
      tuner: {
        workflowTaskSlotSupplier: lanes,
        activityTaskSlotSupplier: { type: 'fixed-size', numSlots: 4 },
        localActivityTaskSlotSupplier: { type: 'fixed-size', numSlots: 4 },
        nexusTaskSlotSupplier: { type: 'fixed-size', numSlots: 1 },
      },
    });
    await worker.runUntil(async () => {
      const createdAt = await env.currentTimeMs();
      const tickets = await Promise.all(Array.from({ length: 6 }, (_, i) => startTicket(env, 'slot-lanes', incidentInput({ createdAt, requester: CUSTOMER, title: `Lane ${i}` }))));
      const ends = await Promise.all(
        tickets.map(async (h, i) => {
          await h.executeUpdate(commentUpdate, { args: [{ body: `Looking ${i}`, visibility: 'public', actor: AGENT }] });
          return h.executeUpdate(transitionUpdate, { args: [{ transition: 'start', actor: AGENT }] });
        }),
      );
      expect(ends.map((p) => p.state)).toEqual(Array(6).fill('in_progress'));
    });
    expect(inUse.maxShared).toBe(1);
    expect(inUse.maxSticky).toBe(1);
    expect(inUse.stickyTasks).toBeGreaterThan(0);
  });
});
