// Tells live consoles a ticket changed: a PostgreSQL NOTIFY sent once the read-model batch is committed.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { TicketEventBatchListener } from './ticket-event-fanout';

/** The channel the API's event stream LISTENs on; payloads carry ids only, never ticket content. */
export const TICKET_CHANNEL = 'guichet_ticket_changes';

/** At-least-once like every listener: a repeated notice only makes consoles re-read a row they already have. One statement per round. */
export function notifyTicketChanges(em: EntityManager): TicketEventBatchListener {
  return async (batches) => {
    const notices = batches.map(({ ticketId, row }) => JSON.stringify({ id: ticketId, seq: row.lastSeq }));
    // SQL: NOTIFY is a function call over no table, so no entity has a say in it.
    await em.fork().execute('select pg_notify(?, n) from jsonb_array_elements_text(?::jsonb) n', [TICKET_CHANNEL, JSON.stringify(notices)]);
  };
}
