// An import run: records in batches (from a CSV file or an older desk) written inside ONE transaction, which a dry run
// or any row's error rolls back whole, so the report comes before anything is written and a file with a bad row
// changes nothing. After a commit: open tickets' workflows start and the report facts of the written tickets follow.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Client } from '@temporalio/client';
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ImportKey, ImportRun, Queue } from '../../../platform/db/entities/index';
import type { Logger } from '../../../platform/logger';
import { automationRulesWith } from '../../../activities/automation-rules';
import { refreshTicketFacts } from '../../../activities/report-facts';
import type { AuthUser } from '../auth/types';
import type { AttachmentBytes } from '../attachments/bytes';
import type { DefinitionService } from '../definitions/service';
import { csvRecords, type CsvRecord } from './csv-rows';
import { writeAssets, writeOrganisations, writeUsers } from './directory-writer';
import { startImportedTickets } from './live-tickets';
import { requestTrackerBatches } from './request-tracker';
import { spool } from './spool';
import { ImportTally, type AssetRecord, type ImportKind, type OrganisationRecord, type RowError, type TicketRecord, type UserRecord } from './records';
import type { ImportReport, ImportRunSummary } from './schemas';
import { writeTickets, type TicketImportContext } from './ticket-writer';

/** Thrown inside the transaction to roll it back on purpose (a dry run, or rows in error). */
class RollBack extends Error {}

export interface ImportBatch {
  organisations?: OrganisationRecord[];
  users?: UserRecord[];
  assets?: AssetRecord[];
  tickets?: TicketRecord[];
  /** The source's own queues (an older desk): made when missing, by key. */
  queues?: { key: string; name: string }[];
  errors?: RowError[];
  /** Rows this batch stands for (a CSV batch: its records and its rows in error). */
  rows?: number;
}

const FACTS_CHUNK = 2000;

export class ImportService {
  constructor(
    private readonly em: EntityManager,
    private readonly defs: Pick<DefinitionService, 'forType'>,
    private readonly temporal: Client,
    private readonly taskQueue: string,
    private readonly bytes: AttachmentBytes,
    private readonly attachmentLimitBytes: () => Promise<number>,
    private readonly log?: Logger,
  ) {}

  /** A CSV file of one kind of record. */
  csv(user: AuthUser, kind: ImportKind, source: string, file: string, body: Readable, dryRun: boolean): Promise<ImportReport> {
    return this.run(user, kind, `csv:${source}`, dryRun, () => csvBatches(kind, body, file));
  }

  /**
   * A whole Request Tracker 5 desk over REST2; its host names the source, so a second run updates the first's. RT is
   * read whole (spooled to a temporary file) before the transaction opens.
   */
  async requestTracker(user: AuthUser, from: { url: string; token: string; query?: string; ticketType?: string }, dryRun: boolean): Promise<ImportReport> {
    const maxAttachmentBytes = await this.attachmentLimitBytes();
    const tally = new ImportTally();
    const began = Date.now();
    const read = await spool(requestTrackerBatches({ ...from, maxAttachmentBytes }, tally));
    try {
      return await this.run(user, 'request-tracker', `rt:${new URL(from.url).host}`, dryRun, () => read.batches(), tally, began);
    } finally {
      read.remove();
    }
  }

  private async run(
    user: AuthUser,
    kind: ImportReport['kind'],
    source: string,
    dryRun: boolean,
    read: (tally: ImportTally) => AsyncIterable<ImportBatch>,
    tally = new ImportTally(),
    began = Date.now(),
  ): Promise<ImportReport> {
    const runId = randomUUID();
    await this.em.fork().insert(ImportRun, { id: runId, source, kind, dryRun, startedBy: user.id });
    const written: string[] = [];
    const objectsWritten: string[] = [];
    let outcome: ImportRunSummary['outcome'] = 'failed';
    try {
      const maxAttachmentBytes = await this.attachmentLimitBytes();
      await this.em
        .fork()
        .transactional(async (tx) => {
          // Two runs of one source would each take the other's records for new ones. SQL: an advisory lock has no entity.
          await tx.execute(`select pg_advisory_xact_lock(hashtext(?))`, [`guichet-import:${source}`]);
          const ctx = await this.ticketContext(tx, source, dryRun, maxAttachmentBytes, written, objectsWritten);
          for await (const batch of read(tally)) {
            tally.rows += batch.rows ?? 0;
            batch.errors?.forEach((e) => tally.error(e));
            // After an error nothing will be kept: later batches are still read and checked, for a complete report.
            if (batch.queues?.length) await ensureQueues(tx, source, batch.queues, tally);
            await writeOrganisations(tx, source, batch.organisations ?? [], tally);
            await writeUsers(tx, source, batch.users ?? [], tally);
            await writeAssets(tx, source, batch.assets ?? [], tally);
            if (batch.tickets?.length) await writeTickets(tx, ctx, batch.tickets, tally);
          }
          if (dryRun || tally.errorCount) throw new RollBack();
        });
      outcome = 'done';
    } catch (err) {
      // Objects the rolled-back rows named are deleted by the store's sweeper, as for any deleted attachment.
      if (objectsWritten.length) {
        // SQL: one JSON parameter whatever the number of files (a run may write more than a statement takes parameters).
        await this.em.fork().execute(`insert into attachment_object_deletions (attachment_id) select value::uuid from jsonb_array_elements_text(?::jsonb) on conflict do nothing`, [JSON.stringify(objectsWritten)]);
      }
      if (!(err instanceof RollBack)) {
        await this.finish(runId, 'failed', tally.counts());
        throw err;
      }
      outcome = tally.errorCount ? 'refused' : 'done';
    }
    const committed = !dryRun && outcome === 'done';
    // What follows the commit must not turn a written import into an error: each step is repaired later if it fails.
    if (committed) {
      try {
        for (let i = 0; i < written.length; i += FACTS_CHUNK) await refreshTicketFacts(this.em, written.slice(i, i + FACTS_CHUNK));
      } catch (err) {
        // The sweep each API and worker runs at start (backfillTicketFacts) computes them then.
        this.log?.warn({ err, source }, 'imported tickets: report figures not refreshed yet');
        tally.note('the reports count these tickets after the next restart of the desk (their figures could not be computed now)');
      }
    }
    // Open tickets of this run, and any an earlier run of the source could not start.
    if (!dryRun) {
      const live = await startImportedTickets(this.em, this.temporal, this.taskQueue, source, this.log).catch((err: unknown) => {
        this.log?.warn({ err, source }, 'imported tickets: workflows not started yet');
        return { started: 0, failed: -1 };
      });
      tally.workflowsStarted = live.started;
      if (live.failed) tally.note('some open tickets are imported but their workflow could not be started yet (Temporal did not answer): the next import of this source or the next start of the API starts them');
    }
    await this.finish(runId, outcome, tally.counts());
    return {
      kind,
      source,
      dryRun,
      written: committed,
      ...tally.counts(),
      errorCount: tally.errorCount,
      errors: tally.errors,
      notes: tally.notes,
      durationMs: Date.now() - began,
    };
  }

