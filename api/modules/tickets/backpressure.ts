// Backpressure on ticket creation: when the workers are behind, new tickets are refused with 503 and Retry-After instead
// of accepted and left to fire their SLA timers late. Behind means the oldest waiting workflow task of the desk's task
// queue, or the oldest ticket this API process opened that still waits for its workflow's first write, is older than the
// bound; or the SLA warnings and breaches recorded in the last seconds ran later than theirs. Temporal's figure covers
// every kind of task but lags (under 2x overload it said 5 s by the time it passed a 1 s bound: bench/overload.ts); the
// read model's is exact at once. Only this process's own recent tickets count: another desk on the same database, or one
// ticket whose workflow never records, cannot hold creation shut for long. The timers' lateness is the desk's own
// promise: a ticket accepted now brings its warning and breach later, onto workers already late on today's, so while
// those run late new tickets wait (every replica reads the same figure from PostgreSQL). All are read at most four times
// a second, whatever the request rate. Those signals only see the past: the tickets accepted in the minute before the
// first timer fires bring their warnings and breaches all together later. So, optionally, a new ticket also reserves
// its timers' wake-ups on the desk's timer calendar (timer-calendar.ts), and is refused if one of them would fall in a
// second that already holds as many as the workers take in one.
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { ProblemError } from '../../http/problem';
import type { Reply } from '../../http/routes';
import type { OpeningAdmission, OpeningOptions } from './opening';
import { perSecond, type FullSecond, type WakeupSeconds } from './timer-calendar';

const CHECK_EVERY_MS = 250;
/** Tickets watched at most: minutes of creations at the rates one worker records (bench/ticket-creation.ts). */
const MAX_WATCHED = 20_000;
// The enums' values, as the proto package is CommonJS and offers no named import here.
const TASK_QUEUE_KIND_NORMAL = 1 as temporal.api.enums.v1.TaskQueueKind;
const TASK_QUEUE_TYPE_WORKFLOW = 1 as temporal.api.enums.v1.TaskQueueType;

/** How far behind the workers are, as last read. */
interface Lag {
  backlogMs: number;
  timerLatenessMs: number;
}

export interface BackpressureLimits {
  /** Oldest waiting ticket or workflow task; 0 turns backpressure off. */
  maxBacklogMs: number;
  /** 90th percentile of the SLA timers' lateness over the last seconds; 0 leaves timers out. */
  maxTimerLatenessMs: number;
  /** Timer wake-ups the workers take in one second, across the desk; 0 leaves the calendar out. */
  maxTimersPerSecond?: number;
}

export interface BackpressureReads {
  /** Of these tickets, those whose workflow has not yet recorded its first event. */
  unrecorded(ids: string[]): Promise<string[]>;
  /** 90th percentile of how late the SLA warnings and breaches recorded in the last `windowMs` were (0 when none). */
  timerLateness(windowMs: number): Promise<number>;
  /** The desk's timer calendar (timer-calendar.ts), when `maxTimersPerSecond` is set. */
  calendar?: {
    reserve(seconds: WakeupSeconds, cap: number): Promise<FullSecond | null>;
    release(seconds: WakeupSeconds): Promise<void>;
    prune(second: number): Promise<void>;
  };
}

/** The recent timers whose lateness counts: a few seconds, so that one late storm holds creation no longer than it lasts. */
const TIMER_WINDOW_MS = 5_000;
/** How often the calendar's seconds gone by are forgotten, by each replica. */
const PRUNE_EVERY_MS = 60_000;
const ADMITTED: OpeningAdmission = { release: async () => undefined };

export class Backpressure {
  private last: ({ at: number } & Lag) | null = null;
  /** Tickets this process opened and has not yet seen recorded, with when (insertion order is age order). */
  private readonly waiting = new Map<string, number>();
  private pending: Promise<Lag> | null = null;
  private readonly maxBacklogMs: number;
  private readonly maxTimerLatenessMs: number;
  private readonly maxTimersPerSecond: number;
  private prunedAt = 0;

  constructor(
    private readonly client: Client,
    private readonly namespace: string,
    private readonly taskQueue: string,
    limits: BackpressureLimits,
    private readonly reads: BackpressureReads,
    private readonly now: () => number = Date.now,
  ) {
    this.maxBacklogMs = limits.maxBacklogMs;
    this.maxTimerLatenessMs = limits.maxBacklogMs ? limits.maxTimerLatenessMs : 0;
    this.maxTimersPerSecond = limits.maxBacklogMs && reads.calendar ? (limits.maxTimersPerSecond ?? 0) : 0;
  }

  /**
   * Admits a new ticket, given how to find its timer wake-ups (ms instants), or throws 503: when the workers are too far behind to
   * take more tickets now, or when one of its wake-ups would fall in a full second of the desk's calendar. The answer
   * gives the reserved seconds back if the ticket is not opened after all.
   */
  async admit(wakeups: () => readonly number[]): Promise<OpeningAdmission> {
    await this.keepingUp();
    return this.reserve(wakeups);
  }

  private async reserve(instants: () => readonly number[]): Promise<OpeningAdmission> {
    const calendar = this.reads.calendar;
    if (!this.maxTimersPerSecond || !calendar) return ADMITTED;
    const wakeups = instants();
    if (!wakeups.length) return ADMITTED;
    const now = this.now();
    if (now - this.prunedAt >= PRUNE_EVERY_MS) {
      this.prunedAt = now;
      void calendar.prune(Math.floor(now / 1000) - 1).catch(() => undefined);
    }
    const seconds = perSecond(wakeups);
    let full: FullSecond | null;
    try {
      full = await calendar.reserve(seconds, this.maxTimersPerSecond);
    } catch {
      // Not knowing is no reason to refuse: creation itself reports an unreachable database.
      return ADMITTED;
    }
    if (full) {
      // A ticket opened a second later has all its timers a second later: most likely in seconds with room.
      const when = new Date(full.second * 1000).toISOString().slice(11, 19);
      throw busy(`the desk's workers already have ${full.wakeups} timer${full.wakeups === 1 ? '' : 's'} due at ${when} UTC, when one of this ticket's would fire (at most ${this.maxTimersPerSecond} a second); retry in 1 s`, 1);
    }
    return { release: () => calendar.release(seconds) };
  }

