// JSON Schemas of the webhook API: outbound subscriptions and their deliveries, inbound endpoints, their mapping and request log.
import type { FromSchema } from 'json-schema-to-ts';
import { WEBHOOK_EVENT_TYPES } from '../../../webhooks/events';

const name = { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' } as const;
const url = { type: 'string', minLength: 1, maxLength: 2000, pattern: '^https?://' } as const;
const eventTypes = { type: 'array', minItems: 1, maxItems: WEBHOOK_EVENT_TYPES.length, uniqueItems: true, items: { title: 'WebhookEventType', type: 'string', enum: WEBHOOK_EVENT_TYPES } } as const;

export const createSubscriptionBody = {
  title: 'NewSubscription',
  type: 'object',
  required: ['name', 'url', 'eventTypes'],
  additionalProperties: false,
  properties: {
    name,
    url,
    eventTypes,
    /** Internal comments reach only subscriptions marked internal. */
    includeInternal: { type: 'boolean', default: false },
    /** Lets the URL resolve to private, loopback or link-local addresses (an on-premises receiver). */
    allowPrivateNetwork: { type: 'boolean', default: false },
  },
} as const;
export type CreateSubscriptionBody = FromSchema<typeof createSubscriptionBody>;

export const patchSubscriptionBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { name, url, eventTypes, includeInternal: { type: 'boolean' }, allowPrivateNetwork: { type: 'boolean' }, enabled: { type: 'boolean' } },
} as const;
export type PatchSubscriptionBody = FromSchema<typeof patchSubscriptionBody>;

export const rotateBody = {
  type: 'object',
  additionalProperties: false,
  properties: { graceHours: { type: 'integer', minimum: 0, maximum: 720, default: 24 } },
} as const;
export type RotateBody = FromSchema<typeof rotateBody>;

export const subscriptionSchema = {
  title: 'Subscription',
  type: 'object',
  required: [
    'id', 'name', 'url', 'eventTypes', 'includeInternal', 'allowPrivateNetwork', 'enabled', 'disabledReason', 'disabledAt', 'consecutiveFailures', 'failingSince',
    'rotatingUntil', 'ownerId', 'createdAt',
  ],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    url: { type: 'string' },
    eventTypes: { type: 'array', items: eventTypes.items },
    includeInternal: { type: 'boolean' },
    allowPrivateNetwork: { type: 'boolean' },
    enabled: { type: 'boolean' },
    disabledReason: { type: ['string', 'null'] },
    disabledAt: { type: ['string', 'null'], format: 'date-time' },
    consecutiveFailures: { type: 'integer' },
    failingSince: { type: ['string', 'null'], format: 'date-time' },
    rotatingUntil: { type: ['string', 'null'], format: 'date-time', description: 'the previous secret still signs until then' },
    ownerId: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const deliveriesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: ['pending', 'succeeded', 'failed'] },
    limit: { type: 'string', pattern: '^(?:[1-9]|[1-9][0-9]|[1-4][0-9][0-9]|500)$' },
  },
} as const;
export type DeliveriesQuery = FromSchema<typeof deliveriesQuery>;

export const deliverySchema = {
  title: 'Delivery',
  type: 'object',
  required: [
    'id', 'ticketId', 'seq', 'eventId', 'eventType', 'status', 'attempts', 'responseStatus', 'latencyMs', 'lastError', 'createdAt', 'lastAttemptAt', 'deliveredAt', 'payload',
  ],
  properties: {
    id: { type: 'string' },
    ticketId: { type: 'string' },
    seq: { type: 'integer' },
    eventId: { type: 'string' },
    eventType: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'succeeded', 'failed'] },
    attempts: { type: 'integer' },
    responseStatus: { type: ['integer', 'null'] },
    latencyMs: { type: ['integer', 'null'] },
    lastError: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    lastAttemptAt: { type: ['string', 'null'], format: 'date-time' },
    deliveredAt: { type: ['string', 'null'], format: 'date-time' },
    payload: {},
  },
} as const;

export const redeliverBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
  properties: {
    deliveryId: { type: 'string', pattern: '^[1-9][0-9]{0,17}$' },
    since: { type: 'string', format: 'date-time' },
  },
} as const;
export type RedeliverBody = FromSchema<typeof redeliverBody>;

// ---- inbound ----

const pointer = { type: 'string', maxLength: 500, pattern: '^(/([^~/]|~[01])*)*$' } as const;
/** A literal, or a template with {{/json/pointer}} placeholders; a string that is exactly one placeholder keeps the value's type. */
const template = { type: 'string', maxLength: 20000 } as const;

const condition = {
  type: 'object',
  required: ['pointer'],
  additionalProperties: false,
  properties: {
    pointer,
    equals: { type: ['string', 'number', 'boolean', 'null'] },
    notEquals: { type: ['string', 'number', 'boolean', 'null'] },
    in: { type: 'array', maxItems: 100, items: { type: ['string', 'number', 'boolean', 'null'] } },
    exists: { type: 'boolean' },
  },
} as const;

