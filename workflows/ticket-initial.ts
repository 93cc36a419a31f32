// The ticket as it stands the instant it is opened, computed from the workflow's input alone: what the API writes and answers before the workflow has run.
import { calendarOf, openingState, stateOf, viewClock, type SlaClockView } from '../workflow-definitions/engine';
import type { TicketProjection, TicketWorkflowInput } from './ticket-messages';

/** The worst status of a ticket's clocks and the earliest target still running (the queue's SLA column). */
export function slaSummary(views: readonly SlaClockView[]): { slaStatus: TicketProjection['slaStatus']; slaDueAt: string | null } {
  const slaStatus = views.some((v) => v.status === 'breached') ? 'breached' : views.some((v) => v.status === 'warning') ? 'warning' : 'ok';
  const slaDueAt = views.filter((v) => v.target && !v.stopped).map((v) => v.target as string).sort()[0] ?? null;
  return { slaStatus, slaDueAt };
}

/**
 * The projection the workflow itself starts from (the machine's opening state: the same state and clocks), with
 * `lastSeq` 0: no event is recorded yet. The workflow's first write replaces it, since rows only move forward by seq.
 */
export function initialProjection(input: TicketWorkflowInput, at: number): TicketProjection {
  const { ticket: t, definition: def } = input;
  const s0 = openingState(def, t, Date.parse(t.createdAt));
  const views = s0.clocks.map((c) => viewClock(c, at, calendarOf(def, c.calendar)));
  return {
    id: t.id,
    number: t.number,
    type: t.type,
    title: t.title,
    description: t.description,
    priority: t.priority,
    state: s0.state,
    stateCategory: stateOf(def, s0.state)!.category,
    queue: t.queue,
    assigneeId: null,
    assignedGroup: null,
    requesterId: t.requesterId,
    organisationId: t.organisationId ?? null,
    definitionKey: def.key,
    definitionVersion: input.definitionVersion,
    fields: s0.fields,
    links: [],
    tags: [],
    sla: views,
    ...slaSummary(views),
    lastSeq: 0,
    createdAt: t.createdAt,
    updatedAt: t.createdAt,
    resolvedAt: null,
    closedAt: null,
  };
}
