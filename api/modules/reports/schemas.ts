// JSON Schemas of the reports API: the shared filters, the drill-down parameters, the report answer and the rating body.
import type { FromSchema } from 'json-schema-to-ts';

export const REPORT_NAMES = ['sla', 'backlog', 'volume', 'agents', 'reopens', 'escalations', 'satisfaction', 'tags', 'time'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];
export const DIMENSIONS = ['queue', 'priority', 'type', 'group', 'organisation', 'slaPolicy', 'period'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** An instant (ISO 8601) or a day (YYYY-MM-DD; as `to` it includes the whole day). */
const when = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?(Z|[+-]\\d{2}:\\d{2}))?$' } as const;
const filterProperties = {
  from: when,
  to: when,
  queue: { type: 'string', minLength: 1, maxLength: 63 },
  type: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$', description: 'a built-in or custom ticket type' },
  priority: { type: 'string', enum: ['low', 'medium', 'high', 'critical'] },
  group: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$' },
  organisation: { type: 'string', format: 'uuid' },
  granularity: { type: 'string', enum: ['day', 'week'], default: 'day' },
  by: { type: 'string', enum: DIMENSIONS },
  format: { type: 'string', enum: ['json', 'csv'] },
} as const;

export const reportQuery = { type: 'object', additionalProperties: false, properties: filterProperties } as const;
export type ReportQuery = FromSchema<typeof reportQuery>;

/** The row a drill-down names: `key` is the row's value of `by` (empty for "none"), the others name a report's own row or figure. */
export const drillQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...filterProperties,
    key: { type: 'string', maxLength: 100 },
    measure: { type: 'string', pattern: '^[a-zA-Z0-9]{1,40}$' },
    ageBand: { type: 'string', enum: ['0-1d', '1-3d', '3-7d', '7-30d', '30d+'] },
    assignee: { type: 'string', format: 'uuid' },
    level: { type: 'string', minLength: 1, maxLength: 63 },
    bucket: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    score: { type: 'string', enum: ['1', '2', '3', '4', '5'] },
    tag: { type: 'string', minLength: 1, maxLength: 60 },
  },
} as const;
export type DrillQuery = FromSchema<typeof drillQuery>;

export const reportResponse = {
  title: 'ReportResult',
  type: 'object',
  required: ['report', 'generatedAt', 'columns', 'rows'],
  properties: {
    report: { type: 'string', enum: REPORT_NAMES },
    generatedAt: { type: 'string', format: 'date-time' },
    filters: { type: 'object' },
    columns: { type: 'array', items: { type: 'string' } },
    rows: {
      type: 'array',
      items: {
        title: 'ReportRow',
        type: 'object',
        required: ['drill'],
        properties: { drill: { type: 'string', description: 'the tickets behind the row (GET it)' } },
        additionalProperties: { type: ['string', 'number', 'null'] },
      },
    },
  },
} as const;

export const drillResponse = {
  title: 'DrillPage',
  type: 'object',
  required: ['items', 'truncated'],
  properties: {
    items: {
      type: 'array',
      items: {
        title: 'DrillTicket',
        type: 'object',
        required: ['id', 'number', 'title', 'type', 'priority', 'state', 'queue', 'createdAt', 'resolvedAt'],
        properties: {
          id: { type: 'string' },
          number: { type: 'string' },
          title: { type: 'string' },
          type: { type: 'string' },
          priority: { type: 'string' },
          state: { type: 'string' },
          queue: { type: ['string', 'null'] },
          createdAt: { type: 'string' },
          resolvedAt: { type: ['string', 'null'] },
          frStatus: { type: 'string' },
          resStatus: { type: 'string' },
        },
      },
    },
    truncated: { type: 'boolean' },
  },
} as const;

export const ratingBody = {
  type: 'object',
  required: ['score'],
  additionalProperties: false,
  properties: {
    score: { type: 'integer', minimum: 1, maximum: 5 },
    comment: { type: 'string', maxLength: 2000 },
  },
} as const;
export type RatingBody = FromSchema<typeof ratingBody>;

export const ratingResponse = {
  title: 'Rating',
  type: 'object',
  required: ['score', 'comment', 'createdAt', 'updatedAt'],
  properties: {
    score: { type: 'integer' },
    comment: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;
