// SCIM 2.0 (RFC 7643/7644) for identity providers: /scim/v2/Users and /Groups, reached only with an API token of scope 'scim'.
import type { Context } from 'koa';
import type { RouteSpec, RouteTable } from '../../http/routes';
import { SCIM_CONTENT_TYPE } from './errors';
import { ScimGroups } from './groups';
import { LIST_RESPONSE, MAX_PAGE, PATCH_OP, RESOURCE_TYPES, SCHEMA_DOCS, SERVICE_PROVIDER_CONFIG } from './resource-schema';
import { ScimUsers } from './users';
import type { PatchOperation } from './patch';
import type { EntityManager } from '@mikro-orm/postgresql';

type Json = Record<string, unknown>;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    filter: { type: 'string', maxLength: 500, description: 'A SCIM filter, e.g. userName eq "ana@example.com"' },
    startIndex: { type: 'string', pattern: '^[0-9]{1,9}$', description: '1-based index of the first result' },
    count: { type: 'string', pattern: '^[0-9]{1,9}$', description: `results per page (at most ${MAX_PAGE})` },
    attributes: { type: 'string', maxLength: 200 },
    excludedAttributes: { type: 'string', maxLength: 200 },
  },
} as const;
type ListQuery = { filter?: string; startIndex?: string; count?: string; attributes?: string; excludedAttributes?: string };
const getQuery = { type: 'object', additionalProperties: false, properties: { attributes: listQuery.properties.attributes, excludedAttributes: listQuery.properties.excludedAttributes } } as const;

/** Resources carry many more attributes than the desk keeps; the mapping reads what it knows and ignores the rest. */
const resourceBody = (required: string) =>
  ({ type: 'object', required: [required], properties: { schemas: { type: 'array', items: { type: 'string' } }, [required]: { type: 'string', minLength: 1 } } }) as const;
const patchBody = {
  type: 'object',
  required: ['schemas', 'Operations'],
  properties: {
    schemas: { type: 'array', contains: { const: PATCH_OP } },
    Operations: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: { type: 'object', required: ['op'], properties: { op: { type: 'string' }, path: { type: 'string', maxLength: 1000 }, value: {} } },
    },
  },
} as const;

const scimResponses = (ok: Record<number, string>) => ({
  ...Object.fromEntries(Object.entries(ok).map(([status, description]) => [status, Number(status) === 204 || Number(status) === 304 ? { description } : { description, schema: { type: 'object' } }])),
  400: { description: 'SCIM error: invalidFilter, invalidPath, invalidValue, invalidSyntax, noTarget or mutability' },
  401: { description: 'No or bad token' },
  403: { description: "Not an API token of scope 'scim'" },
});

/** Where this desk's SCIM service is, as the caller reached it (the proxy's host and scheme when trusted). */
const baseOf = (ctx: Context) => `${ctx.origin}/scim/v2`;

function pageOf(query: ListQuery): { startIndex: number; count: number } {
  const startIndex = Math.max(1, Number(query.startIndex ?? 1));
  const count = Math.min(MAX_PAGE, Number(query.count ?? 100));
  return { startIndex, count };
}

const names = (list: string | undefined) => (list ? list.split(',').map((a) => a.trim().toLowerCase()).filter(Boolean) : []);

/** `attributes` keeps only those (and id, schemas, meta); `excludedAttributes` drops those. Top-level names and their sub-paths. */
function project(resource: Json, query: { attributes?: string; excludedAttributes?: string }): Json {
  const keep = names(query.attributes).map((a) => a.split('.')[0]!.replace(/^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/, ''));
  const drop = names(query.excludedAttributes).map((a) => a.replace(/^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/, ''));
  return Object.fromEntries(
    Object.entries(resource).filter(([k]) => {
      const key = k.toLowerCase();
      if (key === 'id' || key === 'schemas' || key === 'meta') return true;
      if (keep.length) return keep.some((a) => a === key || a.startsWith(`${key}:`));
      return !drop.includes(key);
    }),
  );
}

function resourceReply(resource: Json, status = 200, ctx?: Context): { status: number; body: Json; headers: Record<string, string> } {
  const meta = resource.meta as { version: string; location: string };
  if (status === 200 && ctx && ctx.get('if-none-match').split(',').map((t) => t.trim()).includes(meta.version)) {
    return { status: 304, body: undefined as unknown as Json, headers: { ETag: meta.version, 'Content-Type': SCIM_CONTENT_TYPE } };
  }
  return { status, body: resource, headers: { ETag: meta.version, 'Content-Type': SCIM_CONTENT_TYPE, ...(status === 201 ? { Location: meta.location } : {}) } };
}

