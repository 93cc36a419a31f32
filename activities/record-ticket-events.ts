// Writes a batch of ticket events and the ticket's row in one transaction; replays of the same (ticket, seq) change nothing.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { TicketEvent, TicketProjection } from '../workflows/ticket-messages';
import { PRIORITY_ORDER } from '../workflow-definitions/index';

export interface RecordTicketEventsInput {
  ticketId: string;
  events: TicketEvent[];
  row: TicketProjection;
}

/**
 * Hears every batch once it is committed (webhooks, mail). A listener that throws fails the activity, which Temporal
 * retries: the write is then a no-op and every listener hears the batch again, so listeners must be idempotent by
 * (ticketId, seq). That is what makes delivery at-least-once even when the worker dies between commit and listener.
 */
export type TicketEventListener = (batch: RecordTicketEventsInput) => Promise<void>;

export function recordTicketEventsWith(em: EntityManager, listeners: readonly TicketEventListener[] = []) {
  return async function recordTicketEvents(input: RecordTicketEventsInput): Promise<void> {
    const r = input.row;
    await em.fork().transactional(async (tx) => {
      // The row only moves forward: a late retry carrying an older projection cannot overwrite a newer one.
      await tx.execute(
        `insert into tickets (id, number, type, title, description, priority, priority_order, state, state_category, queue, assignee_id, assigned_group,
           requester_id, organisation_id, definition_key, definition_version, fields, links, sla, sla_status, sla_due_at, last_seq, created_at, updated_at, resolved_at, closed_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?, ?)
         on conflict (id) do update set title = excluded.title, description = excluded.description, priority = excluded.priority,
           priority_order = excluded.priority_order, state = excluded.state, state_category = excluded.state_category, queue = excluded.queue,
           assignee_id = excluded.assignee_id, assigned_group = excluded.assigned_group, definition_version = excluded.definition_version, fields = excluded.fields, links = excluded.links, sla = excluded.sla,
           sla_status = excluded.sla_status, sla_due_at = excluded.sla_due_at, last_seq = excluded.last_seq, updated_at = excluded.updated_at,
           resolved_at = excluded.resolved_at, closed_at = excluded.closed_at
         where tickets.last_seq < excluded.last_seq`,
        [
          r.id, r.number, r.type, r.title, r.description, r.priority, PRIORITY_ORDER[r.priority], r.state, r.stateCategory, r.queue, r.assigneeId, r.assignedGroup ?? null,
          r.requesterId, r.organisationId ?? null, r.definitionKey, r.definitionVersion, JSON.stringify(r.fields), JSON.stringify(r.links ?? []), JSON.stringify(r.sla), r.slaStatus, r.slaDueAt, r.lastSeq,
          r.createdAt, r.updatedAt, r.resolvedAt, r.closedAt,
        ],
      );
      const values = input.events.map(() => '(?, ?, ?, ?, ?, ?, ?, ?::jsonb)').join(', ');
      const params = input.events.flatMap((e) => [input.ticketId, e.seq, e.type, e.actor.id, e.actor.role, e.visibility, e.at, JSON.stringify(e.data)]);
      await tx.execute(
        `insert into ticket_events (ticket_id, seq, type, actor_id, actor_role, visibility, at, data) values ${values} on conflict (ticket_id, seq) do nothing`,
        params,
      );
    });
    for (const listener of listeners) await listener(input);
  };
}
