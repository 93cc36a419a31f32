// Where an update's time went, read from its ticket's Temporal history and the client's clock: from the request to
// the workflow task that carried the update being scheduled (the API and the server taking the update), that task
// waiting for a worker (the sticky queue and the worker's free slots), the worker from the task's start to its
// completion (the workflow thread, the local activity that writes the read model, PostgreSQL), and from the
// completion to the client's answer (the server answering the update, the API reading and answering). Tells a queue
// from a busy process. The client's and the server's clocks are the same machine's here.
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { latenessStats, type Lateness } from './sla';

export interface UpdateTiming {
  ticketId: string;
  sentAt: number;
  answeredAt: number;
}

export interface UpdateStages {
  updates: number;
  /** Request sent to the update's workflow task being scheduled. */
  toServer: Lateness;
  /** That task scheduled to started: waiting for a poller and a slot. */
  queue: Lateness;
  /** Started to completed: the worker, its local activity and the database. */
  worker: Lateness;
  /** Completed to the answer read by the client. */
  answer: Lateness;
}

const ms = (t: temporal.api.history.v1.IHistoryEvent['eventTime']): number => Number(t?.seconds ?? 0) * 1000 + Math.round((t?.nanos ?? 0) / 1e6);
// The proto enums' values, as the package is CommonJS and offers no named import here.
const WORKFLOW_TASK_SCHEDULED = 5;
const WORKFLOW_TASK_STARTED = 6;
const WORKFLOW_TASK_COMPLETED = 7;
const UPDATE_ACCEPTED = 41;
const UPDATE_COMPLETED = 43;

/** The stages of each timed update (the ticket's only one after `sentAt`), fetched `concurrency` histories at a time. */
export async function updateStages(client: Client, timings: readonly UpdateTiming[], concurrency = 8): Promise<UpdateStages> {
  const toServer: number[] = [];
  const queue: number[] = [];
  const worker: number[] = [];
  const answer: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < timings.length) {
        const u = timings[next++]!;
        const events = (await client.workflow.getHandle(`ticket-${u.ticketId}`).fetchHistory()).events ?? [];
        const accepted = events.findIndex((e) => Number(e.eventType) === UPDATE_ACCEPTED && ms(e.eventTime) >= u.sentAt);
        if (accepted < 0) continue;
        // The task that accepted the update is the last one started before its acceptance (the server writes a
        // speculative task into history only once it accepted something; its completion precedes the acceptance).
        const before = events.slice(0, accepted).reverse();
        const started = before.find((e) => Number(e.eventType) === WORKFLOW_TASK_STARTED);
        const scheduled = before.find((e) => Number(e.eventType) === WORKFLOW_TASK_SCHEDULED);
        // The update answers once its events are in the read model: the task that completed it ends the worker's part.
        const done = events.findIndex((e, i) => i > accepted && Number(e.eventType) === UPDATE_COMPLETED);
        const last = done < 0 ? undefined : events.slice(0, done).reverse().find((e) => Number(e.eventType) === WORKFLOW_TASK_COMPLETED);
        if (!started || !scheduled || !last) continue;
        toServer.push(ms(scheduled.eventTime) - u.sentAt);
        queue.push(ms(started.eventTime) - ms(scheduled.eventTime));
        worker.push(ms(last.eventTime) - ms(started.eventTime));
        answer.push(u.answeredAt - ms(last.eventTime));
      }
    }),
  );
  return { updates: queue.length, toServer: latenessStats(toServer), queue: latenessStats(queue), worker: latenessStats(worker), answer: latenessStats(answer) };
}
