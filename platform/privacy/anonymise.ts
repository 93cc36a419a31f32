// Replaces the words people wrote (and the files they sent) while keeping what the reports count: who the ticket was for
// stays an id, its type, queue, priority, state, dates and SLA stay. Used by a person's erasure (API) and by retention
// policies (worker); every statement is safe to run again, so a retried activity or request changes nothing more.
import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';

export const ANONYMISED_TEXT = '[removed: personal data]';
const REPLACEMENT_FILE = Buffer.from('This file was removed from the service desk: it held personal data.\n', 'utf8');
const REPLACEMENT_SHA = createHash('sha256').update(REPLACEMENT_FILE).digest('hex');

const IDS = `(select jsonb_array_elements_text(?::jsonb)::uuid)`;

export interface AnonymisedTicket {
  id: string;
  title: string;
}

/**
 * Every text of these tickets (title, description, comments, edits, rating remarks, mail copies) and every file. Returns
 * the tickets new to it, whose workflows must then be told (tellWorkflows) once the transaction has committed.
 */
export async function anonymiseTickets(tx: EntityManager, ticketIds: readonly string[]): Promise<AnonymisedTicket[]> {
  if (!ticketIds.length) return [];
  const ids = JSON.stringify(ticketIds);
  const done = await tx.execute<AnonymisedTicket[]>(
    `update tickets set title = 'Anonymised ticket ' || number, description = '', anonymised_at = now() where id in ${IDS} and anonymised_at is null returning id, title`,
    [ids],
  );
  await scrubEvents(tx, `ticket_id in ${IDS}`, [ids]);
  await tx.execute(`update ticket_events e set data = e.data || jsonb_build_object('title', t.title) from tickets t where t.id = e.ticket_id and e.ticket_id in ${IDS} and e.data->>'title' is not null`, [ids]);
  await replaceFiles(tx, `ticket_id in ${IDS}`, [ids]);
  await tx.execute(`update ticket_ratings set comment = null where ticket_id in ${IDS} and comment is not null`, [ids]);
  await tx.execute(`update ticket_approvers set comment = null where ticket_id in ${IDS} and comment is not null`, [ids]);
  // The catalogue form's answers go; which offering the request came from stays for the reports.
  await tx.execute(`update ticket_request_forms set answers = '{}'::jsonb where ticket_id in ${IDS} and answers <> '{}'::jsonb`, [ids]);
  await tx.execute(`update mail_outbox set subject = ?, body = ? where ticket_id in ${IDS} and body <> ?`, [ANONYMISED_TEXT, ANONYMISED_TEXT, ids, ANONYMISED_TEXT]);
  await tx.execute(`update webhook_deliveries set payload = '{}'::jsonb where ticket_id in ${IDS} and status <> 'pending' and payload <> '{}'::jsonb`, [ids]);
  return done;
}

/** What one person wrote and sent on any ticket: their comments and edits (and the mail and webhook copies of those events), their files, their rating remarks. */
export async function anonymiseContributions(tx: EntityManager, userId: string): Promise<void> {
  // Copies first: they are found through the events, which stay (only their text goes).
  await tx.execute(
    `update mail_outbox m set subject = ?, body = ? from ticket_events e where e.ticket_id = m.ticket_id and e.seq = m.seq and e.actor_id = ? and m.body <> ?`,
    [ANONYMISED_TEXT, ANONYMISED_TEXT, userId, ANONYMISED_TEXT],
  );
  await tx.execute(
    `update webhook_deliveries w set payload = '{}'::jsonb from ticket_events e where e.ticket_id = w.ticket_id and e.seq = w.seq and e.actor_id = ? and w.status <> 'pending' and w.payload <> '{}'::jsonb`,
    [userId],
  );
  await scrubEvents(tx, `actor_id = ?`, [userId]);
  await replaceFiles(tx, `uploaded_by = ?`, [userId]);
  await tx.execute(`update ticket_ratings set comment = null where rater_id = ? and comment is not null`, [userId]);
  await tx.execute(`update ticket_approvers set comment = null where user_id = ? and comment is not null`, [userId]);
}

/** Comment bodies (and their French copies) and approvers' remarks in the timeline; the event stays, so counts and first-response times hold. */
async function scrubEvents(tx: EntityManager, where: string, params: unknown[]): Promise<void> {
  await tx.execute(
    `update ticket_events set data = (data - 'bodyFr' - 'description') || jsonb_build_object('body', ?::text)
     where ${where} and data->>'body' is not null and data->>'body' <> ?`,
    [ANONYMISED_TEXT, ...params, ANONYMISED_TEXT],
  );
  await tx.execute(`update ticket_events set data = data - 'comment' where ${where} and type = 'approval_decided' and data->>'comment' is not null`, params);
}

/** Each file becomes a short text saying it was removed; its row (and so the timeline's reference) stays. */
async function replaceFiles(tx: EntityManager, where: string, params: unknown[]): Promise<void> {
  const files = await tx.execute<Array<{ id: string }>>(`select id from attachments where ${where} and sha256 <> ? and sha256 <> ''`, [...params, REPLACEMENT_SHA]);
  if (!files.length) return;
  const ids = JSON.stringify(files.map((f) => f.id));
  await tx.execute(`delete from attachment_chunks where attachment_id in ${IDS}`, [ids]);
  await tx.execute(`insert into attachment_chunks (attachment_id, n, data) select v::uuid, 0, ? from jsonb_array_elements_text(?::jsonb) v`, [REPLACEMENT_FILE, ids]);
  // The replacement lives in PostgreSQL; a file kept in an object store is queued for deletion there (trigger).
  await tx.execute(`update attachments set filename = 'removed.txt', content_type = 'text/plain', size = ?, sha256 = ?, store = 'postgres' where id in ${IDS}`, [REPLACEMENT_FILE.length, REPLACEMENT_SHA, ids]);
}
