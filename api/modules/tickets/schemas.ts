// JSON Schemas of the ticket API's bodies and queries; they give the TypeScript types and the OpenAPI document.
import type { FromSchema } from 'json-schema-to-ts';
import { listOf, localized } from '../../http/shapes';

export const priority = { title: 'Priority', type: 'string', enum: ['low', 'medium', 'high', 'critical'] } as const;
export const ticketType = { title: 'TicketType', type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$', description: 'incident, service_request, problem, maintenance, or a custom type an admin added (GET /api/ticket-types)' } as const;
const slaStatus = { title: 'SlaStatus', type: 'string', enum: ['ok', 'warning', 'breached'] } as const;
const stateCategory = { title: 'StateCategory', type: 'string', enum: ['new', 'open', 'pending', 'resolved', 'closed'] } as const;
const visibility = { title: 'Visibility', type: 'string', enum: ['public', 'internal'] } as const;
export const fieldValues = {
  title: 'FieldValues',
  type: 'object',
  maxProperties: 100,
  additionalProperties: { type: ['string', 'number', 'boolean'] },
} as const;

/** How a request reached the desk. */
export const CHANNELS = ['portal', 'email', 'phone', 'walk_in', 'api', 'other'] as const;
export type Channel = (typeof CHANNELS)[number];
export const channelSchema = { title: 'Channel', type: 'string', enum: [...CHANNELS] } as const;

export const createTicketBody = {
  title: 'NewTicket',
  type: 'object',
  required: ['type', 'title', 'priority'],
  additionalProperties: false,
  properties: {
    type: ticketType,
    title: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
    description: { type: 'string', maxLength: 20000, default: '' },
    priority,
    fields: fieldValues,
    requesterId: { type: 'string', format: 'uuid', description: 'Agents and admins open tickets for someone else (phone, walk-in, forwarded mail); customers only for themselves' },
    channel: { ...channelSchema, description: 'How the request reached the desk; by default portal for customers, api for tokens, other for staff' },
    then: {
      type: 'object',
      required: ['transition'],
      additionalProperties: false,
      description: 'A transition taken at once from the initial state (e.g. resolved on the first call), when the definition lets the caller take it; checked before anything is created',
      properties: { transition: { type: 'string', minLength: 1, maxLength: 63 }, fields: fieldValues },
    },
  },
} as const;
export type CreateTicketBody = FromSchema<typeof createTicketBody>;

export const listTicketsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    cursor: { type: 'string', maxLength: 200 },
    limit: { type: 'string', pattern: '^(?:[1-9]|[1-9][0-9]|100)$' },
    state: { type: 'string', maxLength: 63 },
    stateCategory,
    type: { type: 'string', maxLength: 63 },
    priority,
    queue: { type: 'string', maxLength: 63 },
    assigneeId: { type: 'string', format: 'uuid' },
    assignedGroup: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$' },
    requesterId: { type: 'string', format: 'uuid' },
    organisationId: { type: 'string', format: 'uuid' },
    slaStatus,
    tag: { type: 'string', minLength: 1, maxLength: 60, description: 'only tickets carrying this tag (agents)' },
    q: { type: 'string', minLength: 1, maxLength: 200, description: 'Words of the title or description (English and French stemming), or a ticket number' },
  },
} as const;
export type ListTicketsQuery = FromSchema<typeof listTicketsQuery>;

/** Minutes an agent spent on what they send (time tracking): a working day at most per entry. */
export const timeSpent = { type: 'integer', minimum: 1, maximum: 1440, description: 'Minutes the agent spent (agents only; recorded as an internal time_logged event)' } as const;

export const transitionBody = {
  title: 'TransitionRequest',
  type: 'object',
  required: ['transition'],
  additionalProperties: false,
  properties: { transition: { type: 'string', minLength: 1, maxLength: 63 }, fields: fieldValues, timeSpent },
} as const;
export type TransitionBody = FromSchema<typeof transitionBody>;

/** Event numbers are PostgreSQL integers. */
export const MAX_SEQ = 2147483647;

