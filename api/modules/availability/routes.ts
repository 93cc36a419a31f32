// An agent's own availability: away (tickets of queues that assign by themselves go to others) or available.
import type { RouteTable } from '../../http/routes';
import type { AvailabilityBody, AvailabilityService } from './service';

const availabilitySchema = {
  title: 'Availability',
  type: 'object',
  required: ['away', 'awaySince', 'awayUntil'],
  properties: {
    away: { type: 'boolean' },
    awaySince: { type: ['string', 'null'], format: 'date-time' },
    awayUntil: { type: ['string', 'null'], format: 'date-time', description: 'When the agent is back on their own (null: until they say so)' },
    redistributed: { type: 'integer', description: 'On going away: open tickets handed to others by their queue’s policy' },
    kept: { type: 'integer', description: 'On going away: open tickets of such queues nobody could take now, still theirs' },
  },
} as const;

export function availabilityRoutes(table: RouteTable, availability: AvailabilityService): void {
  table.add({
    method: 'get',
    path: '/api/me/availability',
    summary: "The caller's availability for auto-assignment",
    tag: 'users',
    auth: 'user',
    responses: { 200: { description: 'Availability', schema: availabilitySchema } },
    handler: async ({ user }) => ({ body: await availability.get(user) }),
  });
  table.add<AvailabilityBody>({
    method: 'put',
    path: '/api/me/availability',
    summary: "Set oneself away (optionally until a date) or available (agents, admins); going away hands one's open tickets of queues that assign by themselves to others",
    tag: 'users',
    auth: 'user',
    body: {
      type: 'object',
      required: ['away'],
      additionalProperties: false,
      properties: { away: { type: 'boolean' }, until: { type: ['string', 'null'], format: 'date-time', description: 'The return date, when away' } },
    },
    responses: { 200: { description: 'Availability', schema: availabilitySchema }, 403: { description: 'Customers' }, 422: { description: 'A return date that has passed' } },
    handler: async ({ user, body }) => ({ body: await availability.set(user, body) }),
  });
}
