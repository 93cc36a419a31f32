// Time tracking: what agents spent on a ticket (recorded with their comments and transitions, see timeSpent there).
import type { RouteTable } from '../../http/routes';
import type { TimeTrackingService } from './service';

const timeSchema = {
  type: 'object',
  required: ['totalMinutes', 'entries'],
  properties: {
    totalMinutes: { type: 'integer' },
    entries: {
      type: 'array',
      items: {
        title: 'TimeEntry',
        type: 'object',
        required: ['seq', 'at', 'minutes', 'with', 'agent'],
        properties: {
          seq: { type: 'integer' },
          at: { type: 'string', format: 'date-time' },
          minutes: { type: 'integer' },
          with: { type: ['integer', 'null'], description: 'The comment or transition event the time was spent on' },
          agent: { type: 'object', required: ['id', 'name'], properties: { id: { type: ['string', 'null'] }, name: { type: 'string' } } },
        },
      },
    },
  },
} as const;

export function timeTrackingRoutes(table: RouteTable, time: TimeTrackingService): void {
  table.add({
    method: 'get',
    path: '/api/tickets/:id/time',
    summary: 'Time agents spent on the ticket: each entry (agent, minutes, the comment or transition it was spent on) and the total',
    tag: 'tickets',
    auth: 'user',
    responses: { 200: { description: 'Entries and total', schema: timeSchema }, 403: { description: 'Customers' }, 404: { description: 'No such ticket visible to the caller' } },
    handler: async ({ user, params }) => ({ body: await time.ofTicket(user, params.id) }),
  });
}