export const commentBody = {
  title: 'NewComment',
  type: 'object',
  required: ['body'],
  additionalProperties: false,
  properties: {
    body: { type: 'string', minLength: 1, maxLength: 50000, pattern: '\\S' },
    visibility: { ...visibility, default: 'public' },
    timeSpent,
    ifSeenSeq: {
      type: 'integer',
      minimum: 0,
      maximum: MAX_SEQ,
      description:
        'The last event number the writer has seen. If someone else replied or changed the state after it, nothing is recorded and the answer is 409 ticket-changed, naming what was missed',
    },
  },
} as const;
export type CommentBody = FromSchema<typeof commentBody>;

export const slaClockSchema = {
  title: 'SlaClock',
  type: 'object',
  required: ['name', 'status', 'target', 'remainingMs'],
  properties: {
    name: { type: 'string' },
    status: slaStatus,
    target: { type: ['string', 'null'] },
    warningAt: { type: ['string', 'null'] },
    remainingMs: { type: 'number' },
    paused: { type: 'boolean' },
    stopped: { type: 'boolean' },
  },
} as const;

export const ticketSchema = {
  title: 'Ticket',
  type: 'object',
  required: [
    'id', 'number', 'type', 'title', 'description', 'priority', 'state', 'stateCategory', 'queue', 'assigneeId', 'assignedGroup', 'requesterId',
    'organisationId', 'definition', 'fields', 'links', 'tags', 'sla', 'slaStatus', 'createdAt', 'updatedAt', 'resolvedAt', 'closedAt', 'workflowId',
  ],
  properties: {
    id: { type: 'string', format: 'uuid' },
    number: { type: 'string' },
    type: { type: 'string' },
    title: { type: 'string' },
    description: { type: 'string' },
    priority,
    state: { type: 'string' },
    stateLabel: { ...localized, description: "the state's label in both languages, from the ticket's definition version (not on creation)" },
    stateCategory,
    queue: { type: ['string', 'null'] },
    assigneeId: { type: ['string', 'null'] },
    assignedGroup: { type: ['string', 'null'] },
    requesterId: { type: 'string' },
    organisationId: { type: ['string', 'null'] },
    definition: { type: 'object', required: ['key', 'version'], properties: { key: { type: 'string' }, version: { type: 'integer' } } },
    fields: { type: 'object', additionalProperties: { title: 'FieldValue', type: ['string', 'number', 'boolean', 'null'] } },
    tags: { type: 'array', items: { type: 'string' }, description: "the agents' tags (always empty for customers)" },
    sla: { type: 'array', items: slaClockSchema },
    slaStatus,
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    resolvedAt: { type: ['string', 'null'] },
    closedAt: { type: ['string', 'null'] },
    workflowId: { type: 'string' },
    links: {
      type: 'array',
      description: 'both ends of each link (problem/incident, parent/child, related, duplicate_of/duplicated_by)',
      items: { type: 'object', required: ['kind', 'ticketId', 'number'], properties: { kind: { type: 'string' }, ticketId: { type: 'string' }, number: { type: 'string' } } },
    },
    match: {
      type: 'object',
      required: ['snippet'],
      description: "In a search (q): the latest comment that matched, as an extract with the matched words between ⟦ and ⟧ (seq: staff only)",
      properties: { seq: { type: 'integer' }, snippet: { type: 'string' } },
    },
  },
} as const;

export const ticketPageSchema = { title: 'TicketPage', type: 'object', required: ['items', 'next'], properties: { items: { type: 'array', items: ticketSchema }, next: { type: ['string', 'null'] } } } as const;

export const timelineSchema = listOf({
  title: 'TimelineEvent',
  type: 'object',
  required: ['seq', 'type', 'actor', 'visibility', 'at', 'data'],
  properties: {
    seq: { type: 'integer' },
    type: { type: 'string' },
    actor: { type: 'object', required: ['id', 'name', 'role'], properties: { id: { type: ['string', 'null'] }, name: { type: ['string', 'null'] }, role: { type: 'string' } } },
    visibility,
    at: { type: 'string', format: 'date-time' },
    data: { type: 'object' },
  },
} as const);

export const transitionsSchema = listOf({
  title: 'Transition',
  type: 'object',
  required: ['name', 'label', 'to', 'requiredFields', 'requiresTimeSpent'],
  properties: {
    name: { type: 'string' },
    label: localized,
    to: { type: 'string' },
    requiredFields: {
      type: 'array',
      items: { type: 'object', required: ['name', 'label', 'type'], properties: { name: { type: 'string' }, label: localized, type: { type: 'string' } } },
    },
    requiresTimeSpent: { type: 'boolean', description: 'agents record the minutes they spent when they take it' },
  },
} as const);