const externalRef = { ...template, description: 'names the ticket in the sender (an alert group, a CRM case id)' } as const;

const createAction = {
  type: 'object',
  required: ['type', 'ticketType', 'title'],
  additionalProperties: false,
  properties: {
    type: { const: 'create' },
    ticketType: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$', description: 'a built-in or custom ticket type' },
    title: template,
    description: template,
    /** A priority, or a template giving one; priorityMap translates the sender's words (e.g. critical → critical, warning → medium). */
    priority: template,
    priorityMap: { type: 'object', maxProperties: 50, additionalProperties: { type: 'string', enum: ['low', 'medium', 'high', 'critical'] } },
    /** An email: the ticket's requester when a user has it (else the endpoint's service account). */
    requester: template,
    fields: { type: 'object', maxProperties: 100, additionalProperties: template },
    externalRef,
  },
} as const;
const commentAction = {
  type: 'object',
  required: ['type', 'externalRef', 'body'],
  additionalProperties: false,
  properties: { type: { const: 'comment' }, externalRef, body: template, visibility: { type: 'string', enum: ['public', 'internal'], default: 'internal' } },
} as const;
const transitionAction = {
  type: 'object',
  required: ['type', 'externalRef', 'transition'],
  additionalProperties: false,
  properties: {
    type: { const: 'transition' },
    externalRef,
    transition: { type: 'string', minLength: 1, maxLength: 63 },
    fields: { type: 'object', maxProperties: 100, additionalProperties: template },
  },
} as const;

export const mappingSchema = {
  title: 'InboundMapping',
  type: 'object',
  required: ['rules'],
  additionalProperties: false,
  properties: {
    /** Where the sender's event id is when it does not send a webhook-id header. */
    eventId: pointer,
    rules: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      items: {
        type: 'object',
        required: ['action'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', maxLength: 100 },
          when: { type: 'array', maxItems: 20, items: condition },
          action: { oneOf: [createAction, commentAction, transitionAction] },
        },
      },
    },
  },
} as const;
export type Mapping = FromSchema<typeof mappingSchema>;
export type MappingAction = Mapping['rules'][number]['action'];

const slug = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{1,62}$' } as const;

export const createEndpointBody = {
  title: 'NewEndpoint',
  type: 'object',
  required: ['name', 'mapping'],
  additionalProperties: false,
  properties: {
    name,
    slug,
    /** hmac: Standard Webhooks signature headers; bearer: Authorization: Bearer <secret>. */
    auth: { type: 'string', enum: ['hmac', 'bearer'], default: 'hmac' },
    mapping: mappingSchema,
  },
} as const;
export type CreateEndpointBody = FromSchema<typeof createEndpointBody>;

export const patchEndpointBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { name, mapping: mappingSchema, enabled: { type: 'boolean' } },
} as const;
export type PatchEndpointBody = FromSchema<typeof patchEndpointBody>;

export const endpointSchema = {
  title: 'Endpoint',
  type: 'object',
  required: ['id', 'slug', 'name', 'auth', 'mapping', 'enabled', 'url', 'actorId', 'createdAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    slug: { type: 'string' },
    name: { type: 'string' },
    auth: { type: 'string', enum: ['hmac', 'bearer'] },
    mapping: mappingSchema,
    enabled: { type: 'boolean' },
    url: { type: 'string', description: 'where the integrator posts' },
    actorId: { type: 'string', description: 'the service account its tickets and comments are recorded as' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const requestsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    outcome: { type: 'string', enum: ['accepted', 'duplicate', 'rejected'] },
    limit: { type: 'string', pattern: '^(?:[1-9]|[1-9][0-9]|[1-4][0-9][0-9]|500)$' },
  },
} as const;
export type RequestsQuery = FromSchema<typeof requestsQuery>;

export const inboundRequestSchema = {
  title: 'InboundRequest',
  type: 'object',
  required: ['id', 'eventId', 'receivedAt', 'outcome', 'status', 'action', 'ticketId', 'problem', 'headers', 'body', 'bodyTruncated', 'replayOf'],
  properties: {
    id: { type: 'string' },
    eventId: { type: ['string', 'null'] },
    receivedAt: { type: 'string', format: 'date-time' },
    outcome: { type: 'string', enum: ['accepted', 'duplicate', 'rejected'] },
    status: { type: 'integer' },
    action: { type: ['string', 'null'] },
    ticketId: { type: ['string', 'null'] },
    problem: { type: ['object', 'null'], properties: { title: { type: 'string' }, detail: { type: 'string' } } },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    body: { type: 'string' },
    bodyTruncated: { type: 'boolean' },
    replayOf: { type: ['string', 'null'] },
  },
} as const;

export const hookResultSchema = {
  type: 'object',
  properties: {
    outcome: { type: 'string', enum: ['accepted', 'duplicate'] },
    action: { type: ['string', 'null'] },
    ticketId: { type: ['string', 'null'] },
    number: { type: ['string', 'null'] },
    requestId: { type: 'string' },
  },
} as const;
