// Automation rules over HTTP: a rule as stored (its body is the rule's own schema), its versions, and the dry run.
import { ruleActionSchema, ruleBodySchema, ruleConditionSchema, ruleTriggerSchema } from '../../../workflow-definitions/rules/schema';

export { ruleBodySchema };

export const rulePatchSchema = {
  title: 'RulePatch',
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: {
    ...ruleBodySchema.properties,
    position: { type: 'integer', minimum: 1, maximum: 100000, description: 'Its place in the order rules run in (1 = first); the others move down' },
  },
} as const;

const ruleFields = {
  id: { type: 'string', format: 'uuid' },
  name: { type: 'string' },
  description: { type: 'string' },
  enabled: { type: 'boolean' },
  position: { type: 'integer', description: 'Rules run in this order (1 first) for each event' },
  version: { type: 'integer', description: 'Goes up with every change; recorded with each action a rule takes' },
  when: ruleTriggerSchema,
  if: { type: 'array', items: ruleConditionSchema },
  then: { type: 'array', items: ruleActionSchema },
  createdAt: { type: 'string', format: 'date-time' },
  updatedAt: { type: 'string', format: 'date-time' },
} as const;

export const ruleSchema = {
  title: 'AutomationRule',
  type: 'object',
  required: ['id', 'name', 'enabled', 'position', 'version', 'when', 'if', 'then', 'createdAt', 'updatedAt'],
  properties: ruleFields,
} as const;

export const ruleVersionSchema = {
  title: 'AutomationRuleVersion',
  type: 'object',
  required: ['version', 'change', 'rule', 'changedBy', 'changedAt'],
  properties: {
    version: { type: 'integer' },
    change: { type: 'string', enum: ['created', 'updated', 'deleted'] },
    rule: { type: 'object', description: 'The whole rule as it was after this change' },
    changedBy: { type: ['object', 'null'], required: ['id', 'name'], properties: { id: { type: 'string' }, name: { type: 'string' } } },
    changedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const dryRunBody = {
  title: 'RuleDryRunInput',
  type: 'object',
  required: ['rule'],
  additionalProperties: false,
  properties: {
    rule: ruleBodySchema,
    days: { type: 'integer', minimum: 1, maximum: 30, default: 30, description: 'How far back to look' },
  },
} as const;

export const dryRunSchema = {
  title: 'RuleDryRun',
  type: 'object',
  required: ['days', 'events', 'tickets', 'matchedTickets', 'firings', 'matches', 'truncated', 'seconds'],
  properties: {
    days: { type: 'integer' },
    events: { type: 'integer', description: 'Events looked at' },
    tickets: { type: 'integer', description: 'Tickets those events belong to' },
    matchedTickets: { type: 'integer' },
    firings: { type: 'integer', description: 'Times the rule would have run' },
    truncated: { type: 'boolean', description: 'More matches than listed (the first 500 are)' },
    seconds: { type: 'number' },
    matches: {
      type: 'array',
      items: {
        type: 'object',
        required: ['ticketId', 'number', 'title', 'trigger', 'changes'],
        properties: {
          ticketId: { type: 'string', format: 'uuid' },
          number: { type: 'string' },
          title: { type: 'string' },
          trigger: { type: 'object', required: ['seq', 'type', 'at'], properties: { seq: { type: 'integer' }, type: { type: 'string' }, at: { type: 'string', format: 'date-time' } } },
          changes: { type: 'array', items: { type: 'object', required: ['action'], properties: { action: { type: 'string' } }, description: 'A step that would have changed the ticket, as the rule states it' } },
        },
      },
    },
  },
} as const;
