// Builds the OpenAPI 3.1 document from the route table, so the docs list exactly the routes the server serves.
import { isUuidParam, type RouteTable } from './http/routes';

const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', properties: { pointer: { type: 'string' }, message: { type: 'string' } } } },
  },
};

/** SCIM answers its errors in its own shape (RFC 7644 §3.12). */
const scimErrorSchema = {
  type: 'object',
  required: ['schemas', 'status'],
  properties: { schemas: { type: 'array', items: { type: 'string' } }, status: { type: 'string' }, scimType: { type: 'string' }, detail: { type: 'string' } },
};

const toOpenApiPath = (p: string) => p.replace(/:([A-Za-z_]+)/g, '{$1}');

function queryParameters(schema: object | undefined, hoist: (schema: object) => unknown) {
  const props = (schema as { properties?: Record<string, object> } | undefined)?.properties ?? {};
  return Object.entries(props).map(([name, s]) => ({ name, in: 'query', required: false, schema: hoist(s) }));
}

type Schema = Record<string, unknown>;
const SUBSCHEMA_MAPS = ['properties', 'patternProperties', '$defs'];
const SUBSCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];
const SUBSCHEMAS = ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains'];

/**
 * Moves every schema that names itself (`title`) into components and refers to it there, so clients generated from
 * the document get one named type per shape (`components['schemas']['Ticket']`) instead of a copy per operation.
 * Two different schemas under one title are a mistake in the API, refused when it starts.
 */
export function hoistNamedSchemas(schema: unknown, named: Record<string, Schema>): unknown {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return schema;
  const s = schema as Schema;
  const out: Schema = { ...s };
  for (const key of SUBSCHEMAS) if (key in s) out[key] = hoistNamedSchemas(s[key], named);
  for (const key of SUBSCHEMA_LISTS) if (Array.isArray(s[key])) out[key] = (s[key] as unknown[]).map((x) => hoistNamedSchemas(x, named));
  for (const key of SUBSCHEMA_MAPS) {
    if (typeof s[key] === 'object' && s[key] !== null) out[key] = Object.fromEntries(Object.entries(s[key] as Schema).map(([k, v]) => [k, hoistNamedSchemas(v, named)]));
  }
  if (typeof s.title !== 'string') return out;
  // Where a use adds its own description or default, they stay beside the reference (allowed in OpenAPI 3.1).
  const { description, default: byDefault, ...shape } = out;
  const known = named[s.title];
  if (known && JSON.stringify(known) !== JSON.stringify(shape)) throw new Error(`two different schemas are both titled '${s.title}'`);
  named[s.title] = shape;
  return { $ref: `#/components/schemas/${s.title}`, ...(description !== undefined ? { description } : {}), ...(byDefault !== undefined ? { default: byDefault } : {}) };
}

export function buildOpenApi(table: RouteTable, version: string) {
  const named: Record<string, Schema> = {};
  const hoist = (schema: object) => hoistNamedSchemas(schema, named);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of table.specs) {
    const path = toOpenApiPath(r.path);
    const pathParams = [...r.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: isUuidParam(m[1]) ? { type: 'string', format: 'uuid' } : ['seq', 'version', 'revision'].includes(m[1]!) ? { type: 'integer', minimum: 1 } : { type: 'string' },
    }));
    const responses: Record<string, unknown> = {};
    const errorContent = r.mediaType
      ? { [r.mediaType]: { schema: { $ref: '#/components/schemas/ScimError' } } }
      : { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
    for (const [status, res] of Object.entries(r.responses)) {
      const isProblem = Number(status) >= 400;
      responses[status] = {
        description: res.description,
        ...(isProblem
          ? { content: errorContent }
          : res.schema
            ? { content: { [r.mediaType ?? 'application/json']: { schema: hoist(res.schema) }, ...(res.csv ? { 'text/csv': { schema: { type: 'string' } } } : {}) } }
            : {}),
      };
    }
    // The errors every route can give, from the shared middleware, documented once here so no status goes undocumented.
    const problem = (description: string) => ({ description, content: errorContent });
    const common: Record<string, string> = { '400': 'Invalid request', '431': 'URL and headers together past 16 KiB', '503': 'PostgreSQL or Temporal unreachable; retry after Retry-After' };
    if (r.auth === 'user') Object.assign(common, { '401': 'Not authenticated', '403': 'Not allowed (role, API-token scope or CSRF token)' });
    else Object.assign(common, { '429': 'Too many requests from this address' });
    if (pathParams.length) common['404'] = 'No such resource visible to the caller';
    if (r.body || r.method === 'post') Object.assign(common, { '413': 'Body too large', '415': 'Unsupported media type' });
    if (r.method !== 'get') common['409'] = 'Conflicts with the current state';
    if (r.method !== 'get' || r.query) common['422'] = 'Semantically invalid';
    for (const [status, description] of Object.entries(common)) responses[status] ??= problem(description);
    paths[path] ??= {};
    paths[path][r.method] = {
      summary: r.summary,
      tags: [r.tag],
      operationId: `${r.method}${path.replace(/[{}]/g, '').replace(/\/(\w)/g, (_, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '')}`,
      ...(r.auth === 'public' ? { security: [] } : {}),
      parameters: [...pathParams, ...queryParameters(r.query, hoist)],
      ...(r.body ? { requestBody: { required: true, content: { [r.mediaType ?? 'application/json']: { schema: hoist(r.body) }, ...(r.mediaType ? { 'application/json': { schema: hoist(r.body) } } : {}) } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Guichet service desk API', version, description: 'Tickets are durable Temporal workflows; errors are RFC 9457 problem+json.' },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
    security: [{ session: [] }, { bearer: [] }],
    paths,
    components: {
      schemas: { Problem: problemSchema, ScimError: scimErrorSchema, ...named },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'guichet_session', description: 'From POST /api/auth/login; state-changing requests also send X-CSRF-Token' },
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token from POST /api/tokens (scopes read, write, admin; scim for /scim/v2 only)' },
      },
    },
  };
}
