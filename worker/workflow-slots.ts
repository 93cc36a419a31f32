// Workflow task slots with two lanes. A ticket the worker holds in its cache gets its next task on the worker's sticky
// queue: an agent's comment or transition, an SLA timer, an approval. A ticket it does not hold (a new ticket's first
// task, or one evicted from the cache) comes from the shared queue. With one pool of slots, a burst of new tickets
// filled it, and every update waited behind hundreds of first tasks inside the worker (p99 1.2 s after a 500-ticket
// burst, bench/after-burst.ts). Each lane now has its own slots: the shared queue's stay few, so the backlog waits at
// the server where every worker can take it, and sticky tasks never queue behind it.
//
// Separate slots still share one CPU. While tasks of cached tickets run, the shared lane narrows to a fifth of its size,
// so agents' updates and SLA timers come before more new tickets (right after a 500-ticket burst, the updates' p50
// halved on the dev server: bench/after-burst.ts). New tickets then wait at the server, where backpressure sees their
// age; with no sticky task running, the lane is whole again and a flood is recorded at full speed.
import type { CustomSlotSupplier, SlotPermit, SlotReleaseContext, SlotReserveContext, WorkflowSlotInfo } from '@temporalio/worker';

export interface WorkflowSlotLanes {
  /** Tasks from the shared queue in progress at once (a fifth of them, at least one, while sticky tasks run). */
  shared: number;
  /** Tasks from the worker's sticky queue in progress at once. */
  sticky: number;
}

type Lane = keyof WorkflowSlotLanes;
interface LanePermit extends SlotPermit {
  lane: Lane;
}

class LaneSlots {
  private used = 0;
  private readonly waiting: Array<() => void> = [];

  /** `limit` is read at every decision: it may change between two. */
  constructor(private readonly limit: () => number) {}

  tryTake(): boolean {
    if (this.used >= this.limit()) return false;
    this.used += 1;
    return true;
  }

  take(abortSignal: AbortSignal): Promise<void> {
    if (this.waiting.length === 0 && this.tryTake()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const grant = () => {
        abortSignal.removeEventListener('abort', abandon);
        resolve();
      };
      const abandon = () => {
        const at = this.waiting.indexOf(grant);
        if (at >= 0) this.waiting.splice(at, 1);
        // The SDK expects exactly the signal's reason back (anything else is logged as a supplier error).
        reject(abortSignal.reason);
      };
      if (abortSignal.aborted) return abandon();
      abortSignal.addEventListener('abort', abandon, { once: true });
      this.waiting.push(grant);
    });
  }

  give(): void {
    this.used -= 1;
    this.grant();
  }

  /** Hands free slots to the oldest waiters, as far as the limit allows now (it may have risen). */
  grant(): void {
    while (this.waiting.length > 0 && this.used < this.limit()) {
      this.used += 1;
      this.waiting.shift()!();
    }
  }
}

export function workflowSlotLanes(lanes: WorkflowSlotLanes): CustomSlotSupplier<WorkflowSlotInfo> {
  /** Sticky tasks received and not yet finished (a reserved slot may only be polling). */
  let stickyRunning = 0;
  const sharedWhileSticky = Math.max(1, Math.floor(lanes.shared / 5));
  const slots: Record<Lane, LaneSlots> = {
    shared: new LaneSlots(() => (stickyRunning > 0 ? sharedWhileSticky : lanes.shared)),
    sticky: new LaneSlots(() => lanes.sticky),
  };
  const laneOf = (ctx: SlotReserveContext): Lane => (ctx.isSticky ? 'sticky' : 'shared');
  return {
    type: 'custom',
    async reserveSlot(ctx, abortSignal) {
      const lane = laneOf(ctx);
      await slots[lane].take(abortSignal);
      return { lane } satisfies LanePermit;
    },
    tryReserveSlot(ctx) {
      const lane = laneOf(ctx);
      return slots[lane].tryTake() ? ({ lane } satisfies LanePermit) : null;
    },
    markSlotUsed(ctx) {
      if ((ctx.permit as LanePermit).lane === 'sticky') stickyRunning += 1;
    },
    releaseSlot(ctx: SlotReleaseContext<WorkflowSlotInfo>) {
      const lane = (ctx.permit as LanePermit).lane;
      slots[lane].give();
      // A slot released with its task's info was used (a poll that timed out brings none).
      if (lane === 'sticky' && ctx.slotInfo && stickyRunning > 0 && --stickyRunning === 0) slots.shared.grant();
    },
  };
}
