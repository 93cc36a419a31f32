// Which webhook event types a ticket event raises, and the payload receivers get (stable per (ticket, seq), so retries sign the same bytes).
import type { TicketEvent, TicketProjection } from '../workflows/ticket-messages';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './event-types';

export { WEBHOOK_EVENT_TYPES, type WebhookEventType };

const DIRECT: Partial<Record<TicketEvent['type'], WebhookEventType>> = {
  created: 'ticket.created',
  transitioned: 'ticket.transitioned',
  assigned: 'ticket.assigned',
  commented: 'ticket.commented',
  sla_warning: 'ticket.sla_warning',
  sla_breached: 'ticket.sla_breached',
  escalated: 'ticket.escalated',
  event_emitted: 'ticket.event_emitted',
};

/**
 * Every webhook type one ticket event raises. A maintenance work order is a ticket of type maintenance: its creation
 * and its SLA breach (overdue) raise the maintenance types besides the generic ones. A problem resolves when a
 * transition takes a problem ticket into its resolved-category state.
 */
export function webhookTypesOf(event: TicketEvent, row: TicketProjection): WebhookEventType[] {
  const types: WebhookEventType[] = [];
  const direct = DIRECT[event.type];
  if (direct) types.push(direct);
  if (row.type === 'maintenance' && event.type === 'created') types.push('maintenance.work_order_created');
  if (row.type === 'maintenance' && event.type === 'sla_breached') types.push('maintenance.work_order_overdue');
  if (row.type === 'problem' && event.type === 'transitioned' && event.data.to === row.state && row.stateCategory === 'resolved') types.push('problem.resolved');
  return types;
}

/** The event id receivers de-duplicate on: one per (ticket, seq), the same for every retry and redelivery. */
export const eventIdOf = (ticketId: string, seq: number) => `evt_${ticketId.replace(/-/g, '')}_${seq}`;

export function payloadOf(type: WebhookEventType, event: TicketEvent, row: TicketProjection) {
  return {
    type,
    timestamp: event.at,
    data: {
      ticket: {
        id: row.id,
        number: row.number,
        type: row.type,
        title: row.title,
        priority: row.priority,
        state: row.state,
        stateCategory: row.stateCategory,
        queue: row.queue,
        assigneeId: row.assigneeId,
        requesterId: row.requesterId,
        slaStatus: row.slaStatus,
        slaDueAt: row.slaDueAt,
        createdAt: row.createdAt,
        updatedAt: row.updatedAt,
      },
      event: { seq: event.seq, type: event.type, visibility: event.visibility, at: event.at, actor: event.actor, data: event.data },
    },
  };
}
