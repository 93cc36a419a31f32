// Replaces the words people wrote (and the files they sent) while keeping what the reports count: who the ticket was for
// stays an id, its type, queue, priority, state, dates and SLA stay. Used by a person's erasure (API) and by retention
// policies (worker); every statement is safe to run again, so a retried activity or request changes nothing more.
import { createHash } from 'node:crypto';
import { raw, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Attachment, AttachmentChunk, MailOutboxMessage, Ticket, TicketApprover, TicketRating, TicketRequestForm, WebhookDelivery } from '../db/entities/index';
import { among } from '../db/among';

export const ANONYMISED_TEXT = '[removed: personal data]';
const REPLACEMENT_FILE = Buffer.from('This file was removed from the service desk: it held personal data.\n', 'utf8');
const REPLACEMENT_SHA = createHash('sha256').update(REPLACEMENT_FILE).digest('hex');

/** A list of ids as one bound parameter: a person may have more tickets or files than PostgreSQL takes parameters. */
const ID_LIST = 'select jsonb_array_elements_text(?::jsonb)::uuid';
const IDS = `(${ID_LIST})`;
const EMPTY_JSON = raw(`'{}'::jsonb`);

export type AnonymisedTicket = Pick<InferEntity<typeof Ticket>, 'id' | 'title'>;

/**
 * Every text of these tickets (title, description, comments, edits, rating remarks, mail copies) and every file. Returns
 * the tickets new to it, whose workflows must then be told (tellWorkflows) once the transaction has committed.
 */
export async function anonymiseTickets(tx: EntityManager, ticketIds: readonly string[]): Promise<AnonymisedTicket[]> {
  if (!ticketIds.length) return [];
  const ids = JSON.stringify(ticketIds);
  const done = await tx
    .createQueryBuilder(Ticket)
    .update({ title: raw(`'Anonymised ticket ' || number`), description: '', anonymisedAt: raw('now()') })
    .where({ id: among(ticketIds, 'uuid'), anonymisedAt: null })
    .returning(['id', 'title'])
    .execute<AnonymisedTicket[]>('all');
  await scrubEvents(tx, `ticket_id in ${IDS}`, [ids]);
  // SQL: copies each ticket's new title into the JSON of its events, an update joined to the tickets.
  await tx.execute(`update ticket_events e set data = e.data || jsonb_build_object('title', t.title) from tickets t where t.id = e.ticket_id and e.ticket_id in ${IDS} and e.data->>'title' is not null`, [ids]);
  await replaceFiles(tx, { ticketId: among(ticketIds, 'uuid') });
  await tx.nativeUpdate(TicketRating, { ticketId: among(ticketIds, 'uuid'), comment: { $ne: null } }, { comment: null });
  await tx.nativeUpdate(TicketApprover, { ticketId: among(ticketIds, 'uuid'), comment: { $ne: null } }, { comment: null });
  // The catalogue form's answers go; which offering the request came from stays for the reports.
  await tx.nativeUpdate(TicketRequestForm, { ticketId: among(ticketIds, 'uuid'), answers: { $ne: EMPTY_JSON } }, { answers: {} });
  await tx.nativeUpdate(MailOutboxMessage, { ticketId: among(ticketIds, 'uuid'), body: { $ne: ANONYMISED_TEXT } }, { subject: ANONYMISED_TEXT, body: ANONYMISED_TEXT });
  await tx.nativeUpdate(WebhookDelivery, { ticketId: among(ticketIds, 'uuid'), status: { $ne: 'pending' }, payload: { $ne: EMPTY_JSON } }, { payload: {} });
  return done;
}

/** What one person wrote and sent on any ticket: their comments and edits (and the mail and webhook copies of those events), their files, their rating remarks. */
export async function anonymiseContributions(tx: EntityManager, userId: string): Promise<void> {
  // Copies first: they are found through the events, which stay (only their text goes).
  // SQL: both are updates joined to the person's events (update … from), which the QueryBuilder does not say.
  await tx.execute(
    `update mail_outbox m set subject = ?, body = ? from ticket_events e where e.ticket_id = m.ticket_id and e.seq = m.seq and e.actor_id = ? and m.body <> ?`,
    [ANONYMISED_TEXT, ANONYMISED_TEXT, userId, ANONYMISED_TEXT],
  );
  await tx.execute(
    `update webhook_deliveries w set payload = '{}'::jsonb from ticket_events e where e.ticket_id = w.ticket_id and e.seq = w.seq and e.actor_id = ? and w.status <> 'pending' and w.payload <> '{}'::jsonb`,
    [userId],
  );
  await scrubEvents(tx, `actor_id = ?`, [userId]);
  await replaceFiles(tx, { uploadedBy: userId });
  await tx.nativeUpdate(TicketRating, { raterId: userId, comment: { $ne: null } }, { comment: null });
  await tx.nativeUpdate(TicketApprover, { userId, comment: { $ne: null } }, { comment: null });
}

/** Comment bodies (and their French copies) and approvers' remarks in the timeline; the event stays, so counts and first-response times hold. */
async function scrubEvents(tx: EntityManager, where: string, params: unknown[]): Promise<void> {
  // SQL: removes and rewrites keys inside each event's JSON.
  await tx.execute(
    `update ticket_events set data = (data - 'bodyFr' - 'description') || jsonb_build_object('body', ?::text)
     where ${where} and data->>'body' is not null and data->>'body' <> ?`,
    [ANONYMISED_TEXT, ...params, ANONYMISED_TEXT],
  );
  await tx.execute(`update ticket_events set data = data - 'comment' where ${where} and type = 'approval_decided' and data->>'comment' is not null`, params);
}

/** Each file becomes a short text saying it was removed; its row (and so the timeline's reference) stays. */
async function replaceFiles(tx: EntityManager, which: { ticketId: ReturnType<typeof among> } | { uploadedBy: string }): Promise<void> {
  const files = await tx
    .createQueryBuilder(Attachment)
    .select('id')
    .where({ ...which, sha256: { $nin: [REPLACEMENT_SHA, ''] } })
    .execute<Array<Pick<InferEntity<typeof Attachment>, 'id'>>>();
  if (!files.length) return;
  const fileIds = files.map((f) => f.id);
  await tx.nativeDelete(AttachmentChunk, { attachmentId: among(fileIds, 'uuid') });
  // SQL: insert … select gives every file the same replacement in one statement, its bytes sent once, however many files.
  await tx.execute(`insert into attachment_chunks (attachment_id, n, data) select v::uuid, 0, ? from jsonb_array_elements_text(?::jsonb) v`, [REPLACEMENT_FILE, JSON.stringify(fileIds)]);
  // The replacement lives in PostgreSQL; a file kept in an object store is queued for deletion there (trigger).
  await tx.nativeUpdate(Attachment, { id: among(fileIds, 'uuid') }, { filename: 'removed.txt', contentType: 'text/plain', size: REPLACEMENT_FILE.length, sha256: REPLACEMENT_SHA, store: 'postgres' });
}
