// Ticket endpoints: validate, call one service method, respond.
import type { RouteTable } from '../../http/routes';
import { badRequest } from '../../http/problem';
import { idempotencyKey } from '../../http/idempotency-key';
import {
  commentBody,
  createTicketBody,
  listTicketsQuery,
  ticketPageSchema,
  ticketSchema,
  timelineSchema,
  transitionBody,
  transitionsSchema,
  patchTicketBody,
  assignBody,
  type AssignBody,
  type PatchTicketBody,
  type CommentBody,
  type CreateTicketBody,
  type ListTicketsQuery,
  type TransitionBody,
} from './schemas';
import type { LinkRelation } from './links';
import type { TicketService } from './service';
import type { CollaborationService } from './collaboration';
import type { PeopleService } from '../people/service';
import { openedTicketReply, type Backpressure } from './backpressure';
import { ticketWorkflowId } from '../../../workflows/ticket-messages';
import { requireStaff } from '../auth/policy';
import { bulkBody, bulkResponseSchema, CHANNELS, savedViewBody, savedViewSchema, type BulkBody, type ListTicketsQuery as ViewQuery } from './schemas';
import { personSchema } from '../people/schemas';
import { listOf } from '../../http/shapes';
import { definitionSchema } from '../../../workflow-definitions/index';

const definitionField = definitionSchema.properties.fields.items.properties;

const problems = {
  401: { description: 'Not authenticated' },
  404: { description: 'No such ticket visible to the caller' },
};

