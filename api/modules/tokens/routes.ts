// API tokens over HTTP (admins): create (the secret is shown once), list, revoke.
import type { RouteTable } from '../../http/routes';
import type { TokenScope } from '../auth/types';
import type { TokenService } from './service';
import { listOf } from '../../http/shapes';


const createTokenBody = {
  type: 'object',
  required: ['name', 'scope'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
    scope: { type: 'string', enum: ['read', 'write', 'admin', 'scim'], description: "'scim' reaches only the SCIM provisioning service (/scim/v2), and must act as an admin" },
    userId: { type: 'string', format: 'uuid' },
  },
} as const;

const scope = { type: 'string', enum: ['read', 'write', 'admin', 'scim'] } as const;
const nullableInstant = { type: ['string', 'null'], format: 'date-time' } as const;

/** A token as the list shows it: never its secret. */
const apiTokenSchema = {
  title: 'ApiToken',
  type: 'object',
  required: ['id', 'name', 'prefix', 'scope', 'userId', 'createdBy', 'createdAt', 'lastUsedAt', 'revokedAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    prefix: { type: 'string', description: 'the first characters of the secret, to recognise it' },
    scope,
    userId: { type: 'string', format: 'uuid', description: 'whom the token acts as' },
    createdBy: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    lastUsedAt: nullableInstant,
    revokedAt: nullableInstant,
  },
} as const;

export function tokenRoutes(table: RouteTable, tokens: TokenService): void {
  table.add<{ name: string; scope: TokenScope; userId?: string }>({
    method: 'post',
    path: '/api/tokens',
    builtInAdmin: 'create API tokens (a token can act as anyone)',
    audits: { entity: 'token', id: ({ reply }) => (reply as { id?: string } | undefined)?.id },
    summary: 'Create an API token; the secret is in this response only. Send it as Authorization: Bearer <token>.',
    tag: 'tokens',
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    body: createTokenBody,
    responses: {
      201: {
        description: 'Created',
        schema: {
          title: 'NewApiToken',
          type: 'object',
          required: ['id', 'name', 'scope', 'userId', 'token'],
          properties: { id: { type: 'string', format: 'uuid' }, name: { type: 'string' }, scope, userId: { type: 'string', format: 'uuid' }, token: { type: 'string', description: 'the secret, shown this once' } },
        },
      },
      403: { description: 'Not an admin' },
    },
    handler: async ({ user, body }) => ({ status: 201, body: await tokens.create(user, body) }),
  });
  table.add({
    method: 'get',
    path: '/api/tokens',
    summary: 'API tokens (never their secrets) with last use',
    tag: 'tokens',
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    responses: { 200: { description: 'Tokens', schema: listOf(apiTokenSchema) } },
    handler: async () => ({ body: { items: await tokens.list() } }),
  });
  table.add({
    method: 'delete',
    path: '/api/tokens/:id',
    audits: { entity: 'token', id: ({ params }) => params.id },
    summary: 'Revoke a token; it stops working at once',
    tag: 'tokens',
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    responses: { 204: { description: 'Revoked' }, 404: { description: 'No active token' } },
    handler: async ({ params }) => {
      await tokens.revoke(params.id);
      return { status: 204 };
    },
  });
}
