// Workflow definitions over HTTP: list the published ones, read one version, validate a candidate.
import type { RouteTable } from '../../http/routes';
import { forbidden, notFound } from '../../http/problem';
import { definitionSchema } from '../../../workflow-definitions/index';
import type { DefinitionService } from './service';


export function definitionRoutes(table: RouteTable, defs: DefinitionService): void {
  table.add({
    method: 'get',
    path: '/api/definitions',
    summary: 'The latest published version of every workflow definition',
    tag: 'definitions',
    auth: 'user',
    responses: { 200: { description: 'Definitions', schema: { type: 'object', properties: { items: { type: 'array' } } } } },
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
    responses: { 200: { description: 'The definition document', schema: definitionSchema }, 404: { description: 'No such version' } },
    handler: async ({ params, user }) => {
      if (user.role === 'customer') throw forbidden('definitions are for agents and admins');
      const version = Number(params.version);
      const found = Number.isInteger(version) ? await defs.find(params.key, version) : null;
      if (!found) throw notFound(`no version ${params.version} of definition '${params.key}'`);
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
        schema: { type: 'object', properties: { valid: { type: 'boolean' }, errors: { type: 'array', items: { type: 'object', properties: { pointer: { type: 'string' }, message: { type: 'string' } } } } } },
      },
    },
    handler: ({ body, user }) => {
      if (user.role === 'customer') throw forbidden('definitions are for agents and admins');
      const result = defs.validate(body);
      return { body: { valid: result.valid, errors: result.errors } };
    },
  });
}