export function ticketRoutes(
  table: RouteTable,
  tickets: TicketService,
  collab: CollaborationService,
  people: PeopleService,
  historyUrl: (workflowId: string) => string | null = () => null,
  backpressure?: Backpressure,
): void {
  table.add({
    method: 'get',
    path: '/api/tickets/:id/fields',
    summary: "The ticket's custom fields as the caller may use them: label, schema, value and whether they may change it (customers see only theirs)",
    tag: 'tickets',
    auth: 'user',
    responses: {
      200: {
        description: 'Fields',
        schema: listOf({
          title: 'TicketField',
          type: 'object',
          required: ['name', 'label', 'schema', 'value', 'editable'],
          properties: {
            name: { type: 'string' },
            label: definitionField.label,
            schema: definitionField.schema,
            value: { type: ['string', 'number', 'boolean', 'null'] },
            editable: { type: 'boolean', description: 'whether the caller may change it' },
          },
        }),
      },
      ...problems,
    },
    handler: async ({ user, params }) => ({ body: { items: await tickets.fields(user, params.id) } }),
  });
  table.add({
    method: 'get',
    path: '/api/tickets/:id/context',
    summary: 'What agents see beside a ticket: how it came in, its requester (organisation, e-mail, phone) and their other tickets the caller may see',
    tag: 'tickets',
    auth: 'user',
    responses: {
      200: {
        description: 'Context',
        schema: {
          title: 'TicketContext',
          type: 'object',
          required: ['channel', 'requester', 'otherTickets', 'assignees', 'slaPolicy', 'workflowId', 'historyUrl'],
          properties: {
            channel: { type: ['string', 'null'], enum: [...CHANNELS, null] },
            requester: { anyOf: [personSchema, { type: 'null' }] },
            otherTickets: { type: 'array', items: ticketSchema },
            assignees: { type: 'array', description: 'Agents and admins who may see the ticket, so may be assigned it', items: { type: 'object', required: ['id', 'name'], properties: { id: { type: 'string' }, name: { type: 'string' } } } },
            slaPolicy: {
              type: ['object', 'null'],
              description: "The SLA policy of the requester's organisation the ticket opened under (its name then); null: the definition's own targets",
              required: ['id', 'name'],
              properties: { id: { type: ['string', 'null'], description: 'null once the policy is deleted' }, name: { type: 'string' } },
            },
            workflowId: { type: 'string' },
            historyUrl: { type: ['string', 'null'], description: "The workflow's history in the Temporal Web UI, when the desk knows where it is" },
          },
        },
      },
      403: { description: 'Customers' },
      ...problems,
    },
    handler: async ({ user, params }) => {
      requireStaff(user, 'the ticket context is for agents and admins');
      const { ticket, channel, otherTickets, assignees, slaPolicy } = await tickets.context(user, params.id);
      const workflowId = ticketWorkflowId(ticket.id);
      return { body: { channel, requester: await people.get(ticket.requesterId), otherTickets, assignees, slaPolicy, workflowId, historyUrl: historyUrl(workflowId) } };
    },
  });
  table.add<CreateTicketBody>({
    method: 'post',
    path: '/api/tickets',
    summary: 'Open a ticket: starts its workflow on the latest published definition for the type. Idempotency-Key makes retries safe.',
    tag: 'tickets',
    auth: 'user',
    body: createTicketBody,
    responses: {
      201: { description: 'Created (or the first result of a replayed Idempotency-Key)', schema: ticketSchema },
      400: { description: 'Invalid body' },
      422: { description: 'Invalid fields' },
      503: { description: 'Workflow engine unreachable, or the workers are behind (busy, with Retry-After): retry later' },
    },
    handler: ({ body, user, ctx }) => openedTicketReply(backpressure, (admit) => tickets.create(user, body, idempotencyKey(ctx), undefined, { admit })),
  });
  table.add<unknown, ListTicketsQuery>({
    method: 'get',
    path: '/api/tickets',
    summary: 'List tickets visible to the caller, by priority then creation date, with keyset pagination',
    tag: 'tickets',
    auth: 'user',
    query: listTicketsQuery,
    responses: { 200: { description: 'One page', schema: ticketPageSchema }, 401: problems[401] },
    handler: async ({ query, user }) => ({ body: await tickets.list(user, query) }),
  });
  table.add<unknown, { include?: 'transitions' }>({
    method: 'get',
    path: '/api/tickets/:id',
    summary: 'One ticket with its state, definition version and live SLA clocks; ?include=transitions adds the transitions the caller may take now, so one request is enough to act',
    tag: 'tickets',
    auth: 'user',
    query: { type: 'object', additionalProperties: false, properties: { include: { type: 'string', enum: ['transitions'] } } },
    responses: {
      200: { description: 'The ticket (with `transitions` when asked)', schema: { allOf: [ticketSchema, { type: 'object', properties: { transitions: transitionsSchema.properties.items } }] } },
      ...problems,
    },
    handler: async ({ params, user, query }) => {
      const ticket = await tickets.get(user, params.id);
      return { body: query.include === 'transitions' ? { ...ticket, transitions: await tickets.transitions(user, params.id) } : ticket };
    },
  });
  table.add({
    method: 'get',
    path: '/api/tickets/:id/transitions',
    summary: 'Transitions the caller may take now',
    tag: 'tickets',
    auth: 'user',
    responses: { 200: { description: 'Transitions', schema: transitionsSchema }, ...problems },
    handler: async ({ params, user }) => ({ body: { items: await tickets.transitions(user, params.id) } }),
  });
  table.add<TransitionBody>({
    method: 'post',
    path: '/api/tickets/:id/transitions',
    summary: 'Take a transition; answers the ticket in its new state. Idempotency-Key makes retries and concurrent duplicates take it once.',
    tag: 'tickets',
    auth: 'user',
    body: transitionBody,
    responses: {
      200: { description: 'The ticket after the transition', schema: ticketSchema },
      409: { description: 'Not allowed now (state, role, guard, window)' },
      422: { description: 'Required fields missing or invalid' },
      ...problems,
    },
    handler: async ({ params, user, body, ctx }) => ({ body: await tickets.transition(user, params.id, body, idempotencyKey(ctx)) }),
  });
  table.add<CommentBody>({
    method: 'post',
    path: '/api/tickets/:id/comments',
    summary: 'Add a public comment or an internal note. Idempotency-Key makes retries and concurrent duplicates record it once.',
    tag: 'tickets',
    auth: 'user',
    body: commentBody,
    responses: { 201: { description: 'Recorded', schema: { type: 'object', properties: { seq: { type: 'integer' } } } }, 409: { description: 'Not allowed' }, ...problems },
    handler: async ({ params, user, body, ctx }) => ({ status: 201, body: await tickets.comment(user, params.id, body, idempotencyKey(ctx)) }),
  });
  table.add({
    method: 'get',
    path: '/api/tickets/:id/timeline',
    summary: 'Every event of the ticket in order (customers see public events only)',
    tag: 'tickets',
    auth: 'user',
    responses: { 200: { description: 'Timeline', schema: timelineSchema }, ...problems },
    handler: async ({ params, user }) => ({ body: { items: await tickets.timeline(user, params.id) } }),
  });
  table.add<{ ticketId: string; relation?: LinkRelation }>({
    method: 'post',
    path: '/api/tickets/:id/links',
    summary:
      "Link two tickets both ways: a problem and an incident ('problem', the default), this ticket as parent of ticketId ('child'), 'related', or 'duplicate' (this ticket merges into ticketId and closes)",
    tag: 'tickets',
    auth: 'user',
    body: {
      type: 'object',
      required: ['ticketId'],
      additionalProperties: false,
      properties: { ticketId: { type: 'string', format: 'uuid' }, relation: { title: 'LinkRelation', type: 'string', enum: ['problem', 'child', 'related', 'duplicate'], default: 'problem' } },
    },
    responses: { 200: { description: 'The ticket with its links', schema: ticketSchema }, 409: { description: 'Already linked or finished' }, 422: { description: 'Tickets that cannot be linked that way' }, ...problems },
    handler: async ({ params, user, body }) => ({ body: await tickets.link(user, params.id, body.ticketId, body.relation ?? 'problem') }),
  });
  table.add<unknown, { relation?: LinkRelation }>({
    method: 'delete',
    path: '/api/tickets/:id/links/:otherId',
    summary: 'Remove a link',
    tag: 'tickets',
    auth: 'user',
    query: { type: 'object', additionalProperties: false, properties: { relation: { type: 'string', enum: ['problem', 'child', 'related'] } } },
    responses: { 200: { description: 'The ticket with its links', schema: ticketSchema }, 409: { description: 'Not linked' }, ...problems },
    handler: async ({ params, user, query }) => ({ body: await tickets.link(user, params.id, params.otherId, query.relation ?? 'problem', true) }),
  });
  table.add<PatchTicketBody>({
    method: 'patch',
    path: '/api/tickets/:id',
    summary: 'Change the priority (SLA targets follow) or custom fields',
    tag: 'tickets',
    auth: 'user',
    body: patchTicketBody,
    responses: { 200: { description: 'The updated ticket', schema: ticketSchema }, 409: { description: 'Not allowed now' }, 422: { description: 'Invalid fields' }, ...problems },
    handler: async ({ params, user, body }) => ({ body: await tickets.patch(user, params.id, body) }),
  });
  table.add<AssignBody>({
    method: 'post',
    path: '/api/tickets/:id/assign',
    summary: 'Assign to an agent (or unassign with null), optionally moving it to another queue',
    tag: 'tickets',
    auth: 'user',
    body: assignBody,
    responses: { 200: { description: 'The updated ticket', schema: ticketSchema }, 422: { description: 'Unknown assignee or queue' }, ...problems },
    handler: async ({ params, user, body }) => ({ body: await tickets.assign(user, params.id, body) }),
  });
  table.add<{ body: string }>({
    method: 'patch',
    path: '/api/tickets/:id/comments/:seq',
    summary: "Edit a comment (its author or an admin); the previous text stays in the comment's revisions and the timeline",
    tag: 'tickets',
    auth: 'user',
    body: { type: 'object', required: ['body'], additionalProperties: false, properties: { body: commentBody.properties.body } },
    responses: { 200: { description: 'The edit event', schema: { type: 'object', properties: { seq: { type: 'integer' } } } }, 403: { description: 'Not its author (nor an admin)' }, 409: { description: 'Not a comment' }, ...problems },
    handler: async ({ params, user, body }) => {
      const seq = Number(params.seq);
      if (!Number.isInteger(seq) || seq < 1) throw badRequest('seq must be a positive integer', [{ pointer: '/path/seq', message: 'not a sequence number' }]);
      return { body: await tickets.editComment(user, params.id, seq, body.body) };
    },
  });
  table.add<BulkBody>({
    method: 'post',
    path: '/api/tickets/bulk',
    summary: 'Apply one transition, assignment or priority to up to 100 tickets; each ticket reports its own outcome',
    tag: 'tickets',
    auth: 'user',
    body: bulkBody,
    responses: { 200: { description: 'Per-ticket results', schema: bulkResponseSchema }, 403: { description: 'Customers' } },
    handler: async ({ user, body }) => ({ body: await collab.bulk(user, body) }),
  });
  table.add({
    method: 'get',
    path: '/api/views',
    summary: 'Your saved ticket views, then those shared with everyone on staff or with your groups (each says its owner and whether it is yours)',
    tag: 'views',
    auth: 'user',
    responses: { 200: { description: 'Views', schema: listOf(savedViewSchema) } },
    handler: async ({ user }) => ({ body: { items: await collab.listViews(user) } }),
  });
  table.add<{ name: string; query: Omit<ViewQuery, 'cursor'>; sharedWith?: 'me' | 'group' | 'everyone'; group?: string }>({
    method: 'post',
    path: '/api/views',
    summary: 'Save a ticket view (the filters of GET /api/tickets) under a name',
    tag: 'views',
    auth: 'user',
    body: savedViewBody,
    responses: { 201: { description: 'Saved', schema: savedViewSchema }, 403: { description: 'Sharing not allowed to the caller' }, 409: { description: 'Name taken' }, 422: { description: 'Unknown group' } },
    handler: async ({ user, body }) => ({ status: 201, body: await collab.saveView(user, body.name, body.query, { sharedWith: body.sharedWith, group: body.group }) }),
  });
  table.add({
    method: 'delete',
    path: '/api/views/:id',
    summary: 'Delete one of your saved views (admins: any shared view too)',
    tag: 'views',
    auth: 'user',
    responses: { 204: { description: 'Deleted' }, 404: { description: 'No such view of yours' } },
    handler: async ({ user, params }) => {
      await collab.deleteView(user, params.id);
      return { status: 204 };
    },
  });
  const rawTags = { type: 'array', maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 60 } } as const;
  table.add<{ add?: string[]; remove?: string[] }>({
    method: 'put',
    path: '/api/tickets/:id/tags',
    summary: "Add and remove the ticket's tags (agents). Tags are normalised (lower case, inner spaces as hyphens); with a managed list (settings.allowedTags) only its tags can be added",
    tag: 'tickets',
    auth: 'user',
    body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { add: rawTags, remove: rawTags } },
    responses: {
      200: { description: 'The ticket with its tags', schema: ticketSchema },
      403: { description: 'Customers' },
      409: { description: 'Nothing would change, or the ticket would hold more than 20 tags' },
      422: { description: 'Not a tag, or not on the managed list' },
      ...problems,
    },
    handler: async ({ params, user, body }) => ({ body: await tickets.setTags(user, params.id, body) }),
  });
  table.add<unknown, { q?: string; limit?: string }>({
    method: 'get',
    path: '/api/tags',
    summary: "Tags for autocomplete (agents): the managed list when the desk has one, else the tags on tickets the caller may see, most used first",
    tag: 'tickets',
    auth: 'user',
    query: { type: 'object', additionalProperties: false, properties: { q: { type: 'string', maxLength: 60 }, limit: { type: 'string', pattern: '^(?:[1-9]|[1-9][0-9]|100)$' } } },
    responses: {
      200: {
        description: 'Tags with how many visible tickets carry each',
        schema: listOf({ type: 'object', required: ['tag', 'tickets'], properties: { tag: { type: 'string' }, tickets: { type: 'integer', description: 'open tickets carrying it' } } }),
      },
      403: { description: 'Customers' },
    },
    handler: async ({ user, query }) => ({ body: { items: await tickets.tags(user, query.q, query.limit ? Number(query.limit) : 20) } }),
  });
  table.add({
    method: 'get',
    path: '/api/tickets/:id/watchers',
    summary: 'Who watches the ticket (is notified of its changes)',
    tag: 'tickets',
    auth: 'user',
    responses: {
      200: {
        description: 'Watchers; customers get the e-mail address of no one but themselves',
        schema: {
          type: 'object',
          required: ['items'],
          properties: { items: { type: 'array', items: { title: 'Watcher', type: 'object', required: ['id', 'name'], properties: { id: { type: 'string', format: 'uuid' }, name: { type: 'string' }, email: { type: 'string' } } } } },
        },
      },
      ...problems,
    },
    handler: async ({ user, params }) => ({ body: { items: await collab.watchers(user, params.id) } }),
  });
  table.add<{ userId?: string }>({
    method: 'post',
    path: '/api/tickets/:id/watchers',
    summary: 'Watch a ticket (yourself by default; agents may add someone who can see it)',
    tag: 'tickets',
    auth: 'user',
    body: { type: 'object', additionalProperties: false, properties: { userId: { type: 'string', format: 'uuid' } } },
    responses: { 204: { description: 'Watching' }, 422: { description: 'That user cannot see the ticket' }, ...problems },
    handler: async ({ user, params, body }) => {
      await collab.setWatching(user, params.id, body.userId ?? user.id, true);
      return { status: 204 };
    },
  });
  table.add({
    method: 'delete',
    path: '/api/tickets/:id/watchers/:userId',
    summary: 'Stop watching (yourself, or someone else for agents)',
    tag: 'tickets',
    auth: 'user',
    responses: { 204: { description: 'Not watching' }, ...problems },
    handler: async ({ user, params }) => {
      await collab.setWatching(user, params.id, params.userId, false);
      return { status: 204 };
    },
  });
}
