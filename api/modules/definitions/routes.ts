// Workflow definitions over HTTP: list the published ones, read one version, validate a candidate.
import type { RouteTable } from '../../http/routes';
import { listOf } from '../../http/shapes';
import { notFound } from '../../http/problem';
import { definitionChangeSchema, definitionDocumentSchema, definitionSummarySchema, definitionVersionSchema, migrationReportSchema, validationResultSchema } from './schemas';
import type { DefinitionService } from './service';
import type { DefinitionMigrator, MigrationRequest } from './migration';
import { requireStaff } from '../auth/policy';


const versionSummary = (d: { key: string; version: number; status: string; createdAt: string; publishedAt: string | null }) => ({
  key: d.key,
  version: d.version,
  status: d.status,
  createdAt: d.createdAt,
  publishedAt: d.publishedAt,
});

const diffQuery = {
  type: 'object',
  required: ['from', 'to'],
  additionalProperties: false,
  properties: { from: { type: 'string', pattern: '^[1-9][0-9]{0,5}$' }, to: { type: 'string', pattern: '^[1-9][0-9]{0,5}$' } },
} as const;

const migrationBody = {
  type: 'object',
  required: ['fromVersion', 'toVersion'],
  additionalProperties: false,
  properties: {
    fromVersion: { type: 'integer', minimum: 1 },
    toVersion: { type: 'integer', minimum: 1 },
    stateMapping: { type: 'object', maxProperties: 100, additionalProperties: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$' } },
  },
} as const;


export function definitionRoutes(table: RouteTable, defs: DefinitionService, migrator: DefinitionMigrator): void {
  table.add({
    method: 'get',
    path: '/api/definitions',
    summary: 'The latest published version of every workflow definition',
    tag: 'definitions',
    auth: 'user',
    responses: { 200: { description: 'Definitions', schema: listOf(definitionSummarySchema) } },
    handler: async () => ({
      body: {
        items: (await defs.published()).map((d) => ({ key: d.key, version: d.version, name: d.body.name, types: d.body.types, status: d.status, publishedAt: d.publishedAt })),
      },
    }),
  });
  table.add({
    method: 'get',
    path: '/api/definitions/:key/versions/:version',
    summary: 'One version of a definition',
    tag: 'definitions',
    auth: 'user',
    responses: {
      200: {
        description: 'The definition document with its version and status',
        schema: definitionDocumentSchema,
      },
      404: { description: 'No such version' },
    },
    handler: async ({ params, user }) => {
      requireStaff(user, 'definitions are for agents and admins');
      const found = await defs.get(params.key, Number(params.version));
      return { body: { ...found.body, version: found.version, status: found.status } };
    },
  });
  table.add({
    method: 'post',
    path: '/api/definitions/validate',
    summary: 'Validate a definition (JSON Schema and semantic rules); errors carry JSON pointers',
    tag: 'definitions',
    auth: 'user',
    body: { type: 'object' },
    responses: {
      200: {
        description: 'Validation result',
        schema: validationResultSchema,
      },
    },
    handler: ({ body, user }) => {
      requireStaff(user, 'definitions are for agents and admins');
      const result = defs.validate(body);
      return { body: { valid: result.valid, errors: result.errors } };
    },
  });
  table.add({
    method: 'get',
    path: '/api/definitions/:key/versions',
    summary: 'Every version of a definition (published and draft)',
    tag: 'definitions',
    auth: 'user',
    responses: { 200: { description: 'Versions', schema: listOf(definitionVersionSchema) }, 404: { description: 'Unknown definition' } },
    handler: async ({ params, user }) => {
      requireStaff(user, 'definitions are for agents and admins');
      const versions = await defs.versions(params.key);
      if (!versions.length) throw notFound(`no definition '${params.key}'`);
      return { body: { items: versions.map(versionSummary) } };
    },
  });
  table.add({
    method: 'put',
    path: '/api/definitions/:key/draft',
    audits: { entity: 'definition', id: ({ params }) => params.key },
    summary: 'Create or replace the draft (next version) of a definition; refused with JSON pointers when invalid',
    tag: 'definitions',
    auth: 'user',
    scope: 'admin', permission: 'admin.definitions',
    body: { type: 'object' },
    responses: { 200: { description: 'The saved draft', schema: definitionVersionSchema }, 403: { description: 'Not an admin' }, 422: { description: 'Invalid definition' } },
    handler: async ({ params, body }) => {
      return { body: versionSummary(await defs.saveDraft(params.key, body)) };
    },
  });
  table.add({
    method: 'delete',
    path: '/api/definitions/:key/draft',
    audits: { entity: 'definition', id: ({ params }) => params.key },
    summary: 'Discard the draft',
    tag: 'definitions',
    auth: 'user',
    scope: 'admin', permission: 'admin.definitions',
    responses: { 204: { description: 'Discarded' }, 404: { description: 'No draft' } },
    handler: async ({ params }) => {
      await defs.discardDraft(params.key);
      return { status: 204 };
    },
  });
  table.add({
    method: 'post',
    path: '/api/definitions/:key/publish',
    audits: { entity: 'definition', id: ({ params }) => params.key },
    summary: 'Publish the draft: it becomes immutable and new tickets start on it',
    tag: 'definitions',
    auth: 'user',
    scope: 'admin', permission: 'admin.definitions',
    responses: { 200: { description: 'The published version', schema: definitionVersionSchema }, 404: { description: 'No draft' }, 422: { description: 'Invalid draft' } },
    handler: async ({ params }) => {
      return { body: versionSummary(await defs.publish(params.key)) };
    },
  });
  table.add<unknown, { from: string; to: string }>({
    method: 'get',
    path: '/api/definitions/:key/diff',
    summary: 'Structural differences between two versions',
    tag: 'definitions',
    auth: 'user',
    query: diffQuery,
    responses: { 200: { description: 'Changes', schema: listOf(definitionChangeSchema) }, 404: { description: 'Unknown version' } },
    handler: async ({ params, query, user }) => {
      requireStaff(user, 'definitions are for agents and admins');
      return { body: { items: await defs.diff(params.key, Number(query.from), Number(query.to)) } };
    },
  });
  table.add<MigrationRequest>({
    method: 'post',
    path: '/api/definitions/:key/migrations',
    audits: { entity: 'definition', id: ({ params }) => params.key },
    summary: 'Move running tickets of one version to a later published version, mapping their states; each ticket records it in its timeline',
    tag: 'definitions',
    auth: 'user',
    scope: 'admin', permission: 'admin.definitions',
    body: migrationBody,
    responses: { 200: { description: 'Per-ticket report', schema: migrationReportSchema }, 422: { description: 'Bad mapping' } },
    handler: async ({ params, body, user }) => {
      return { body: await migrator.migrate(params.key, body, { id: user.id, role: user.role }) };
    },
  });
}
