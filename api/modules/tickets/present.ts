// Shapes a ticket for the API, from the read-model row or from the workflow's projection, with SLA clocks live at read time.
import type { TicketProjection } from '../../../workflows/ticket-messages';
import { ticketWorkflowId } from '../../../workflows/ticket-messages';
import type { EventRow, TicketRow } from './repository';
import { iso, isoOrNull } from '../../../platform/db/time';

type Clock = TicketRow['sla'][number];

/** Running clocks age between writes: recompute status and remaining time against now. */
function liveClock(c: Clock, now: number): Clock {
  if (!c.target || c.stopped || c.paused) return c;
  const breachAt = Date.parse(c.target);
  const warnAt = c.warningAt ? Date.parse(c.warningAt) : breachAt;
  const status = now >= breachAt ? 'breached' : now >= warnAt ? 'warning' : c.status === 'breached' ? 'breached' : 'ok';
  return { ...c, status, remainingMs: breachAt - now };
}

function worst(clocks: Clock[]): string {
  if (clocks.some((c) => c.status === 'breached')) return 'breached';
  if (clocks.some((c) => c.status === 'warning')) return 'warning';
  return 'ok';
}

/** The read-model row in the workflow's projection shape, so one mapping serves both sources. */
function rowToProjection(r: TicketRow): TicketProjection {
  return {
    id: r.id,
    number: r.number,
    type: r.type,
    title: r.title,
    description: r.description,
    priority: r.priority as TicketProjection['priority'],
    state: r.state,
    stateCategory: r.state_category,
    queue: r.queue,
    assigneeId: r.assignee_id,
    assignedGroup: r.assigned_group,
    requesterId: r.requester_id,
    organisationId: r.organisation_id,
    definitionKey: r.definition_key,
    definitionVersion: r.definition_version,
    fields: r.fields as TicketProjection['fields'],
    links: r.links as TicketProjection['links'],
    tags: r.tags ?? [],
    sla: r.sla as TicketProjection['sla'],
    slaStatus: r.sla_status as TicketProjection['slaStatus'],
    slaDueAt: isoOrNull(r.sla_due_at),
    lastSeq: r.last_seq,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    resolvedAt: isoOrNull(r.resolved_at),
    closedAt: isoOrNull(r.closed_at),
  };
}

export function presentRow(r: TicketRow, now = Date.now()) {
  return presentProjection(rowToProjection(r), now);
}

export function presentProjection(p: TicketProjection, now = Date.now()) {
  const sla = p.sla.map((c) => liveClock(c as Clock, now));
  return {
    id: p.id,
    number: p.number,
    type: p.type,
    title: p.title,
    description: p.description,
    priority: p.priority,
    state: p.state,
    stateCategory: p.stateCategory,
    queue: p.queue,
    assigneeId: p.assigneeId,
    assignedGroup: p.assignedGroup ?? null,
    requesterId: p.requesterId,
    organisationId: p.organisationId ?? null,
    definition: { key: p.definitionKey, version: p.definitionVersion },
    fields: p.fields,
    links: p.links,
    tags: p.tags ?? [],
    sla,
    slaStatus: worst(sla),
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    resolvedAt: p.resolvedAt,
    closedAt: p.closedAt,
    workflowId: ticketWorkflowId(p.id),
  };
}

export type TicketView = ReturnType<typeof presentProjection> & { stateLabel?: { en: string; fr: string } };

export function presentEvent(e: EventRow) {
  return { seq: e.seq, type: e.type, actor: { id: e.actor_id, name: e.actor_name, role: e.actor_role }, visibility: e.visibility, at: iso(e.at), data: e.data };
}
