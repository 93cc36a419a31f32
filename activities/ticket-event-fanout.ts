// Hands each committed batch of ticket events to the listeners (report facts, live consoles, webhooks, mail), off the path of the ticket's workflow.
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { TicketEventFanout as FanoutRow } from '../platform/db/entities/index';
import type { Logger } from '../platform/logger';
import type { FanoutQueue, RecordTicketEventsInput, TicketEventListener } from './record-ticket-events';

/**
 * Hears the batches of one dispatcher round together (one per ticket, several tickets): for listeners that do the
 * same work for each ticket, one statement over all of them costs far less than one per ticket when events come in
 * bursts (a minute's SLA breaches, a mass assignment). At least once and idempotent, like TicketEventListener.
 */
export type TicketEventBatchListener = (batches: readonly RecordTicketEventsInput[]) => Promise<void>;

export interface FanoutListeners {
  /** Each hears one batch at a time, in order. */
  each?: readonly TicketEventListener[];
  /** Each hears every batch its round claimed, once the `each` listeners took them. */
  all?: readonly TicketEventBatchListener[];
}

export interface FanoutOptions {
  /** How often the queue is looked at without a kick: batches another worker left, and retries. */
  pollMs?: number;
  /** Rows claimed at once; each is a different ticket, heard concurrently. */
  claim?: number;
  /** Retry backoff after a listener failed: doubles from the first to the cap. */
  retryFirstMs?: number;
  retryMaxMs?: number;
}

interface Claimed {
  id: string;
  batch: RecordTicketEventsInput;
  attempts: number;
}

/**
 * Why an outbox rather than calling listeners inside the read-model activity: every update a user makes waited for
 * the listeners (the facts refresh alone is a grouped query over the timeline), and a failing listener held the
 * ticket's workflow in activity retries. Queued by the recording statement, a batch is never lost; heard after the
 * commit, it costs the user nothing. Each worker runs one dispatcher for its task queue: kicked in-process after its
 * own commits, and polling for the rest, so batches left by a worker that died are heard by the next.
 *
 * Ordering: a row is claimed only when no earlier row of its ticket remains (claimed rows stay until heard, under
 * `for update skip locked`), so one ticket's batches are heard in the order they were recorded even across workers.
 */
export class TicketEventFanout implements FanoutQueue {
  private readonly pollMs: number;
  private readonly claim: number;
  private readonly retryFirstMs: number;
  private readonly retryMaxMs: number;
  private wake: (() => void) | null = null;
  private kicked = false;
  private running: Promise<void> | null = null;
  private stopping = false;

  private readonly each: readonly TicketEventListener[];
  private readonly all: readonly TicketEventBatchListener[];

  constructor(
    readonly taskQueue: string,
    private readonly em: EntityManager,
    listeners: FanoutListeners,
    private readonly log: Logger,
    opts: FanoutOptions = {},
  ) {
    this.each = listeners.each ?? [];
    this.all = listeners.all ?? [];
    this.pollMs = opts.pollMs ?? 1000;
    this.claim = opts.claim ?? 50;
    this.retryFirstMs = opts.retryFirstMs ?? 500;
    this.retryMaxMs = opts.retryMaxMs ?? 60_000;
  }

  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Stops after the round in progress; what is left is heard by the next dispatcher. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      this.kicked = false;
      let heard = 0;
      try {
        heard = await this.round();
      } catch (err) {
        this.log.error({ err }, 'ticket event fan-out round failed');
      }
      // A full round may have left more; otherwise sleep until kicked or the next poll.
      if (heard > 0 || this.kicked) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /** Claims the next batches, hears them, and removes those every listener took; returns how many were heard. */
  async round(): Promise<number> {
    return this.em.fork().transactional(async (tx) => {
      // SQL: a ticket's oldest batch only, claimed with skip locked so several workers share the queue without waiting.
      const rows = await tx.execute<Claimed[]>(
        `select f.id, f.batch, f.attempts from ticket_event_fanout f
         where f.task_queue = ? and f.next_attempt_at <= now()
           and not exists (select 1 from ticket_event_fanout e where e.ticket_id = f.ticket_id and e.id < f.id)
         order by f.id limit ? for update skip locked`,
        [this.taskQueue, this.claim],
      );
      if (!rows.length) return 0;
      const outcomes: unknown[] = await Promise.all(rows.map((r) => this.hear(r.batch).then(() => null, (err: unknown) => err)));
      const heard = rows.filter((_, i) => outcomes[i] === null);
      if (heard.length) {
        try {
          for (const listener of this.all) await listener(heard.map((r) => r.batch));
        } catch (err) {
          for (const [i, o] of outcomes.entries()) if (o === null) outcomes[i] = err;
        }
      }
      const done = rows.filter((_, i) => outcomes[i] === null).map((r) => r.id);
      if (done.length) await tx.nativeDelete(FanoutRow, { id: { $in: done.map(Number) } });
      for (const [i, err] of outcomes.entries()) {
        if (err === null) continue;
        const row = rows[i];
        const delay = Math.min(this.retryFirstMs * 2 ** row.attempts, this.retryMaxMs);
        this.log.warn({ err, ticketId: row.batch.ticketId, attempts: row.attempts + 1, retryInMs: delay }, 'a ticket event listener failed; the batch will be heard again');
        // The database's clock, as the claim compares next_attempt_at with its now().
        await tx.nativeUpdate(
          FanoutRow,
          { id: Number(row.id) },
          { attempts: raw('attempts + 1'), nextAttemptAt: raw(`now() + ? * interval '1 millisecond'`, [delay]), lastError: String(err instanceof Error ? err.message : err).slice(0, 2000) },
        );
      }
      return done.length;
    });
  }

  private async hear(batch: RecordTicketEventsInput): Promise<void> {
    for (const listener of this.each) await listener(batch);
  }
}
