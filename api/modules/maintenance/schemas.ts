// Request and response shapes of the maintenance API: plans, previews, calendar, checklists, compliance.
const groupKey = { type: ['string', 'null'], pattern: '^[a-z][a-z0-9_-]{0,62}$' } as const;
const isoInstant = { type: 'string', format: 'date-time' } as const;

export const checklistItemSchema = {
  title: 'ChecklistItem',
  type: 'object',
  required: ['id', 'label', 'kind', 'mandatory'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' },
    label: { type: 'string', minLength: 1, maxLength: 300, pattern: '\\S' },
    kind: { type: 'string', enum: ['check', 'reading', 'note'] },
    mandatory: { type: 'boolean' },
    unit: { type: ['string', 'null'], maxLength: 20 },
  },
} as const;

export const scheduleSchema = {
  title: 'Schedule',
  oneOf: [
    { type: 'object', required: ['kind', 'rrule'], additionalProperties: false, properties: { kind: { const: 'rrule' }, rrule: { type: 'string', minLength: 1, maxLength: 500 } } },
    { type: 'object', required: ['kind', 'intervalDays'], additionalProperties: false, properties: { kind: { const: 'interval' }, intervalDays: { type: 'integer', minimum: 1, maximum: 3660 } } },
  ],
} as const;

const seriesProperties = {
  schedule: scheduleSchema,
  start: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}$' },
  endDate: { type: ['string', 'null'], pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
  timeZone: { type: 'string', minLength: 1, maxLength: 64 },
} as const;

export const planBody = {
  title: 'PlanInput',
  type: 'object',
  required: ['name', 'assetIds', 'schedule', 'start', 'timeZone'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
    assetIds: { type: 'array', minItems: 1, maxItems: 50, uniqueItems: true, items: { type: 'string', format: 'uuid' } },
    ...seriesProperties,
    leadDays: { type: 'integer', minimum: 0, maximum: 365 },
    checklist: { type: 'array', maxItems: 100, items: checklistItemSchema },
    ownerGroup: groupKey,
    priority: { type: 'string', enum: ['low', 'medium', 'high', 'critical'] },
  },
} as const;

export interface PlanBody {
  name: string;
  assetIds: string[];
  schedule: { kind: 'rrule'; rrule: string } | { kind: 'interval'; intervalDays: number };
  start: string;
  endDate?: string | null;
  timeZone: string;
  leadDays?: number;
  checklist?: Array<{ id: string; label: string; kind: 'check' | 'reading' | 'note'; mandatory: boolean; unit?: string | null }>;
  ownerGroup?: string | null;
  priority?: 'low' | 'medium' | 'high' | 'critical';
}

export const previewBody = {
  type: 'object',
  required: ['schedule', 'start', 'timeZone'],
  additionalProperties: false,
  properties: { ...seriesProperties, count: { type: 'integer', minimum: 1, maximum: 100 } },
} as const;
export type PreviewBody = Pick<PlanBody, 'schedule' | 'start' | 'endDate' | 'timeZone'> & { count?: number };

export const occurrenceBody = {
  type: 'object',
  required: ['occurrence'],
  additionalProperties: false,
  properties: { occurrence: isoInstant, to: isoInstant },
} as const;
export const resumeBody = { type: 'object', additionalProperties: false, properties: { backfill: { type: 'boolean' } } } as const;

export const checklistTickBody = {
  type: 'object',
  required: ['done'],
  additionalProperties: false,
  properties: {
    done: { type: 'boolean' },
    reading: { type: ['number', 'null'] },
    note: { type: ['string', 'null'], maxLength: 2000 },
  },
} as const;

export const failedCheckBody = {
  type: 'object',
  required: ['title'],
  additionalProperties: false,
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
    description: { type: 'string', maxLength: 10000 },
    itemId: { type: 'string', maxLength: 63 },
    priority: { type: 'string', enum: ['low', 'medium', 'high', 'critical'] },
  },
} as const;

export const rangeQuery = {
  type: 'object',
  required: ['from', 'to'],
  additionalProperties: false,
  properties: { from: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }, to: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } },
} as const;
export const upcomingQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { count: { type: 'string', pattern: '^(?:[1-9]|[1-9][0-9]|100)$' } },
} as const;
export const complianceQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { by: { type: 'string', enum: ['plan', 'asset', 'group'] } },
} as const;

const priority = { type: 'string', enum: ['low', 'medium', 'high', 'critical'] } as const;

export const planSchema = {
  title: 'Plan',
  type: 'object',
  required: ['id', 'name', 'assetIds', 'schedule', 'start', 'endDate', 'timeZone', 'leadDays', 'checklist', 'ownerGroup', 'priority', 'status', 'nextDueAt', 'createdAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    assetIds: { type: 'array', items: { type: 'string', format: 'uuid' } },
    schedule: scheduleSchema,
    start: { type: 'string', description: 'local date and time of the first occurrence, in timeZone' },
    endDate: { type: ['string', 'null'] },
    timeZone: { type: 'string' },
    leadDays: { type: 'integer' },
    checklist: { type: 'array', items: checklistItemSchema },
    ownerGroup: { type: ['string', 'null'] },
    priority,
    status: { type: 'string', enum: ['active', 'paused', 'ended'] },
    nextDueAt: { type: ['string', 'null'], format: 'date-time' },
    createdAt: isoInstant,
  },
} as const;

export const workOrderSchema = {
  title: 'WorkOrder',
  type: 'object',
  required: ['ticketId', 'number', 'planId', 'planName', 'dueAt', 'state', 'status', 'resolvedAt', 'assetIds'],
  properties: {
    ticketId: { type: 'string', description: 'empty for a planned occurrence not opened yet' },
    number: { type: 'string' },
    planId: { type: 'string', format: 'uuid' },
    planName: { type: 'string' },
    dueAt: isoInstant,
    state: { type: ['string', 'null'] },
    status: { type: 'string', enum: ['planned', 'open', 'overdue', 'done', 'done_late'] },
    resolvedAt: { type: ['string', 'null'], format: 'date-time' },
    assetIds: { type: 'array', items: { type: 'string', format: 'uuid' } },
  },
} as const;

export const checklistSchema = {
  title: 'Checklist',
  type: 'object',
  required: ['ticketId', 'items', 'complete'],
  properties: {
    ticketId: { type: 'string', format: 'uuid' },
    complete: { type: 'boolean', description: 'every mandatory item is done' },
    items: {
      type: 'array',
      items: {
        title: 'ChecklistEntry',
        type: 'object',
        required: ['id', 'label', 'kind', 'mandatory', 'done'],
        properties: {
          ...checklistItemSchema.properties,
          done: { type: 'boolean' },
          reading: { type: ['number', 'null'] },
          note: { type: ['string', 'null'] },
          doneBy: { type: ['string', 'null'] },
          doneAt: { type: ['string', 'null'] },
        },
      },
    },
  },
} as const;