  async runs(): Promise<ImportRunSummary[]> {
    const rows = await this.em.fork().findAll(ImportRun, { orderBy: { startedAt: 'desc' }, limit: 50 });
    return rows.map((r) => ({
      id: r.id,
      source: r.source,
      kind: r.kind,
      dryRun: r.dryRun,
      startedBy: r.startedBy ?? null,
      startedAt: r.startedAt.toISOString(),
      finishedAt: r.finishedAt?.toISOString() ?? null,
      outcome: r.outcome as ImportRunSummary['outcome'],
      counts: r.counts as Record<string, number>,
    }));
  }

  private async finish(runId: string, outcome: ImportRunSummary['outcome'], counts: object): Promise<void> {
    // now(): the database's clock, as started_at's default.
    await this.em.fork().nativeUpdate(ImportRun, runId, { finishedAt: raw('now()'), outcome, counts });
  }

  private async ticketContext(tx: EntityManager, source: string, dryRun: boolean, maxAttachmentBytes: number, written: string[], objectsWritten: string[]): Promise<TicketImportContext> {
    const definitions = new Map<string, Awaited<ReturnType<TicketImportContext['definitionFor']>>>();
    const queues = new Map<string, boolean>();
    return {
      source,
      dryRun,
      now: Date.now(),
      idleRules: await automationRulesWith(tx).currentIdleRules({ generation: 0 }),
      maxAttachmentBytes,
      bytes: this.bytes,
      written,
      objectsWritten,
      definitionFor: async (type) => {
        if (!definitions.has(type)) definitions.set(type, await this.defs.forType(type));
        return definitions.get(type);
      },
      queueExists: async (key) => {
        if (!queues.has(key)) queues.set(key, (await tx.count(Queue, { key })) > 0);
        return queues.get(key)!;
      },
      // SQL: numbers are drawn from a sequence, which has no entity.
      nextNumbers: async (count) =>
        count ? (await tx.execute<{ n: string }[]>(`select nextval('ticket_number_seq') as n from generate_series(1, ?) order by 1`, [count])).map((r) => Number(r.n)) : [],
    };
  }
}

/** Queues of an older desk, by key: made when missing, never renamed once here (an admin may have). */
async function ensureQueues(tx: EntityManager, source: string, queues: { key: string; name: string }[], tally: ImportTally): Promise<void> {
  const made = await tx
    .createQueryBuilder(Queue)
    .insert(queues.map(({ key, name }) => ({ key, name })))
    .onConflict('key')
    .ignore()
    .returning('key')
    .execute<{ key: string }[]>('all');
  if (made.length) tally.note(`queues made: ${made.map((q) => q.key).join(', ')} (give agents access to them in Admin → Groups)`);
  await tx
    .createQueryBuilder(ImportKey)
    .insert(queues.map(({ key }) => ({ source, kind: 'queue', externalId: key, localId: key, digest: '' })))
    .onConflict(['source', 'kind', 'externalId'])
    .ignore()
    .execute();
}

async function* csvBatches(kind: ImportKind, body: Readable, file: string): AsyncGenerator<ImportBatch> {
  for await (const { records, errors } of csvRecords(kind, body, file)) {
    // Line 1 names the columns: its errors are the file's, not a row's.
    const rows = records.length + new Set(errors.map((e) => e.row).filter((r) => r !== 1)).size;
    yield { [kind]: records as CsvRecord[], errors, rows } as ImportBatch;
  }
}
