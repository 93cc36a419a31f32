// Where an update's time went, read from its ticket's Temporal history and the client's clock: from the request to
// the workflow task that carried the update being scheduled (the API and the server taking the update), that task
// waiting for a worker (the sticky queue and the worker's free slots), the worker from the task's start to its
// completion (the workflow thread, the local activity that writes the read model, PostgreSQL), and from the
// completion to the client's answer (the server answering the update, the API reading and answering). Tells a queue
// from a busy process. The client's and the server's clocks are the same machine's here.
import type { Client } from '@temporalio/client';
import { latenessStats, type Lateness } from './sla';
import { EVENT, eachTicketHistory, eventMs } from './ticket-histories';

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

/** The stages of each timed update (the ticket's only one after `sentAt`), fetched `concurrency` histories at a time. */
export async function updateStages(client: Client, timings: readonly UpdateTiming[], concurrency = 8): Promise<UpdateStages> {
  const toServer: number[] = [];
  const queue: number[] = [];
  const worker: number[] = [];
  const answer: number[] = [];
  await eachTicketHistory(client, timings, concurrency, (u, events) => {
    const accepted = events.findIndex((e) => Number(e.eventType) === EVENT.UPDATE_ACCEPTED && eventMs(e.eventTime) >= u.sentAt);
    if (accepted < 0) return;
    // The task that accepted the update is the last one started before its acceptance (the server writes a
    // speculative task into history only once it accepted something; its completion precedes the acceptance).
    const before = events.slice(0, accepted).reverse();
    const started = before.find((e) => Number(e.eventType) === EVENT.WORKFLOW_TASK_STARTED);
    const scheduled = before.find((e) => Number(e.eventType) === EVENT.WORKFLOW_TASK_SCHEDULED);
    // The update answers once its events are in the read model: the task that completed it ends the worker's part.
    const done = events.findIndex((e, i) => i > accepted && Number(e.eventType) === EVENT.UPDATE_COMPLETED);
    const last = done < 0 ? undefined : events.slice(0, done).reverse().find((e) => Number(e.eventType) === EVENT.WORKFLOW_TASK_COMPLETED);
    if (!started || !scheduled || !last) return;
    toServer.push(eventMs(scheduled.eventTime) - u.sentAt);
    queue.push(eventMs(started.eventTime) - eventMs(scheduled.eventTime));
    worker.push(eventMs(last.eventTime) - eventMs(started.eventTime));
    answer.push(u.answeredAt - eventMs(last.eventTime));
  });
  return { updates: queue.length, toServer: latenessStats(toServer), queue: latenessStats(queue), worker: latenessStats(worker), answer: latenessStats(answer) };
}
