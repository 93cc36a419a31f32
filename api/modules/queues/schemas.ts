// JSON Schemas of queues and routing rules.
import type { FromSchema } from 'json-schema-to-ts';

const key = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$' } as const;

export const queueBody = {
  type: 'object',
  required: ['key', 'name'],
  additionalProperties: false,
  properties: { key, name: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' }, description: { type: 'string', maxLength: 2000 } },
} as const;
export type QueueBody = FromSchema<typeof queueBody>;

const assignment = {
  title: 'AssignmentPolicy',
  type: 'string',
  enum: ['off', 'round_robin', 'least_open', 'skills'],
  description: 'How new tickets (and tickets moved in) that nobody holds find an agent: not at all, in turn, to whoever has the fewest open tickets, or in turn among the agents with a skill the ticket names in its tags or field values (all in turn when none has one); agents away are skipped',
} as const;
const maxOpenPerAgent = { type: ['integer', 'null'], minimum: 1, maximum: 10000, description: 'An agent at this many open tickets gets no more from the queue (null: no limit)' } as const;

export const queuePatch = {
  title: 'QueueChange',
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { name: queueBody.properties.name, description: queueBody.properties.description, assignment, maxOpenPerAgent },
} as const;
export type QueuePatch = FromSchema<typeof queuePatch>;

export const routingConditions = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    type: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$', description: 'a built-in or custom ticket type' },
    priority: { type: 'string', enum: ['low', 'medium', 'high', 'critical'] },
    organisationId: { type: 'string', format: 'uuid' },
    field: {
      type: 'object',
      required: ['name', 'equals'],
      additionalProperties: false,
      properties: { name: key, equals: { type: ['string', 'number', 'boolean'] } },
    },
  },
} as const;
export type RoutingConditions = FromSchema<typeof routingConditions>;

export const routingRulesBody = {
  type: 'object',
  required: ['items'],
  additionalProperties: false,
  properties: {
    items: {
      type: 'array',
      maxItems: 200,
      items: {
        title: 'RoutingRule',
        type: 'object',
        required: ['name', 'conditions', 'queue'],
        additionalProperties: false,
        properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, conditions: routingConditions, queue: key },
      },
    },
  },
} as const;
export type RoutingRulesBody = FromSchema<typeof routingRulesBody>;

export const queueSchema = {
  title: 'Queue',
  type: 'object',
  required: ['key', 'name', 'description', 'groups', 'open', 'breached', 'assignment', 'maxOpenPerAgent'],
  properties: {
    key: { type: 'string' },
    assignment,
    maxOpenPerAgent,
    name: { type: 'string' },
    description: { type: 'string' },
    groups: { type: 'array', items: { type: 'string' }, description: 'agent groups that work it (none: every agent)' },
    open: { type: 'integer', description: 'tickets not yet resolved' },
    breached: { type: 'integer', description: 'open tickets past an SLA target' },
  },
} as const;
