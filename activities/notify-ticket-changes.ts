// Tells live consoles a ticket changed: a PostgreSQL NOTIFY sent once the read-model batch is committed.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { TicketEventListener } from './record-ticket-events';

/** The channel the API's event stream LISTENs on; payloads carry ids only, never ticket content. */
export const TICKET_CHANNEL = 'guichet_ticket_changes';

/** At-least-once like every listener: a repeated notice only makes consoles re-read a row they already have. */
export function notifyTicketChanges(em: EntityManager): TicketEventListener {
  return async ({ ticketId, row }) => {
    await em.fork().execute('select pg_notify(?, ?)', [TICKET_CHANNEL, JSON.stringify({ id: ticketId, seq: row.lastSeq })]);
  };
}
