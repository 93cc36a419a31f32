// The set-based writes of an import batch: every ticket row, and the whole timeline, each in one statement over a JSON
// array of rows (bench/csv-import.ts measures them); the files one by one, their bytes streamed.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Attachment, TicketEvent } from '../../../platform/db/entities/index';
import { PRIORITY_ORDER } from '../../../workflow-definitions/index';
import type { TicketProjection, TicketWorkflowInput } from '../../../workflows/ticket-messages';
import type { TicketRecord } from './records';
import type { TicketImportContext } from './ticket-writer';

/** A ticket of the batch as it will be written: its row, its timeline, its files, and its workflow input when it stays open. */
export interface Built {
  row: TicketProjection;
  events: { seq: number; type: string; actor_id: string | null; actor_role: string; visibility: string; at: string; data: object }[];
  files: { id: string; seq: number; author: string; at: string; visibility: string; file: TicketRecord['comments'][number]['attachments'][number] }[];
  live: TicketWorkflowInput | null;
}

const ROW_COLUMNS = `id uuid, number text, type text, title text, description text, priority text, priority_order smallint, state text, state_category text, queue text,
  assignee_id uuid, requester_id uuid, organisation_id uuid, definition_key text, definition_version integer, fields jsonb, tags jsonb, sla jsonb, sla_status text,
  sla_due_at timestamptz, last_seq integer, created_at timestamptz, updated_at timestamptz, resolved_at timestamptz, closed_at timestamptz`;

const rowJson = (r: TicketProjection) => ({
  id: r.id,
  number: r.number,
  type: r.type,
  title: r.title,
  description: r.description,
  priority: r.priority,
  priority_order: PRIORITY_ORDER[r.priority],
  state: r.state,
  state_category: r.stateCategory,
  queue: r.queue,
  assignee_id: r.assigneeId,
  requester_id: r.requesterId,
  organisation_id: r.organisationId,
  definition_key: r.definitionKey,
  definition_version: r.definitionVersion,
  fields: r.fields,
  tags: r.tags,
  sla: r.sla,
  sla_status: r.slaStatus,
  sla_due_at: r.slaDueAt,
  last_seq: r.lastSeq,
  created_at: r.createdAt,
  updated_at: r.updatedAt,
  resolved_at: r.resolvedAt,
  closed_at: r.closedAt,
});

// SQL: each batch's tickets are written by one set-based statement (a JSON array of rows), measured by bench/csv-import.ts.
export async function insertRows(tx: EntityManager, built: Built[]): Promise<void> {
  await tx.execute(
    `insert into tickets (id, number, type, title, description, priority, priority_order, state, state_category, queue, assignee_id, requester_id, organisation_id,
       definition_key, definition_version, fields, tags, sla, sla_status, sla_due_at, last_seq, created_at, updated_at, resolved_at, closed_at, channel)
     select x.id, x.number, x.type, x.title, x.description, x.priority, x.priority_order, x.state, x.state_category, x.queue, x.assignee_id, x.requester_id, x.organisation_id,
       x.definition_key, x.definition_version, x.fields, array(select jsonb_array_elements_text(x.tags)), x.sla, x.sla_status, x.sla_due_at, x.last_seq, x.created_at, x.updated_at,
       x.resolved_at, x.closed_at, 'other'
     from jsonb_to_recordset(?::jsonb) as x(${ROW_COLUMNS})`,
    [JSON.stringify(built.map((b) => rowJson(b.row)))],
  );
}

// SQL: the batch's rewritten tickets, each with its own values, in one statement (the ORM updates one row per statement).
export async function updateRows(tx: EntityManager, built: Built[]): Promise<void> {
  const ids = built.map((b) => b.row.id);
  // The files and timeline of a rewritten ticket were all imported (nobody touched it since): they are replaced whole.
  await tx.nativeDelete(Attachment, { ticketId: { $in: ids } });
  await tx.nativeDelete(TicketEvent, { ticketId: { $in: ids } });
  await tx.execute(
    `update tickets t set type = x.type, title = x.title, description = x.description, priority = x.priority, priority_order = x.priority_order, state = x.state,
       state_category = x.state_category, queue = x.queue, assignee_id = x.assignee_id, requester_id = x.requester_id, organisation_id = x.organisation_id,
       definition_key = x.definition_key, definition_version = x.definition_version, fields = x.fields, tags = array(select jsonb_array_elements_text(x.tags)),
       sla = x.sla, sla_status = x.sla_status, sla_due_at = x.sla_due_at, last_seq = x.last_seq, created_at = x.created_at, updated_at = x.updated_at,
       resolved_at = x.resolved_at, closed_at = x.closed_at
     from jsonb_to_recordset(?::jsonb) as x(${ROW_COLUMNS}) where t.id = x.id`,
    [JSON.stringify(built.map((b) => rowJson(b.row)))],
  );
}

export async function insertTimelines(tx: EntityManager, built: Built[], ctx: Pick<TicketImportContext, 'bytes' | 'dryRun' | 'objectsWritten'>): Promise<void> {
  const events = built.flatMap((b) => b.events.map((e) => ({ ticket_id: b.row.id, ...e })));
  // SQL: the batch's whole timeline in one set-based statement (a JSON array of rows), measured by bench/csv-import.ts.
  await tx.execute(
    `insert into ticket_events (ticket_id, seq, type, actor_id, actor_role, visibility, at, data)
     select x.ticket_id, x.seq, x.type, x.actor_id, x.actor_role, x.visibility, x.at, x.data
     from jsonb_to_recordset(?::jsonb) as x(ticket_id uuid, seq integer, type text, actor_id uuid, actor_role text, visibility text, at timestamptz, data jsonb)`,
    [JSON.stringify(events)],
  );
  for (const b of built) {
    for (const f of b.files) {
      const sha256 = createHash('sha256').update(f.file.bytes).digest('hex');
      await tx.insert(Attachment, {
        id: f.id,
        ticketId: b.row.id,
        filename: f.file.filename,
        contentType: f.file.contentType,
        size: f.file.bytes.length,
        sha256,
        visibility: f.visibility,
        uploadedBy: f.author,
        createdAt: new Date(f.at),
        store: ctx.bytes.storeForNew,
      });
      // A dry run writes no bytes: nothing would keep them (an object store is outside the transaction).
      if (ctx.dryRun) continue;
      if (ctx.bytes.storeForNew === 's3') ctx.objectsWritten.push(f.id);
      await ctx.bytes.write(tx, f.id, Readable.from([f.file.bytes]), () => undefined);
    }
  }
}
