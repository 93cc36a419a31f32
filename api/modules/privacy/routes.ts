// Personal data over HTTP (admins): a person's export and erasure, and the retention policies with their dry run.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import type { RouteTable } from '../../http/routes';
import { listOf } from '../../http/shapes';
import type { Logger } from '../../../platform/logger';
import { ErasureService } from './erasure';
import { tellWorkflows } from '../../../platform/privacy/tell-workflows';
import { PersonalDataExport } from './export';
import type { AttachmentBytes } from '../attachments/bytes';
import { RetentionPolicies, policyBody, policyPatch, previewBody, type PolicyBody } from './retention-policies';
import type { RetentionScope } from '../../../platform/privacy/retention';

const eraseBody = {
  type: 'object',
  required: ['confirm'],
  additionalProperties: false,
  properties: { confirm: { type: 'string', maxLength: 254, description: "The account's e-mail address, typed again: erasure cannot be undone" } },
} as const;

const policySchema = {
  title: 'RetentionPolicy',
  type: 'object',
  required: ['id', 'name', 'organisationId', 'organisationName', 'ticketType', 'afterDays', 'enabled', 'due', 'lastRun'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    organisationId: { type: ['string', 'null'] },
    organisationName: { type: ['string', 'null'] },
    ticketType: policyBody.properties.ticketType,
    afterDays: { type: 'integer' },
    enabled: { type: 'boolean' },
    due: { type: 'integer', description: 'Tickets it would anonymise if run now' },
    lastRun: {
      type: ['object', 'null'],
      required: ['at', 'trigger', 'anonymised'],
      properties: { at: { type: 'string', format: 'date-time' }, trigger: { type: 'string', enum: ['schedule', 'manual'] }, anonymised: { type: 'integer' } },
    },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export function privacyRoutes(table: RouteTable, em: EntityManager, temporal: Client, taskQueue: string, log: Logger, bytes: AttachmentBytes): void {
  const exporter = new PersonalDataExport(em, bytes);
  const erasure = new ErasureService(em, tellWorkflows(temporal, (message, err) => log.warn({ err }, message)));
  const policies = new RetentionPolicies(em, temporal, taskQueue);

  table.add({
    method: 'get',
    path: '/api/users/:id/personal-data',
    summary: 'Everything the desk holds about a person, as one ZIP archive (admin)',
    tag: 'privacy',
    auth: 'user',
    scope: 'admin', permission: 'admin.privacy',
    responses: { 200: { description: 'application/zip: JSON documents and the files the person sent' }, 404: { description: 'No such user' } },
    handler: async ({ params, ctx }) => {
      const { filename, stream } = await exporter.open(params.id!);
      ctx.set('Content-Disposition', `attachment; filename="${filename}"`);
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'application/zip';
      ctx.body = stream;
      return {};
    },
  });
  table.add<{ confirm: string }>({
    method: 'post',
    path: '/api/users/:id/erase',
    summary: "Erase a person: account anonymised and disabled, their words and files replaced, their tickets anonymised; statistics kept (admin)",
    tag: 'privacy',
    auth: 'user',
    scope: 'admin', permission: 'admin.privacy',
    body: eraseBody,
    responses: {
      200: { description: 'What was erased', schema: { type: 'object', required: ['id', 'ticketsAnonymised', 'commentsRemoved', 'filesReplaced'], properties: { id: { type: 'string' }, ticketsAnonymised: { type: 'integer' }, commentsRemoved: { type: 'integer' }, filesReplaced: { type: 'integer' } } } },
      404: { description: 'No such user' },
      409: { description: 'The last active admin' },
      422: { description: 'Confirmation does not match, or already erased' },
    },
    handler: async ({ params, body, user }) => ({ body: await erasure.erase(params.id!, body.confirm, user) }),
  });

  table.add({
    method: 'get',
    path: '/api/retention/policies',
    summary: 'Retention policies, each with how many tickets it would anonymise now and its last run (admin)',
    tag: 'privacy',
    auth: 'user',
    scope: 'admin', permission: 'admin.privacy',
    responses: { 200: { description: 'Policies', schema: listOf(policySchema) } },
    handler: async () => ({ body: { items: await policies.list() } }),
  });
  table.add<RetentionScope>({
    method: 'post',
    path: '/api/retention/preview',
    summary: 'Dry run: how many closed tickets a policy with this scope would anonymise now (admin)',
    tag: 'privacy',
    auth: 'user',
    scope: 'admin', permission: 'admin.privacy',
    body: previewBody,
    responses: { 200: { description: 'The count', schema: { type: 'object', required: ['due'], properties: { due: { type: 'integer' } } } }, 422: { description: 'Unknown organisation' } },
    handler: async ({ body }) => ({ body: await policies.preview(body) }),
  });
  table.add<PolicyBody>({
    method: 'post',
    path: '/api/retention/policies',
    summary: 'Create a retention policy: anonymise closed tickets N days after closing (admin); the nightly schedule runs it',
    tag: 'privacy',
    auth: 'user',
    scope: 'admin', permission: 'admin.privacy',
    body: policyBody,
    responses: { 201: { description: 'Created, with its dry-run count', schema: policySchema }, 422: { description: 'Unknown organisation' } },
    handler: async ({ body }) => ({ status: 201, body: await policies.create(body) }),
  });
  table.add<Partial<PolicyBody>>({
    method: 'patch',
    path: '/api/retention/policies/:id',
    summary: 'Change a retention policy (admin)',
    tag: 'privacy',
    auth: 'user',
    scope: 'admin', permission: 'admin.privacy',
    body: policyPatch,
    responses: { 200: { description: 'Changed', schema: policySchema }, 404: { description: 'No such policy' }, 422: { description: 'Unknown organisation' } },
    handler: async ({ params, body }) => ({ body: await policies.update(params.id!, body) }),
  });
  table.add({
    method: 'delete',
    path: '/api/retention/policies/:id',
    summary: 'Delete a retention policy (what it anonymised stays so) (admin)',
    tag: 'privacy',
    auth: 'user',
    scope: 'admin', permission: 'admin.privacy',
    responses: { 204: { description: 'Deleted' }, 404: { description: 'No such policy' } },
    handler: async ({ params }) => {
      await policies.remove(params.id!);
      return { status: 204 };
    },
  });
  table.add({
    method: 'post',
    path: '/api/retention/policies/:id/run',
    summary: 'Run a retention policy now, through the durable retention workflow (admin)',
    tag: 'privacy',
    auth: 'user',
    scope: 'admin', permission: 'admin.privacy',
    responses: { 200: { description: 'How many tickets it anonymised', schema: { type: 'object', required: ['anonymised'], properties: { anonymised: { type: 'integer' } } } }, 404: { description: 'No such policy' }, 409: { description: 'Running already' } },
    handler: async ({ params }) => ({ body: await policies.runNow(params.id!) }),
  });
}