  /** A ticket this process has just opened: its first write is watched until it is recorded. */
  opened(id: string): void {
    if (!this.maxBacklogMs) return;
    this.waiting.set(id, this.now());
    // Memory stays bounded whatever happens to the workers.
    if (this.waiting.size > MAX_WATCHED) this.waiting.delete(this.waiting.keys().next().value!);
  }

  /** Throws 503 when the workers are too far behind to take more tickets now. */
  private async keepingUp(): Promise<void> {
    if (!this.maxBacklogMs) return;
    const { backlogMs, timerLatenessMs } = await this.lag();
    if (backlogMs > this.maxBacklogMs) {
      const wait = retryAfter(backlogMs - this.maxBacklogMs);
      throw busy(`the desk is behind on recording tickets (the oldest has waited ${Math.round(backlogMs / 1000)} s); retry in ${wait} s`, wait);
    }
    if (this.maxTimerLatenessMs && timerLatenessMs > this.maxTimerLatenessMs) {
      // The late timers are those of the last few seconds: by then they have been caught up or are still late.
      const wait = retryAfter(Math.max(timerLatenessMs - this.maxTimerLatenessMs, TIMER_WINDOW_MS));
      throw busy(`the desk is behind on its SLA timers (recent ones fired ${(timerLatenessMs / 1000).toFixed(1)} s late); retry in ${wait} s`, wait);
    }
  }

  private async lag(): Promise<Lag> {
    if (this.last && this.now() - this.last.at < CHECK_EVERY_MS) return this.last;
    this.pending ??= this.read().finally(() => (this.pending = null));
    return this.pending;
  }

  private async read(): Promise<Lag> {
    const [temporalMs, readModelMs, timerLatenessMs] = await Promise.all([
      this.readTemporal(),
      this.readModel().catch(() => 0),
      this.maxTimerLatenessMs ? this.reads.timerLateness(TIMER_WINDOW_MS).catch(() => 0) : 0,
    ]);
    const lag = { backlogMs: Math.max(temporalMs, readModelMs), timerLatenessMs };
    this.last = { at: this.now(), ...lag };
    return lag;
  }

  /** How long the oldest watched ticket has waited; tickets watched longer than twice the bound are let go. */
  private async readModel(): Promise<number> {
    const now = this.now();
    for (const [id, at] of this.waiting) {
      if (now - at <= 2 * this.maxBacklogMs) break;
      this.waiting.delete(id);
    }
    if (this.waiting.size === 0) return 0;
    // Only the tickets asked about can be let go: those opened while the query runs are still waiting.
    const asked = [...this.waiting.keys()];
    const still = new Set(await this.reads.unrecorded(asked));
    for (const id of asked) if (!still.has(id)) this.waiting.delete(id);
    let oldest = now;
    for (const at of this.waiting.values()) oldest = Math.min(oldest, at);
    return now - oldest;
  }

  private async readTemporal(): Promise<number> {
    try {
      const res = await this.client.workflowService.describeTaskQueue({
        namespace: this.namespace,
        taskQueue: { name: this.taskQueue, kind: TASK_QUEUE_KIND_NORMAL },
        taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
        reportStats: true,
      });
      const age = res.stats?.approximateBacklogAge;
      return age ? Number(age.seconds ?? 0) * 1000 + Math.round((age.nanos ?? 0) / 1e6) : 0;
    } catch {
      // Not knowing is no reason to refuse: creation itself reports an unreachable Temporal.
      return 0;
    }
  }
}

/** Whole seconds to wait before retrying, from how far past its bound the desk is. */
function retryAfter(pastMs: number): number {
  return Math.min(60, Math.max(1, Math.ceil(pastMs / 1000)));
}

function busy(detail: string, wait: number): ProblemError {
  return new ProblemError(503, 'busy', 'Service unavailable', detail, [], { 'Retry-After': String(wait) });
}

/**
 * Opens a ticket under backpressure: the opening admits it (`OpeningOptions['admit']`) once the request is known to be
 * valid and not a replay, and before it takes a number; the new ticket is then watched until its workflow records it.
 */
export async function openUnderBackpressure<T extends { ticket: { id: string }; replayed: boolean }>(
  backpressure: Backpressure | undefined,
  open: (admit: OpeningOptions['admit']) => Promise<T>,
): Promise<T> {
  const opened = await open(backpressure && ((wakeups) => backpressure.admit(wakeups)));
  if (!opened.replayed) backpressure?.opened(opened.ticket.id);
  return opened;
}

/**
 * The answer of a route that opens a ticket (a plain creation, a catalogue request), under backpressure: 201 with its
 * address, saying when the Idempotency-Key replayed an earlier creation.
 */
export async function openedTicketReply(
  backpressure: Backpressure | undefined,
  open: (admit: OpeningOptions['admit']) => Promise<{ ticket: { id: string }; replayed: boolean }>,
): Promise<Reply> {
  const { ticket, replayed } = await openUnderBackpressure(backpressure, open);
  return { status: 201, body: ticket, headers: { Location: `/api/tickets/${ticket.id}`, ...(replayed ? { 'Idempotent-Replayed': 'true' } : {}) } };
}
