// Where a late breach's time went, read from its ticket's Temporal history: the timer started late (due after the
// deadline, since its duration counts from when the workflow task that started it reached the server) and that task's
// length, the timer firing after it was due (the server's timer queue), the workflow task it scheduled waiting for a
// worker (the sticky queue if the ticket was cached, else the shared one), and the worker from that task's start to the
// breach being recorded. Tells a saturated server from a saturated worker.
import type { Client } from '@temporalio/client';
import { latenessStats, type Lateness } from './sla';
import { EVENT, eachTicketHistory, eventMs, TASK_QUEUE_KIND_STICKY } from './ticket-histories';

export interface LatenessStages {
  tickets: number;
  /** Deadline to when the timer was due (its TimerStarted time plus its duration): the timer was started late. */
  set: Lateness;
  /** The workflow task that started the timer, from its start to the timer's TimerStarted (when its completion reached the server). */
  setterTask: Lateness;
  /** When the timer was due to its TimerFired: the server's timer queue. */
  timer: Lateness;
  /** TimerFired to the next WorkflowTaskStarted, for a ticket in a worker's cache (its sticky queue)... */
  queue: Lateness;
  /** ...and for one evicted from every cache, whose task waits in the shared queue with new tickets' first tasks. */
  sharedQueue: Lateness;
  /** That WorkflowTaskStarted to the recorded breach (workflow time is the task's start, so this is ~0 unless the breach waits on a later task). */
  worker: Lateness;
}

/** The stages of each given breach (ticket id, its deadline, its lateness), fetched `concurrency` histories at a time. */
export async function latenessStages(client: Client, breaches: ReadonlyArray<{ ticketId: string; deadline_ms: number; lateness_ms: number }>, concurrency = 8): Promise<LatenessStages> {
  const set: number[] = [];
  const setterTask: number[] = [];
  const timer: number[] = [];
  const queue: number[] = [];
  const sharedQueue: number[] = [];
  const worker: number[] = [];
  await eachTicketHistory(client, breaches, concurrency, (b, events) => {
    // The first timer fired at or after the deadline is the one that woke the ticket for its breach.
    const fired = events.findIndex((e) => Number(e.eventType) === EVENT.TIMER_FIRED && eventMs(e.eventTime) >= b.deadline_ms - 1);
    if (fired < 0) return;
    const started = events.slice(fired).find((e) => Number(e.eventType) === EVENT.WORKFLOW_TASK_STARTED);
    if (!started) return;
    const firedAt = eventMs(events[fired]!.eventTime);
    const startedId = Number(events[fired]!.timerFiredEventAttributes?.startedEventId ?? 0);
    const timerStarted = events.find((e) => Number(e.eventId) === startedId);
    const fireTimeout = timerStarted?.timerStartedEventAttributes?.startToFireTimeout;
    if (!timerStarted || !fireTimeout) return;
    const dueAt = eventMs(timerStarted.eventTime) + eventMs(fireTimeout);
    set.push(dueAt - b.deadline_ms);
    const setter = events.slice(0, events.indexOf(timerStarted)).reverse().find((e) => Number(e.eventType) === EVENT.WORKFLOW_TASK_STARTED);
    if (setter) setterTask.push(eventMs(timerStarted.eventTime) - eventMs(setter.eventTime));
    timer.push(firedAt - dueAt);
    const startedAt = eventMs(started.eventTime);
    const scheduled = events.slice(fired).find((e) => Number(e.eventType) === EVENT.WORKFLOW_TASK_SCHEDULED);
    const sticky = Number(scheduled?.workflowTaskScheduledEventAttributes?.taskQueue?.kind) === TASK_QUEUE_KIND_STICKY;
    (sticky ? queue : sharedQueue).push(startedAt - firedAt);
    worker.push(b.deadline_ms + b.lateness_ms - startedAt);
  });
  return { tickets: timer.length, set: latenessStats(set), setterTask: latenessStats(setterTask), timer: latenessStats(timer), queue: latenessStats(queue), sharedQueue: latenessStats(sharedQueue), worker: latenessStats(worker) };
}
