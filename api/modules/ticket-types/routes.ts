// Ticket types: every signed-in caller lists them (the console names them); admins add, change and remove custom ones.
import type { RouteTable } from '../../http/routes';
import type { TicketTypeService } from './service';
import { createTicketTypeBody, patchTicketTypeBody, ticketTypeSchema, type CreateTicketTypeBody, type PatchTicketTypeBody } from './schemas';

const audits = { entity: 'ticket_type' as const, id: ({ params, body }: { params: Record<string, string>; body: unknown }) => params.key ?? (body as { key?: string } | undefined)?.key };

export function ticketTypeRoutes(table: RouteTable, types: TicketTypeService): void {
  table.add({
    method: 'get',
    path: '/api/ticket-types',
    summary: 'The ticket types: the four built in, then the custom ones with their definition',
    tag: 'definitions',
    auth: 'user',
    responses: { 200: { description: 'Types', schema: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: ticketTypeSchema } } } } },
    handler: async () => ({ body: await types.list() }),
  });
  table.add<CreateTicketTypeBody>({
    method: 'post',
    path: '/api/ticket-types',
    summary: 'Add a custom ticket type, run by a published definition (admin)',
    tag: 'definitions',
    auth: 'user',
    scope: 'admin',
    permission: 'admin.definitions',
    body: createTicketTypeBody,
    audits,
    responses: { 201: { description: 'The type', schema: ticketTypeSchema }, 409: { description: 'The key is taken (type-taken)' }, 422: { description: 'No such published definition (unknown-definition)' } },
    handler: async ({ body }) => ({ status: 201, body: await types.create(body) }),
  });
  table.add<PatchTicketTypeBody>({
    method: 'patch',
    path: '/api/ticket-types/:key',
    summary: "Rename a custom type, change its definition (for tickets opened after) or whether customers may open it (admin)",
    tag: 'definitions',
    auth: 'user',
    scope: 'admin',
    permission: 'admin.definitions',
    body: patchTicketTypeBody,
    audits,
    responses: { 200: { description: 'The type', schema: ticketTypeSchema }, 404: { description: 'No such custom type' }, 409: { description: 'A built-in type' }, 422: { description: 'No such published definition' } },
    handler: async ({ params, body }) => ({ body: await types.patch(params.key!, body) }),
  });
  table.add({
    method: 'delete',
    path: '/api/ticket-types/:key',
    summary: 'Remove a custom type no ticket or catalogue offering uses (admin)',
    tag: 'definitions',
    auth: 'user',
    scope: 'admin',
    permission: 'admin.definitions',
    audits,
    responses: { 204: { description: 'Removed' }, 404: { description: 'No such custom type' }, 409: { description: 'Built in, or in use (type-in-use)' } },
    handler: async ({ params }) => {
      await types.remove(params.key!);
      return { status: 204 };
    },
  });
}