const listReply = (list: { total: number; resources: Json[] }, startIndex: number, query: ListQuery) => ({
  body: { schemas: [LIST_RESPONSE], totalResults: list.total, startIndex, itemsPerPage: list.resources.length, Resources: list.resources.map((r) => project(r, query)) },
  headers: { 'Content-Type': SCIM_CONTENT_TYPE },
});

const ifMatch = (ctx: Context) => ctx.get('if-match') || undefined;

export function scimRoutes(table: RouteTable, em: EntityManager): void {
  const users = new ScimUsers(em);
  const groups = new ScimGroups(em);
  const add = <B = unknown, Q = unknown>(spec: Omit<RouteSpec<B, Q>, 'auth' | 'scope' | 'tag'>) => table.add<B, Q>({ ...spec, auth: 'user', scope: 'scim', tag: 'scim', mediaType: 'application/scim+json' });
  const fixed = (path: string, summary: string, body: unknown) =>
    add({ method: 'get', path: `/scim/v2${path}`, summary, responses: scimResponses({ 200: 'The document' }), handler: () => ({ body, headers: { 'Content-Type': SCIM_CONTENT_TYPE } }) });

  fixed('/ServiceProviderConfig', 'What this SCIM service supports (patch, filter, ETags; no bulk, no sort)', SERVICE_PROVIDER_CONFIG);
  fixed('/ResourceTypes', 'The resource types: User (with the enterprise extension) and Group', { schemas: [LIST_RESPONSE], totalResults: RESOURCE_TYPES.length, startIndex: 1, itemsPerPage: RESOURCE_TYPES.length, Resources: RESOURCE_TYPES });
  fixed('/Schemas', 'The attributes this desk keeps, per schema', { schemas: [LIST_RESPONSE], totalResults: SCHEMA_DOCS.length, startIndex: 1, itemsPerPage: SCHEMA_DOCS.length, Resources: SCHEMA_DOCS });

  add<unknown, ListQuery>({
    method: 'get',
    path: '/scim/v2/Users',
    summary: 'List or find users (SCIM filter, startIndex/count pages)',
    query: listQuery,
    responses: scimResponses({ 200: 'A ListResponse' }),
    handler: async ({ query, ctx }) => {
      const page = pageOf(query);
      return listReply(await users.list({ filter: query.filter, ...page }, baseOf(ctx)), page.startIndex, query);
    },
  });
  add<Json>({
    method: 'post',
    path: '/scim/v2/Users',
    summary: 'Provision a user (a user deleted earlier comes back with its tickets)',
    body: resourceBody('userName'),
    audits: { entity: 'user', id: ({ reply }) => (reply as { id?: string } | undefined)?.id },
    responses: scimResponses({ 201: 'Created', 409: 'userName or e-mail already used (uniqueness)' }),
    handler: async ({ body, ctx }) => {
      const created = await users.create(body, baseOf(ctx));
      return resourceReply(created.resource, created.status);
    },
  });
  add<unknown, { attributes?: string; excludedAttributes?: string }>({
    method: 'get',
    path: '/scim/v2/Users/:id',
    summary: 'Read a user (ETag; If-None-Match answers 304)',
    query: getQuery,
    responses: scimResponses({ 200: 'The user', 304: 'Not modified', 404: 'No such user' }),
    handler: async ({ params, query, ctx }) => {
      const reply = resourceReply(await users.get(params.id!, baseOf(ctx)), 200, ctx);
      return reply.body ? { ...reply, body: project(reply.body, query) } : reply;
    },
  });
  add<Json>({
    method: 'put',
    path: '/scim/v2/Users/:id',
    summary: 'Replace a user (If-Match honoured)',
    body: resourceBody('userName'),
    audits: { entity: 'user', id: ({ params }) => params.id },
    responses: scimResponses({ 200: 'The user', 404: 'No such user', 409: 'uniqueness, or the last admin', 412: 'If-Match does not match' }),
    handler: async ({ params, body, ctx }) => resourceReply(await users.replace(params.id!, body, ifMatch(ctx), baseOf(ctx))),
  });
  add<{ Operations: PatchOperation[] }>({
    method: 'patch',
    path: '/scim/v2/Users/:id',
    summary: 'Change a user with PATCH operations, all or nothing (If-Match honoured)',
    body: patchBody,
    audits: { entity: 'user', id: ({ params }) => params.id },
    responses: scimResponses({ 200: 'The user', 404: 'No such user', 409: 'uniqueness, or the last admin', 412: 'If-Match does not match' }),
    handler: async ({ params, body, ctx }) => resourceReply(await users.patch(params.id!, body.Operations, ifMatch(ctx), baseOf(ctx))),
  });
  add({
    method: 'delete',
    path: '/scim/v2/Users/:id',
    summary: 'Deprovision a user: the account is disabled and leaves SCIM; its tickets stay',
    audits: { entity: 'user', id: ({ params }) => params.id },
    responses: scimResponses({ 204: 'Deleted', 404: 'No such user', 409: 'The last admin', 412: 'If-Match does not match' }),
    handler: async ({ params, ctx }) => {
      await users.remove(params.id!, ifMatch(ctx), baseOf(ctx));
      return { status: 204 };
    },
  });

  add<unknown, ListQuery>({
    method: 'get',
    path: '/scim/v2/Groups',
    summary: 'List or find agent groups (excludedAttributes=members leaves members out)',
    query: listQuery,
    responses: scimResponses({ 200: 'A ListResponse' }),
    handler: async ({ query, ctx }) => {
      const page = pageOf(query);
      const withMembers = !names(query.excludedAttributes).includes('members') && (!query.attributes || names(query.attributes).some((a) => a.startsWith('members')));
      return listReply(await groups.list({ filter: query.filter, ...page, withMembers }, baseOf(ctx)), page.startIndex, query);
    },
  });
  add<Json>({
    method: 'post',
    path: '/scim/v2/Groups',
    summary: 'Create an agent group (its id is a key made from displayName)',
    body: resourceBody('displayName'),
    audits: { entity: 'group', id: ({ reply }) => (reply as { id?: string } | undefined)?.id },
    responses: scimResponses({ 201: 'Created', 409: 'displayName already used (uniqueness)' }),
    handler: async ({ body, ctx }) => resourceReply(await groups.create(body, baseOf(ctx)), 201),
  });
  add<unknown, { attributes?: string; excludedAttributes?: string }>({
    method: 'get',
    path: '/scim/v2/Groups/:key',
    summary: 'Read an agent group (ETag; If-None-Match answers 304)',
    query: getQuery,
    responses: scimResponses({ 200: 'The group', 304: 'Not modified', 404: 'No such group' }),
    handler: async ({ params, query, ctx }) => {
      const reply = resourceReply(await groups.get(params.key!, baseOf(ctx)), 200, ctx);
      return reply.body ? { ...reply, body: project(reply.body, query) } : reply;
    },
  });
  add<Json>({
    method: 'put',
    path: '/scim/v2/Groups/:key',
    summary: 'Replace an agent group and its members (If-Match honoured)',
    body: resourceBody('displayName'),
    audits: { entity: 'group', id: ({ params }) => params.key },
    responses: scimResponses({ 200: 'The group', 404: 'No such group', 409: 'uniqueness', 412: 'If-Match does not match' }),
    handler: async ({ params, body, ctx }) => resourceReply(await groups.replace(params.key!, body, ifMatch(ctx), baseOf(ctx))),
  });
  add<{ Operations: PatchOperation[] }>({
    method: 'patch',
    path: '/scim/v2/Groups/:key',
    summary: 'Change an agent group or its members with PATCH operations, all or nothing',
    body: patchBody,
    audits: { entity: 'group', id: ({ params }) => params.key },
    responses: scimResponses({ 200: 'The group', 404: 'No such group', 409: 'uniqueness', 412: 'If-Match does not match' }),
    handler: async ({ params, body, ctx }) => resourceReply(await groups.patch(params.key!, body.Operations, ifMatch(ctx), baseOf(ctx))),
  });
  add({
    method: 'delete',
    path: '/scim/v2/Groups/:key',
    summary: 'Delete an agent group that works no queue, holds no open ticket and owns nothing',
    audits: { entity: 'group', id: ({ params }) => params.key },
    responses: scimResponses({ 204: 'Deleted', 404: 'No such group', 409: 'Still in use', 412: 'If-Match does not match' }),
    handler: async ({ params, ctx }) => {
      await groups.remove(params.key!, ifMatch(ctx), baseOf(ctx));
      return { status: 204 };
    },
  });
}
