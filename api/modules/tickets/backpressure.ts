// Backpressure on ticket creation: when the workers are behind, new tickets are refused with 503 and Retry-After instead
// of accepted and left to fire their SLA timers late. Behind means the oldest waiting workflow task of the desk's task
// queue, or the oldest ticket this API process opened that still waits for its workflow's first write, is older than the
// bound. Temporal's figure covers every kind of task but lags (under 2x overload it said 5 s by the time it passed a 1 s
// bound: bench/overload.ts); the read model's is exact at once. Only this process's own recent tickets count: another
// desk on the same database, or one ticket whose workflow never records, cannot hold creation shut for long. Both are
// read at most four times a second, whatever the request rate.
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { ProblemError } from '../../http/problem';
import type { Reply } from '../../http/routes';

const CHECK_EVERY_MS = 250;
/** Tickets watched at most: minutes of creations at the rates one worker records (bench/ticket-creation.ts). */
const MAX_WATCHED = 20_000;
// The enums' values, as the proto package is CommonJS and offers no named import here.
const TASK_QUEUE_KIND_NORMAL = 1 as temporal.api.enums.v1.TaskQueueKind;
const TASK_QUEUE_TYPE_WORKFLOW = 1 as temporal.api.enums.v1.TaskQueueType;

export class Backpressure {
  private last: { at: number; backlogMs: number } | null = null;
  /** Tickets this process opened and has not yet seen recorded, with when (insertion order is age order). */
  private readonly waiting = new Map<string, number>();
  private pending: Promise<number> | null = null;

  constructor(
    private readonly client: Client,
    private readonly namespace: string,
    private readonly taskQueue: string,
    /** 0 turns backpressure off. */
    private readonly maxBacklogMs: number,
    /** Of these tickets, those whose workflow has not yet recorded its first event. */
    private readonly unrecorded: (ids: string[]) => Promise<string[]> = async () => [],
    private readonly now: () => number = Date.now,
  ) {}

  /** A ticket this process has just opened: its first write is watched until it is recorded. */
  opened(id: string): void {
    if (!this.maxBacklogMs) return;
    this.waiting.set(id, this.now());
    // Memory stays bounded whatever happens to the workers.
    if (this.waiting.size > MAX_WATCHED) this.waiting.delete(this.waiting.keys().next().value!);
  }

  /** Throws 503 when the workers are too far behind to take more tickets now. */
  async admit(): Promise<void> {
    if (!this.maxBacklogMs) return;
    const backlogMs = await this.backlogMs();
    if (backlogMs <= this.maxBacklogMs) return;
    const wait = Math.min(60, Math.max(1, Math.ceil((backlogMs - this.maxBacklogMs) / 1000)));
    throw new ProblemError(
      503,
      'busy',
      'Service unavailable',
      `the desk is behind on recording tickets (the oldest has waited ${Math.round(backlogMs / 1000)} s); retry in ${wait} s`,
      [],
      { 'Retry-After': String(wait) },
    );
  }

  private async backlogMs(): Promise<number> {
    if (this.last && this.now() - this.last.at < CHECK_EVERY_MS) return this.last.backlogMs;
    this.pending ??= this.read().finally(() => (this.pending = null));
    return this.pending;
  }

  private async read(): Promise<number> {
    const [temporalMs, readModelMs] = await Promise.all([this.readTemporal(), this.readModel().catch(() => 0)]);
    const backlogMs = Math.max(temporalMs, readModelMs);
    this.last = { at: this.now(), backlogMs };
    return backlogMs;
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
    const still = new Set(await this.unrecorded(asked));
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

/**
 * The answer of a route that opens a ticket (a plain creation, a catalogue request): refused first when the workers are
 * behind, the new ticket then watched until its workflow records it, and 201 with its address, saying when the
 * Idempotency-Key replayed an earlier creation.
 */
export async function openedTicketReply(backpressure: Backpressure | undefined, open: () => Promise<{ ticket: { id: string }; replayed: boolean }>): Promise<Reply> {
  await backpressure?.admit();
  const { ticket, replayed } = await open();
  if (!replayed) backpressure?.opened(ticket.id);
  return { status: 201, body: ticket, headers: { Location: `/api/tickets/${ticket.id}`, ...(replayed ? { 'Idempotent-Replayed': 'true' } : {}) } };
}
