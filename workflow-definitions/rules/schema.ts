// The JSON Schema of an automation rule ("when an event happens, if conditions hold, then run actions"): the single
// source for the API's validation, the TypeScript types, the OpenAPI document and the console's editor.
import type { FromSchema } from 'json-schema-to-ts';

/** A rule chain (a rule's change firing another rule, and so on) stops at this depth; the timeline says so. */
export const MAX_RULE_DEPTH = 5;
/** Rules a desk may hold: enough for any real desk, few enough that evaluating all of them stays cheap. */
export const MAX_RULES = 500;

export const RULE_EVENTS = ['created', 'field_changed', 'commented', 'state_entered', 'sla_warning', 'sla_breached', 'idle'] as const;
export type RuleEvent = (typeof RULE_EVENTS)[number];
/** What a condition looks at: a ticket attribute, one of its custom fields, or the time of the event. */
export const RULE_SUBJECTS = ['priority', 'queue', 'type', 'state', 'organisation', 'requester', 'assignee', 'group', 'tags', 'field', 'time'] as const;
export const RULE_OPERATORS = ['is', 'is_not', 'in', 'not_in', 'contains', 'not_contains', 'is_set', 'is_not_set', 'greater_than', 'less_than', 'within', 'outside'] as const;
/** The built-in attributes a `field_changed` trigger can watch besides custom fields. */
export const WATCHED_ATTRIBUTES = ['priority', 'queue', 'assignee', 'group', 'tags'] as const;
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const key = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$' } as const;
const tag = { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,39}$' } as const;
const tags = { type: 'array', minItems: 1, maxItems: 20, uniqueItems: true, items: tag } as const;
const priority = { type: 'string', enum: ['low', 'medium', 'high', 'critical'] } as const;
const uuid = { type: 'string', format: 'uuid' } as const;
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max, pattern: '\\S' }) as const;
const bilingual = (max: number) => ({ type: 'object', required: ['en', 'fr'], additionalProperties: false, properties: { en: text(max), fr: text(max) } }) as const;
const hhmm = { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$' } as const;

export const ruleTriggerSchema = {
  title: 'RuleTrigger',
  type: 'object',
  required: ['event'],
  additionalProperties: false,
  properties: {
    event: { type: 'string', enum: [...RULE_EVENTS] },
    field: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$', description: "field_changed: a custom field's name, or priority, queue, assignee, group, tags; absent: any" },
    by: { type: 'string', enum: ['any', 'customer', 'agent'], description: 'commented: whose comment (default any person; the desk\'s own comments never count)' },
    state: { ...key, description: 'state_entered: the state entered; absent: any' },
    clock: { type: 'string', enum: ['firstResponse', 'resolution'], description: 'sla_warning, sla_breached: which clock; absent: either' },
    minutes: { type: 'integer', minimum: 1, maximum: 525600, description: 'idle: how long nobody (customer or agent) has touched the ticket' },
    businessHours: { type: 'boolean', description: "idle: count only the business hours of the ticket's definition (its first calendar); default true" },
  },
} as const;

export const ruleConditionSchema = {
  title: 'RuleCondition',
  type: 'object',
  required: ['subject', 'op'],
  additionalProperties: false,
  properties: {
    subject: { type: 'string', enum: [...RULE_SUBJECTS] },
    field: { ...key, description: "subject field: the custom field's name" },
    op: { type: 'string', enum: [...RULE_OPERATORS] },
    value: { description: 'is, is_not, contains, not_contains: one value; in, not_in: a list; greater_than, less_than: a number or date; within, outside (time): business hours' },
    days: { type: 'array', minItems: 1, maxItems: 7, uniqueItems: true, items: { type: 'string', enum: [...WEEKDAYS] }, description: 'time: the days' },
    from: { ...hhmm, description: 'time: from (local)' },
    to: { ...hhmm, description: 'time: until (local)' },
    timeZone: { type: 'string', minLength: 1, maxLength: 64, description: 'time: the IANA time zone of from and to' },
  },
} as const;

const branch = { type: 'object', additionalProperties: false } as const;
const pluginName = { type: 'string', pattern: '^[a-z][a-z0-9-]{0,39}$' } as const;
export const ruleActionSchema = {
  title: 'RuleAction',
  type: 'object',
  required: ['action'],
  discriminator: { propertyName: 'action' },
  oneOf: [
    { ...branch, required: ['action', 'assigneeId'], properties: { action: { const: 'assign' }, assigneeId: { type: ['string', 'null'], format: 'uuid', description: 'an agent, or null to unassign' } } },
    { ...branch, required: ['action', 'queue'], properties: { action: { const: 'set_queue' }, queue: key } },
    { ...branch, required: ['action', 'priority'], properties: { action: { const: 'set_priority' }, priority } },
    { ...branch, required: ['action', 'field', 'value'], properties: { action: { const: 'set_field' }, field: key, value: { description: "a value the field's type accepts" } } },
    { ...branch, required: ['action', 'tags'], properties: { action: { const: 'add_tags' }, tags } },
    { ...branch, required: ['action', 'tags'], properties: { action: { const: 'remove_tags' }, tags } },
    { ...branch, required: ['action', 'macroId'], properties: { action: { const: 'apply_macro' }, macroId: { ...uuid, description: 'a shared macro' } } },
    {
      ...branch,
      required: ['action', 'to', 'subject', 'body'],
      properties: { action: { const: 'send_mail' }, to: { type: 'string', enum: ['requester', 'assignee', 'watchers'] }, subject: bilingual(200), body: bilingual(10000) },
    },
    { ...branch, required: ['action', 'body', 'visibility'], properties: { action: { const: 'comment' }, body: text(10000), visibility: { type: 'string', enum: ['public', 'internal'] } } },
    {
      ...branch,
      required: ['action', 'event'],
      properties: { action: { const: 'webhook' }, event: { type: 'string', pattern: '^[a-z][a-z0-9_.-]{0,62}$', description: 'sent to subscriptions of ticket.event_emitted as data.event.data.event' } },
    },
    { ...branch, required: ['action', 'transition'], properties: { action: { const: 'transition' }, transition: key } },
    {
      ...branch,
      required: ['action', 'plugin', 'run'],
      properties: {
        action: { const: 'plugin' },
        plugin: pluginName,
        run: { ...pluginName, description: 'an action the plug-in adds' },
        with: { type: 'object', maxProperties: 50, description: "checked against the action's schema when the rule is saved" },
      },
    },
  ],
} as const;
export const RULE_ACTIONS = ['assign', 'set_queue', 'set_priority', 'set_field', 'add_tags', 'remove_tags', 'apply_macro', 'send_mail', 'comment', 'webhook', 'transition', 'plugin'] as const;

const ruleProperties = {
  name: { type: 'string', minLength: 1, maxLength: 120, pattern: '\\S' },
  description: { type: 'string', maxLength: 1000 },
  enabled: { type: 'boolean' },
  when: ruleTriggerSchema,
  if: { type: 'array', maxItems: 20, items: ruleConditionSchema, description: 'all must hold' },
  then: { type: 'array', minItems: 1, maxItems: 20, items: ruleActionSchema, description: 'run in this order, all or none' },
} as const;

export const ruleBodySchema = {
  title: 'RuleBody',
  type: 'object',
  required: ['name', 'when', 'then'],
  additionalProperties: false,
  properties: ruleProperties,
} as const;
export type RuleBody = FromSchema<typeof ruleBodySchema>;
export type RuleTrigger = FromSchema<typeof ruleTriggerSchema>;
export type RuleCondition = FromSchema<typeof ruleConditionSchema>;
export type RuleActionBody = RuleBody['then'][number];
