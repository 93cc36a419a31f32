// Where a late breach's time went, read from its ticket's Temporal history: the timer started late (due after the
// deadline, since its duration counts from when the workflow task that started it reached the server) and that task's
// length, the timer firing after it was due (the server's timer queue), the workflow task it scheduled waiting for a
// worker (the sticky queue if the ticket was cached, else the shared one), and the worker from that task's start to the
// breach being recorded. Tells a saturated server from a saturated worker.
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { latenessStats, type Lateness } from './sla';

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

const ms = (t: temporal.api.history.v1.IHistoryEvent['eventTime']): number => Number(t?.seconds ?? 0) * 1000 + Math.round((t?.nanos ?? 0) / 1e6);
// The proto enums' values, as the package is CommonJS and offers no named import here.
const TIMER_FIRED = 18;
const WORKFLOW_TASK_SCHEDULED = 5;
const WORKFLOW_TASK_STARTED = 6;
const TASK_QUEUE_KIND_STICKY = 2;

/** The stages of each given breach (ticket id, its deadline, its lateness), fetched `concurrency` histories at a time. */
export async function latenessStages(client: Client, breaches: ReadonlyArray<{ ticketId: string; deadline_ms: number; lateness_ms: number }>, concurrency = 8): Promise<LatenessStages> {
  const set: number[] = [];
  const setterTask: number[] = [];
  const timer: number[] = [];
  const queue: number[] = [];
  const sharedQueue: number[] = [];
  const worker: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < breaches.length) {
        const b = breaches[next++]!;
        const history = await client.workflow.getHandle(`ticket-${b.ticketId}`).fetchHistory();
        const events = history.events ?? [];
        // The first timer fired at or after the deadline is the one that woke the ticket for its breach.
        const fired = events.findIndex((e) => Number(e.eventType) === TIMER_FIRED && ms(e.eventTime) >= b.deadline_ms - 1);
        if (fired < 0) continue;
        const started = events.slice(fired).find((e) => Number(e.eventType) === WORKFLOW_TASK_STARTED);
        if (!started) continue;
        const firedAt = ms(events[fired]!.eventTime);
        const startedId = Number(events[fired]!.timerFiredEventAttributes?.startedEventId ?? 0);
        const timerStarted = events.find((e) => Number(e.eventId) === startedId);
        const fireTimeout = timerStarted?.timerStartedEventAttributes?.startToFireTimeout;
        if (!timerStarted || !fireTimeout) continue;
        const dueAt = ms(timerStarted.eventTime) + ms(fireTimeout);
        set.push(dueAt - b.deadline_ms);
        const setter = events.slice(0, events.indexOf(timerStarted)).reverse().find((e) => Number(e.eventType) === WORKFLOW_TASK_STARTED);
        if (setter) setterTask.push(ms(timerStarted.eventTime) - ms(setter.eventTime));
        timer.push(firedAt - dueAt);
        const startedAt = ms(started.eventTime);
        const scheduled = events.slice(fired).find((e) => Number(e.eventType) === WORKFLOW_TASK_SCHEDULED);
        const sticky = Number(scheduled?.workflowTaskScheduledEventAttributes?.taskQueue?.kind) === TASK_QUEUE_KIND_STICKY;
        (sticky ? queue : sharedQueue).push(startedAt - firedAt);
        worker.push(b.deadline_ms + b.lateness_ms - startedAt);
      }
    }),
  );
  return { tickets: timer.length, set: latenessStats(set), setterTask: latenessStats(setterTask), timer: latenessStats(timer), queue: latenessStats(queue), sharedQueue: latenessStats(sharedQueue), worker: latenessStats(worker) };
}
