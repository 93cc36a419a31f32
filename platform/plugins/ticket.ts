// The one place a desk ticket becomes the ticket plug-ins see: listeners and panels hand over the same fields.
import type { PluginTicket } from './v1';

export function pluginTicketOf(t: PluginTicket): PluginTicket {
  return {
    id: t.id,
    number: t.number,
    type: t.type,
    title: t.title,
    priority: t.priority,
    state: t.state,
    stateCategory: t.stateCategory,
    queue: t.queue,
    assigneeId: t.assigneeId,
    requesterId: t.requesterId,
    organisationId: t.organisationId,
    tags: [...t.tags],
    slaStatus: t.slaStatus,
    slaDueAt: t.slaDueAt,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}
