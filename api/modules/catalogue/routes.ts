// Service catalogue endpoints: offerings for admins (under /offerings), items, forms, pickers and submissions for
// requesters (under /items), and a ticket's request form.
import type { RouteTable } from '../../http/routes';
import { listOf } from '../../http/shapes';
import { idempotencyKey } from '../../http/idempotency-key';
import { notFound } from '../../http/problem';
import { openedTicketReply, type Backpressure } from '../tickets/backpressure';
import { ticketSchema } from '../tickets/schemas';
import type { OfferingService } from './offerings';
import type { CatalogueRequests } from './requests';
import {
  catalogueFormSchema,
  catalogueItemSchema,
  catalogueQuery,
  choiceSchema,
  offeringBody,
  offeringPatch,
  offeringSchema,
  requestBody,
  ticketRequestFormSchema,
  type OfferingBody,
  type OfferingPatch,
  type RequestBody,
} from './schemas';

const invalid = { 422: { description: 'The offering is invalid: each error names its element (form field, organisation, queue, preset field)' } };

export function catalogueRoutes(table: RouteTable, offerings: OfferingService, requests: CatalogueRequests, backpressure?: Backpressure): void {
  const audits = { entity: 'catalogue_offering' as const };
  table.add({
    method: 'get',
    path: '/api/catalogue/offerings',
    summary: 'Every offering of the service catalogue, published or not, with its current form (admin)',
    tag: 'catalogue',
    auth: 'user',
    scope: 'admin', permission: 'admin.definitions',
    responses: { 200: { description: 'Offerings', schema: listOf(offeringSchema) } },
    handler: async () => ({ body: { items: await offerings.list() } }),
  });
  table.add<OfferingBody>({
    method: 'post',
    path: '/api/catalogue/offerings',
    summary: 'Add an offering with its form (version 1); checked whole, nothing saved while any element is wrong (admin)',
    tag: 'catalogue',
    auth: 'user',
    scope: 'admin', permission: 'admin.definitions',
    body: offeringBody,
    audits: { ...audits, id: ({ reply }) => (reply as { id?: string } | undefined)?.id },
    responses: { 201: { description: 'The offering', schema: offeringSchema }, 409: { description: 'The key is taken' }, ...invalid },
    handler: async ({ body, user }) => ({ status: 201, body: await offerings.create(body, user.id) }),
  });
  table.add({
    method: 'get',
    path: '/api/catalogue/offerings/:id',
    summary: 'One offering with its current form (admin)',
    tag: 'catalogue',
    auth: 'user',
    scope: 'admin', permission: 'admin.definitions',
    responses: { 200: { description: 'The offering', schema: offeringSchema }, 404: { description: 'No such offering' } },
    handler: async ({ params }) => ({ body: await offerings.get(params.id!) }),
  });
  table.add<OfferingPatch>({
    method: 'patch',
    path: '/api/catalogue/offerings/:id',
    summary: 'Change an offering; a changed form becomes a new version, and requests already submitted keep theirs (admin)',
    tag: 'catalogue',
    auth: 'user',
    scope: 'admin', permission: 'admin.definitions',
    body: offeringPatch,
    audits: { ...audits, id: ({ params }) => params.id },
    responses: { 200: { description: 'The offering', schema: offeringSchema }, 404: { description: 'No such offering' }, 409: { description: 'The key is taken' }, ...invalid },
    handler: async ({ params, body, user }) => ({ body: await offerings.update(params.id!, body, user.id) }),
  });
  table.add({
    method: 'delete',
    path: '/api/catalogue/offerings/:id',
    summary: 'Delete an offering nobody has submitted yet (admin); one with requests is unpublished instead',
    tag: 'catalogue',
    auth: 'user',
    scope: 'admin', permission: 'admin.definitions',
    audits: { ...audits, id: ({ params }) => params.id },
    responses: { 204: { description: 'Deleted' }, 404: { description: 'No such offering' }, 409: { description: 'Requests were submitted with it' } },
    handler: async ({ params }) => {
      await offerings.remove(params.id!);
      return {};
    },
  });

  table.add<unknown, { q?: string }>({
    method: 'get',
    path: '/api/catalogue/items',
    summary: "The published offerings the caller may request (a customer's: those open to everyone or to their organisation), searched by q",
    tag: 'catalogue',
    auth: 'user',
    query: catalogueQuery,
    responses: { 200: { description: 'Offerings', schema: listOf(catalogueItemSchema) } },
    handler: async ({ user, query }) => ({ body: { items: await requests.list(user, query.q) } }),
  });
  table.add({
    method: 'get',
    path: '/api/catalogue/items/:key',
    summary: "An offering's current form, with the address of its compiled answer check",
    tag: 'catalogue',
    auth: 'user',
    responses: { 200: { description: 'The form', schema: catalogueFormSchema }, 404: { description: 'Not in your catalogue' } },
    handler: async ({ user, params }) => ({ body: await requests.form(user, params.key!) }),
  });
  table.add({
    method: 'get',
    path: '/api/catalogue/items/:key/forms/:version/check.js',
    summary: "A form version's answer check as an ES module (text/javascript): the ajv code the server checks submissions with, run by the console before it submits",
    tag: 'catalogue',
    auth: 'user',
    responses: { 200: { description: 'text/javascript: an ES module whose default export checks the answers' }, 404: { description: 'Not in your catalogue, or no such version' } },
    handler: async ({ user, params, ctx }) => {
      if (!/^[1-9]\d{0,8}$/.test(params.version!)) throw notFound(`no version '${params.version}' of this form`);
      const source = await requests.checkModule(user, params.key!, Number(params.version));
      ctx.type = 'text/javascript; charset=utf-8';
      // A version never changes; the address names it.
      ctx.set('Cache-Control', 'private, max-age=86400, immutable');
      ctx.body = source;
      return {};
    },
  });
  table.add<unknown, { q?: string }>({
    method: 'get',
    path: '/api/catalogue/items/:key/choices/:field',
    summary: "What a person or asset picker of the form offers: a customer picks people of their organisation, staff anyone; assets of the field's category",
    tag: 'catalogue',
    auth: 'user',
    query: catalogueQuery,
    responses: { 200: { description: 'Choices', schema: listOf(choiceSchema) }, 404: { description: 'Not in your catalogue, or no such picker' } },
    handler: async ({ user, params, query }) => ({ body: { items: await requests.choices(user, params.key!, params.field!, query.q) } }),
  });
  table.add<RequestBody>({
    method: 'post',
    path: '/api/catalogue/items/:key/requests',
    summary: "Submit an offering's form: the answers are checked against the version shown, and the ticket opens with the offering's type, queue, priority and fields. Idempotency-Key makes retries safe.",
    tag: 'catalogue',
    auth: 'user',
    body: requestBody,
    responses: {
      201: { description: 'The ticket', schema: ticketSchema },
      404: { description: 'Not in your catalogue' },
      409: { description: 'The form changed since it was shown' },
      422: { description: 'Invalid answers, each at /answers/<field>' },
      503: { description: 'Workflow engine unreachable, or the workers are behind (busy, with Retry-After): retry later' },
    },
    handler: ({ user, params, body, ctx }) => openedTicketReply(backpressure, (admit) => requests.submit(user, params.key!, body, idempotencyKey(ctx), admit)),
  });
  table.add({
    method: 'get',
    path: '/api/tickets/:id/request-form',
    summary: 'The catalogue form a ticket was submitted with (its version) and the answers, to whoever may see the ticket',
    tag: 'catalogue',
    auth: 'user',
    responses: { 200: { description: 'The request form, or null', schema: ticketRequestFormSchema }, 404: { description: 'No such ticket' } },
    handler: async ({ user, params }) => ({ body: await requests.ofTicket(user, params.id!) }),
  });
}
