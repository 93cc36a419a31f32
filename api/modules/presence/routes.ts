// Presence on a ticket page: a heartbeat that says "I am here (typing or not)" and answers who else is.
import type { RouteTable } from '../../http/routes';
import type { PresenceService } from './service';

const viewersSchema = {
  type: 'object',
  required: ['viewers'],
  properties: {
    viewers: {
      type: 'array',
      items: { title: 'Viewer', type: 'object', required: ['id', 'name', 'typing'], properties: { id: { type: 'string', format: 'uuid' }, name: { type: 'string' }, typing: { type: 'boolean' } } },
    },
  },
} as const;

export function presenceRoutes(table: RouteTable, presence: PresenceService): void {
  table.add<{ typing: boolean }>({
    method: 'put',
    path: '/api/tickets/:id/presence',
    summary: 'Say that you have this ticket open (every few seconds) and whether you are typing a reply; answers the other agents who have it open',
    tag: 'tickets',
    auth: 'user',
    body: { type: 'object', required: ['typing'], additionalProperties: false, properties: { typing: { type: 'boolean' } } },
    responses: { 200: { description: 'The other agents on this ticket now', schema: viewersSchema }, 403: { description: 'Customers have no presence' }, 404: { description: 'No such ticket, or not yours to see' } },
    handler: async ({ params, user, body }) => ({ body: { viewers: await presence.beat(user, params.id, body.typing) } }),
  });
  table.add({
    method: 'delete',
    path: '/api/tickets/:id/presence',
    summary: 'Say that you left the ticket (closing the page)',
    tag: 'tickets',
    auth: 'user',
    responses: { 204: { description: 'Gone' }, 403: { description: 'Customers have no presence' } },
    handler: async ({ params, user }) => {
      await presence.leave(user, params.id);
      return { status: 204 };
    },
  });
}
