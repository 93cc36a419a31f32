// People for agents: search whom a ticket is for, and add a first-time caller as a customer (audited like any account change).
import type { RouteTable } from '../../http/routes';
import { requireStaff } from '../auth/policy';
import { listOf } from '../../http/shapes';
import type { PeopleService } from './service';
import { personSchema } from './schemas';

export const newCustomerBody = {
  type: 'object',
  required: ['name', 'email'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
    email: { type: 'string', format: 'email', maxLength: 254 },
    phone: { type: 'string', maxLength: 40, pattern: '^[+0-9 ().\\-]*$' },
    organisationId: { type: ['string', 'null'], format: 'uuid' },
    locale: { type: 'string', enum: ['en', 'fr'] },
  },
} as const;
type NewCustomerBody = { name: string; email: string; phone?: string; organisationId?: string | null; locale?: 'en' | 'fr' };
type PeopleQuery = { q?: string; limit?: string };

export function peopleRoutes(table: RouteTable, people: PeopleService): void {
  table.add<unknown, PeopleQuery>({
    method: 'get',
    path: '/api/people',
    summary: 'Active people (customers first) whose name, e-mail or organisation contains q: whom an agent opens a ticket for',
    tag: 'users',
    auth: 'user',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: { q: { type: 'string', maxLength: 200 }, limit: { type: 'string', pattern: '^(?:[1-9]|[1-4][0-9]|50)$' } },
    },
    responses: { 200: { description: 'People', schema: listOf(personSchema) }, 403: { description: 'Customers' } },
    handler: async ({ user, query }) => {
      requireStaff(user, 'only agents and admins look people up');
      return { body: { items: await people.search(query.q, Number(query.limit ?? 20)) } };
    },
  });
  table.add<NewCustomerBody>({
    method: 'post',
    path: '/api/people',
    summary: 'Add a customer on the spot (a first-time caller), without a password: they set one with "forgot password" to use the portal',
    tag: 'users',
    auth: 'user',
    body: newCustomerBody,
    audits: { entity: 'user', id: ({ reply }) => (reply as { id?: string } | undefined)?.id },
    responses: {
      201: { description: 'The new customer', schema: personSchema },
      403: { description: 'Customers' },
      409: { description: 'The e-mail already has an account' },
      422: { description: 'Unknown organisation' },
    },
    handler: async ({ user, body }) => {
      requireStaff(user, 'only agents and admins add customers');
      return { status: 201, body: await people.createCustomer(body) };
    },
  });
}
