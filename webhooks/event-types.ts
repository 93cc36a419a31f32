// The webhook event types a subscription can choose: one list for the API's schemas and the console's form (pure, no imports, so the web build can take it).
export const WEBHOOK_EVENT_TYPES = [
  'ticket.created',
  'ticket.transitioned',
  'ticket.assigned',
  'ticket.commented',
  'ticket.sla_warning',
  'ticket.sla_breached',
  'ticket.escalated',
  // A definition's `emit` action: the emitted name is in data.event.data.event.
  'ticket.event_emitted',
  'problem.resolved',
  'maintenance.work_order_created',
  'maintenance.work_order_overdue',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
