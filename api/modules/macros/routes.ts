// Macro endpoints: the shared and personal macros, a preview on one ticket, and applying to one or many tickets.
import type { RouteTable } from '../../http/routes';
import { listOf } from '../../http/shapes';
import { applyBody, macroBody, macroSchema, previewBody, previewSchema, type ApplyBody, type MacroBody, type PreviewBody } from './schemas';
import type { MacroService } from './service';
import { bulkResultSchema, bulkResultsOf } from '../tickets/schemas';

const results = bulkResultsOf({
  ...bulkResultSchema,
  title: 'MacroResult',
  required: [...bulkResultSchema.required, 'number'],
  properties: { ...bulkResultSchema.properties, number: { type: ['string', 'null'] } },
});

export function macroRoutes(table: RouteTable, macros: MacroService): void {
  table.add({
    method: 'get',
    path: '/api/macros',
    summary: 'The macros the caller may apply: those shared with every agent, and their own',
    tag: 'macros',
    auth: 'user',
    responses: { 200: { description: 'Macros by name', schema: listOf(macroSchema) }, 403: { description: 'Customers' } },
    handler: async ({ user }) => ({ body: { items: await macros.list(user) } }),
  });
  table.add<MacroBody>({
    method: 'post',
    path: '/api/macros',
    summary: 'Create a macro: a reply (Markdown with variables, in English and/or French) and actions. Agents create their own; admins may share one with every agent',
    tag: 'macros',
    auth: 'user',
    body: macroBody,
    responses: { 201: { description: 'Created', schema: macroSchema }, 403: { description: 'Customers, or an agent sharing' }, 409: { description: 'Name taken' }, 422: { description: 'No action, or an unknown variable or tag' } },
    handler: async ({ user, body }) => {
      const macro = await macros.create(user, body);
      return { status: 201, body: macro, headers: { Location: `/api/macros/${macro.id}` } };
    },
  });
  table.add({
    method: 'get',
    path: '/api/macros/:id',
    summary: 'One macro (shared, or yours)',
    tag: 'macros',
    auth: 'user',
    responses: { 200: { description: 'The macro', schema: macroSchema }, 403: { description: 'Customers' }, 404: { description: 'No such macro the caller may use' } },
    handler: async ({ user, params }) => ({ body: await macros.get(user, params.id) }),
  });
  table.add<MacroBody>({
    method: 'put',
    path: '/api/macros/:id',
    summary: 'Replace a macro (yours; shared ones: admins)',
    tag: 'macros',
    auth: 'user',
    body: macroBody,
    responses: { 200: { description: 'The macro', schema: macroSchema }, 403: { description: 'A shared macro, for an agent' }, 404: { description: 'No such macro the caller may use' }, 409: { description: 'Name taken' }, 422: { description: 'No action, or an unknown variable or tag' } },
    handler: async ({ user, params, body }) => ({ body: await macros.update(user, params.id, body) }),
  });
  table.add({
    method: 'delete',
    path: '/api/macros/:id',
    summary: 'Delete a macro (yours; shared ones: admins)',
    tag: 'macros',
    auth: 'user',
    responses: { 204: { description: 'Deleted' }, 403: { description: 'A shared macro, for an agent' }, 404: { description: 'No such macro the caller may use' } },
    handler: async ({ user, params }) => {
      await macros.remove(user, params.id);
      return { status: 204 };
    },
  });
  table.add<PreviewBody>({
    method: 'post',
    path: '/api/macros/:id/preview',
    summary: 'What the macro would do to one ticket, changing nothing: its reply filled in, in the requester\'s language, and each action, with what the ticket would refuse',
    tag: 'macros',
    auth: 'user',
    body: previewBody,
    responses: { 200: { description: 'The preview', schema: previewSchema }, 403: { description: 'Customers' }, 404: { description: 'No such macro or ticket visible to the caller' }, 422: { description: 'The reply is empty for this ticket' } },
    handler: async ({ user, params, body }) => ({ body: await macros.preview(user, params.id, body.ticketId) }),
  });
  table.add<ApplyBody>({
    method: 'post',
    path: '/api/macros/:id/apply',
    summary: 'Apply the macro to up to 100 tickets. Each ticket takes all of it or none: a ticket that refuses a part (a transition its workflow does not allow now) is reported with the reason and left unchanged',
    tag: 'macros',
    auth: 'user',
    body: applyBody,
    responses: { 200: { description: 'Per-ticket results', schema: results }, 403: { description: 'Customers' }, 404: { description: 'No such macro the caller may use' } },
    handler: async ({ user, params, body }) => ({ body: await macros.apply(user, params.id, body) }),
  });
}
