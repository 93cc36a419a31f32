// Workflow task slots with two lanes. A ticket the worker holds in its cache gets its next task on the worker's sticky
// queue: an agent's comment or transition, an SLA timer, an approval. A ticket it does not hold (a new ticket's first
// task, or one evicted from the cache) comes from the shared queue. With one pool of slots, a burst of new tickets
// filled it, and every update waited behind hundreds of first tasks inside the worker (p99 1.2 s after a 500-ticket
// burst, bench/after-burst.ts). Each lane now has its own slots: the shared queue's stay few, so the backlog waits at
// the server where every worker can take it, and sticky tasks never queue behind it.
import type { CustomSlotSupplier, SlotPermit, SlotReleaseContext, SlotReserveContext, WorkflowSlotInfo } from '@temporalio/worker';

export interface WorkflowSlotLanes {
  /** Tasks from the shared queue in progress at once. */
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

  constructor(private readonly size: number) {}

  tryTake(): boolean {
    if (this.used >= this.size) return false;
    this.used += 1;
    return true;
  }

  take(abortSignal: AbortSignal): Promise<void> {
    if (this.tryTake()) return Promise.resolve();
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
    // A released slot passes straight to the oldest waiter, so `used` stays counted for it.
    const next = this.waiting.shift();
    if (next) next();
    else this.used -= 1;
  }
}

export function workflowSlotLanes(lanes: WorkflowSlotLanes): CustomSlotSupplier<WorkflowSlotInfo> {
  const slots: Record<Lane, LaneSlots> = { shared: new LaneSlots(lanes.shared), sticky: new LaneSlots(lanes.sticky) };
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
    markSlotUsed() {},
    releaseSlot(ctx: SlotReleaseContext<WorkflowSlotInfo>) {
      slots[(ctx.permit as LanePermit).lane].give();
    },
  };
}
