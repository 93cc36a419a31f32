// The read model's ticket row as one INSERT and its parameters, shared by the workflow's writes and the API's write of a just-opened ticket.
import type { TicketProjection } from '../workflows/ticket-messages';
import { PRIORITY_ORDER } from '../workflow-definitions/index';

/** `insert into tickets (…) values (…)`, without a conflict clause: each writer says how it meets an existing row. */
export const INSERT_TICKET_ROW = `insert into tickets (id, number, type, title, description, priority, priority_order, state, state_category, queue, assignee_id, assigned_group,
    requester_id, organisation_id, definition_key, definition_version, fields, links, tags, sla, sla_status, sla_due_at, last_seq, created_at, updated_at, resolved_at, closed_at)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, array(select jsonb_array_elements_text(?::jsonb)), ?::jsonb, ?, ?, ?, ?, ?, ?, ?)`;

/** The parameters of INSERT_TICKET_ROW, in its column order (tags go as JSON: the driver would spread an array binding). */
export function ticketRowParams(r: TicketProjection): unknown[] {
  return [
    r.id, r.number, r.type, r.title, r.description, r.priority, PRIORITY_ORDER[r.priority], r.state, r.stateCategory, r.queue, r.assigneeId, r.assignedGroup ?? null,
    r.requesterId, r.organisationId ?? null, r.definitionKey, r.definitionVersion, JSON.stringify(r.fields), JSON.stringify(r.links ?? []), JSON.stringify(r.tags ?? []), JSON.stringify(r.sla), r.slaStatus, r.slaDueAt, r.lastSeq,
    r.createdAt, r.updatedAt, r.resolvedAt, r.closedAt,
  ];
}
