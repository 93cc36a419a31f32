// Reading tickets' Temporal histories for the benchmarks' stage breakdowns (lateness-stages.ts, update-stages.ts).
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** An event's time in epoch milliseconds. */
export const eventMs = (t: HistoryEvent['eventTime']): number => Number(t?.seconds ?? 0) * 1000 + Math.round((t?.nanos ?? 0) / 1e6);

/** The proto enums' values, as the package is CommonJS and offers no named import here. */
export const EVENT = {
  WORKFLOW_TASK_SCHEDULED: 5,
  WORKFLOW_TASK_STARTED: 6,
  WORKFLOW_TASK_COMPLETED: 7,
  TIMER_FIRED: 18,
  UPDATE_ACCEPTED: 41,
  UPDATE_COMPLETED: 43,
} as const;
export const TASK_QUEUE_KIND_STICKY = 2;

/** Hands each item with its ticket's history events to `read`, fetching `concurrency` histories at a time. */
export async function eachTicketHistory<T extends { ticketId: string }>(client: Client, items: readonly T[], concurrency: number, read: (item: T, events: HistoryEvent[]) => void): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        const history = await client.workflow.getHandle(`ticket-${item.ticketId}`).fetchHistory();
        read(item, history.events ?? []);
      }
    }),
  );
}
