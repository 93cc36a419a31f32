// User administration over HTTP (admins only): create accounts and list them, a page at a time.
import type { FromSchema } from 'json-schema-to-ts';
import type { RouteTable } from '../../http/routes';
import { conflict, unprocessable } from '../../http/problem';
import type { AuthService } from '../auth/service';
import { requireBuiltInAdmin } from '../iam/permissions';
import { adminUserSchema, userSchema } from '../auth/schemas';

const createUserBody = {
  type: 'object',
  required: ['email', 'name', 'role', 'password'],
  additionalProperties: false,
  properties: {
    email: { type: 'string', format: 'email', maxLength: 254 },
    name: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
    role: { type: 'string', enum: ['admin', 'agent', 'customer'] },
    password: { type: 'string', minLength: 12, maxLength: 1024 },
    locale: { type: 'string', enum: ['en', 'fr'], default: 'en' },
    organisationId: { type: ['string', 'null'], format: 'uuid' },
  },
} as const;
type CreateUserBody = FromSchema<typeof createUserBody>;

/** Default page; a page holds at most 500 (the console asks for staff whole, page after page). */
export const USERS_PAGE = 100;
const userListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: { type: 'string', maxLength: 200, description: 'part of the name or e-mail' },
    role: { type: 'string', enum: ['admin', 'agent', 'customer', 'staff'], description: "'staff' is admins and agents" },
    limit: { type: 'string', pattern: '^(?:[1-9][0-9]?|[1-4][0-9]{2}|500)$' },
    cursor: { type: 'string', maxLength: 254, description: 'the e-mail the previous page ended with (its `next`)' },
  },
} as const;
type UserListQuery = FromSchema<typeof userListQuery>;

export function userRoutes(table: RouteTable, auth: AuthService): void {
  table.add<CreateUserBody>({
    method: 'post',
    path: '/api/users',
    audits: { entity: 'user', id: ({ reply }) => (reply as { id?: string } | undefined)?.id },
    summary: 'Create a user account (admin)',
    tag: 'users',
    auth: 'user',
    scope: 'admin', permission: 'admin.people',
    body: createUserBody,
    responses: { 201: { description: 'Created', schema: userSchema }, 403: { description: 'Not an admin' }, 409: { description: 'Email already used' }, 422: { description: 'Unknown organisation' } },
    handler: async ({ body, user }) => {
      if (body.role === 'admin') requireBuiltInAdmin(user, 'make admins');
      if (await auth.emailExists(body.email)) throw conflict(`an account already uses ${body.email}`, 'email-taken');
      if (body.organisationId && !(await auth.organisationExists(body.organisationId))) {
        throw unprocessable('unknown organisation', [{ pointer: '/organisationId', message: 'unknown organisation' }], 'unknown-organisation');
      }
      const id = await auth.createUser({ ...body, locale: body.locale ?? 'en' });
      return { status: 201, body: { id, email: body.email.toLowerCase(), name: body.name, role: body.role, locale: body.locale ?? 'en' } };
    },
  });
  table.add<unknown, UserListQuery>({
    method: 'get',
    path: '/api/users',
    summary: 'List user accounts by e-mail, a page at a time (admin); `next` is the cursor of the following page, null after the last',
    tag: 'users',
    auth: 'user',
    scope: 'admin', permission: 'admin.people',
    query: userListQuery,
    responses: {
      200: {
        description: 'Users',
        schema: { type: 'object', required: ['items', 'next'], properties: { items: { type: 'array', items: adminUserSchema }, next: { type: ['string', 'null'] } } },
      },
      400: { description: 'Bad filter, limit or cursor' },
      403: { description: 'Not an admin' },
    },
    handler: async ({ query }) => {
      return {
        body: await auth.listUsers({ q: query.q, role: query.role, limit: query.limit ? Number(query.limit) : USERS_PAGE, after: query.cursor }),
      };
    },
  });
}