export const patchTicketBody = {
  title: 'TicketPatch',
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { priority, fields: fieldValues },
} as const;
export type PatchTicketBody = FromSchema<typeof patchTicketBody>;

export const assignBody = {
  title: 'AssignRequest',
  type: 'object',
  required: ['assigneeId'],
  additionalProperties: false,
  properties: {
    assigneeId: { type: ['string', 'null'], format: 'uuid' },
    queue: { type: ['string', 'null'], pattern: '^[a-z][a-z0-9_]{0,62}$' },
    group: { type: ['string', 'null'], pattern: '^[a-z][a-z0-9_]{0,62}$' },
  },
} as const;
export type AssignBody = FromSchema<typeof assignBody>;

export const savedViewBody = {
  title: 'SavedViewInput',
  type: 'object',
  required: ['name', 'query'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' },
    query: { ...listTicketsQuery, title: 'TicketQuery', description: 'the filters of GET /api/tickets', properties: (({ cursor: _c, ...rest }) => rest)(listTicketsQuery.properties) },
    sharedWith: {
      type: 'string',
      enum: ['me', 'group', 'everyone'],
      default: 'me',
      description: "who else sees the view: 'group' (with `group`, one of yours; admins any) or 'everyone' on staff (admins)",
    },
    group: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$' },
  },
} as const;

export const bulkBody = {
  title: 'BulkRequest',
  type: 'object',
  required: ['ids', 'action'],
  additionalProperties: false,
  properties: {
    ids: { type: 'array', minItems: 1, maxItems: 100, uniqueItems: true, items: { type: 'string', format: 'uuid' } },
    action: {
      title: 'BulkAction',
      oneOf: [
        { type: 'object', required: ['type', 'transition'], additionalProperties: false, properties: { type: { const: 'transition' }, transition: transitionBody.properties.transition, fields: fieldValues, timeSpent } },
        { type: 'object', required: ['type', 'assigneeId'], additionalProperties: false, properties: { type: { const: 'assign' }, assigneeId: assignBody.properties.assigneeId, queue: assignBody.properties.queue } },
        { type: 'object', required: ['type', 'priority'], additionalProperties: false, properties: { type: { const: 'priority' }, priority } },
        {
          type: 'object',
          required: ['type'],
          minProperties: 2,
          additionalProperties: false,
          properties: {
            type: { const: 'tags' },
            add: { type: 'array', maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 60 } },
            remove: { type: 'array', maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 60 } },
          },
        },
      ],
    },
  },
} as const;
export type BulkBody = FromSchema<typeof bulkBody>;

export const savedViewSchema = {
  title: 'SavedView',
  type: 'object',
  required: ['id', 'name', 'query', 'sharedWith', 'group', 'mine'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    query: savedViewBody.properties.query,
    sharedWith: { type: 'string', enum: ['me', 'group', 'everyone'] },
    group: { type: ['string', 'null'] },
    owner: { type: 'object', required: ['id', 'name'], properties: { id: { type: 'string' }, name: { type: 'string' } }, description: 'in the list' },
    createdAt: { type: 'string', format: 'date-time', description: 'in the list' },
    mine: { type: 'boolean' },
  },
} as const;

/** One ticket's outcome in a mass action: its new state, priority, assignee and tags, or the problem that refused it. */
export const bulkResultSchema = {
  title: 'BulkResult',
  type: 'object',
  required: ['id', 'ok', 'status'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    ok: { type: 'boolean' },
    status: { type: 'integer' },
    state: { type: 'string' },
    priority,
    assigneeId: { type: ['string', 'null'] },
    tags: { type: 'array', items: { type: 'string' } },
    problem: {
      type: 'object',
      description: 'why this ticket refused (problem+json); the ticket is unchanged',
      properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' } },
    },
  },
} as const;

/** Every ticket's outcome, and how many succeeded and failed. */
export const bulkResultsOf = <T extends object>(item: T) =>
  ({
    type: 'object',
    required: ['results', 'succeeded', 'failed'],
    properties: { results: { type: 'array', items: item }, succeeded: { type: 'integer' }, failed: { type: 'integer' } },
  }) as const;

export const bulkResponseSchema = bulkResultsOf(bulkResultSchema);
