// JSON Schemas of SLA policies: targets per priority and a calendar, attached to customer organisations.
import { definitionSchema } from '../../../workflow-definitions/index';

const minutes = { type: 'integer', minimum: 1, maximum: 525600 } as const;
const targets = {
  title: 'SlaTargets',
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { firstResponseMinutes: minutes, resolutionMinutes: minutes, warnAtPercent: { type: 'integer', minimum: 1, maximum: 99 } },
} as const;

/** Round the clock, or business hours in the definitions' calendar shape. */
const calendar = {
  title: 'SlaCalendar',
  oneOf: [{ type: 'string', const: '24x7' }, definitionSchema.properties.calendars.additionalProperties],
} as const;

const properties = {
  name: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
  organisationIds: { type: 'array', maxItems: 5000, uniqueItems: true, items: { type: 'string', format: 'uuid' }, description: 'The organisations whose tickets it serves; each in one policy at most' },
  calendar,
  targets: {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    description: "Targets per priority; a priority left out keeps the definition's own",
    properties: { low: targets, medium: targets, high: targets, critical: targets },
  },
} as const;

export const slaPolicyBody = { title: 'NewSlaPolicy', type: 'object', required: ['name', 'organisationIds', 'calendar', 'targets'], additionalProperties: false, properties } as const;
export const slaPolicyPatch = { title: 'SlaPolicyChange', type: 'object', additionalProperties: false, minProperties: 1, properties } as const;

export const slaPolicySchema = {
  title: 'SlaPolicyView',
  type: 'object',
  required: ['id', 'name', 'organisationIds', 'calendar', 'targets', 'tickets', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    ...properties,
    tickets: { type: 'integer', description: 'Tickets opened under it' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const slaPreviewBody = {
  title: 'SlaPolicyPreviewRequest',
  type: 'object',
  required: ['organisationIds', 'calendar', 'targets'],
  additionalProperties: false,
  properties: {
    organisationIds: properties.organisationIds,
    calendar,
    targets: properties.targets,
    days: { type: 'integer', minimum: 1, maximum: 365, default: 30, description: 'How far back to look (days)' },
  },
} as const;

const outcome = { title: 'SlaOutcome', type: 'string', enum: ['none', 'pending', 'met', 'breached'] } as const;
const outcomes = { type: 'object', required: ['none', 'pending', 'met', 'breached'], properties: { none: { type: 'integer' }, pending: { type: 'integer' }, met: { type: 'integer' }, breached: { type: 'integer' } } } as const;
const both = { type: 'object', required: ['now', 'would'], properties: { now: outcomes, would: outcomes } } as const;
const change = {
  type: 'object',
  required: ['now', 'would', 'dueAt'],
  properties: { now: outcome, would: outcome, dueAt: { type: ['string', 'null'], format: 'date-time', description: "null: the policy sets no such target for the ticket's priority" } },
} as const;

export const slaPreviewSchema = {
  title: 'SlaPolicyPreview',
  type: 'object',
  required: ['days', 'tickets', 'truncated', 'firstResponse', 'resolution', 'changes'],
  properties: {
    days: { type: 'integer' },
    tickets: { type: 'integer', description: 'Tickets the organisations opened in the period' },
    truncated: { type: 'boolean', description: 'More tickets than a dry run reads (100,000): the newest were read' },
    firstResponse: both,
    resolution: both,
    changes: {
      type: 'array',
      description: 'Tickets whose outcome would differ (200 at most, newest first)',
      items: {
        type: 'object',
        required: ['ticketId', 'number', 'title', 'priority', 'createdAt', 'firstResponse', 'resolution'],
        properties: {
          ticketId: { type: 'string', format: 'uuid' },
          number: { type: 'string' },
          title: { type: 'string' },
          priority: { type: 'string' },
          createdAt: { type: 'string', format: 'date-time' },
          firstResponse: change,
          resolution: change,
        },
      },
    },
  },
} as const;
