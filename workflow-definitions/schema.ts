// The JSON Schema (draft 2020-12) of a workflow definition: the single source for validation, TypeScript types and docs.
import type { FromSchema } from 'json-schema-to-ts';

const label = {
  type: 'object',
  required: ['en', 'fr'],
  additionalProperties: false,
  properties: {
    en: { type: 'string', minLength: 1, maxLength: 200 },
    fr: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

const name = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$' } as const;
const role = { type: 'string', enum: ['admin', 'agent', 'customer', 'system'] } as const;
const priority = { type: 'string', enum: ['low', 'medium', 'high', 'critical'] } as const;
const minutes = { type: 'integer', minimum: 1, maximum: 525600 } as const;
const hhmm = { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$' } as const;
const dayHours = {
  type: 'array',
  maxItems: 4,
  items: { type: 'array', items: hhmm, minItems: 2, maxItems: 2, description: '[from, to] local times' },
} as const;

/** A plug-in's name, or the name of an action it adds (platform/plugins/v1.ts). */
const pluginName = { type: 'string', pattern: '^[a-z][a-z0-9-]{0,39}$' } as const;

const escalationAction = {
  oneOf: [
    {
      type: 'object',
      required: ['type'],
      additionalProperties: false,
      properties: {
        type: { const: 'notify' },
        role: role,
        group: name,
        user: { type: 'string', maxLength: 200 },
      },
    },
    {
      type: 'object',
      required: ['type'],
      additionalProperties: false,
      properties: { type: { const: 'reassign' }, queue: name, group: name },
    },
    {
      type: 'object',
      required: ['type'],
      additionalProperties: false,
      properties: { type: { const: 'raisePriority' } },
    },
    {
      type: 'object',
      required: ['type', 'text'],
      additionalProperties: false,
      properties: { type: { const: 'addNote' }, text: label },
    },
    {
      type: 'object',
      required: ['type', 'event'],
      additionalProperties: false,
      properties: { type: { const: 'emit' }, event: { type: 'string', pattern: '^[a-z][a-z0-9_.]{0,62}$' } },
    },
    {
      type: 'object',
      required: ['type', 'plugin', 'run'],
      additionalProperties: false,
      description: "runs an action a plug-in adds, in the worker, retried; `with` is checked against the action's schema when the definition is saved",
      properties: { type: { const: 'plugin' }, plugin: pluginName, run: pluginName, with: { type: 'object', maxProperties: 50 } },
    },
  ],
} as const;

/**
 * A state that waits for approval: entering it asks the approvers, whose decisions take one of two transitions.
 * Policies: `any` (the first decision decides), `all` (every approver approves; one rejection rejects), `atLeast`
 * (`count` approvals approve; a rejection that leaves `count` out of reach rejects).
 */
const approval = {
  type: 'object',
  required: ['approvers', 'policy', 'approved', 'rejected'],
  additionalProperties: false,
  properties: {
    approvers: {
      description: "who decides: the requester's manager, an agent group's members, named users (by e-mail), or the user a ticket field or form answer names",
      oneOf: [
        { type: 'object', required: ['manager'], additionalProperties: false, properties: { manager: { const: true } } },
        { type: 'object', required: ['group'], additionalProperties: false, properties: { group: name } },
        { type: 'object', required: ['users'], additionalProperties: false, properties: { users: { type: 'array', minItems: 1, maxItems: 20, uniqueItems: true, items: { type: 'string', format: 'email', maxLength: 200 } } } },
        { type: 'object', required: ['field'], additionalProperties: false, properties: { field: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$', description: 'a ticket field, else a form answer, holding a user id' } } },
      ],
    },
    policy: { type: 'string', enum: ['any', 'all', 'atLeast'] },
    count: { type: 'integer', minimum: 1, maximum: 20, description: 'for atLeast: how many approvals approve' },
    approved: {
      type: 'object',
      required: ['transition'],
      additionalProperties: false,
      properties: { transition: name, commentField: { ...name, description: "the field that receives the approvers' comments" } },
    },
    rejected: {
      type: 'object',
      required: ['transition'],
      additionalProperties: false,
      properties: { transition: name, commentField: { ...name, description: "the field that receives the approvers' comments" } },
    },
    timeoutMinutes: minutes,
    onTimeout: { type: 'string', enum: ['approve', 'reject', 'escalate'], description: 'what the desk decides when the approvers have not (default: escalate)' },
    escalate: { type: 'array', minItems: 1, maxItems: 10, items: escalationAction, description: 'actions when onTimeout is escalate' },
    remindBeforeMinutes: { ...minutes, description: 'mail the approvers who have not decided this long before the timeout' },
  },
} as const;

export const definitionSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://guichet.dev/schemas/workflow-definition.json',
  title: 'Guichet workflow definition',
  type: 'object',
  required: ['key', 'name', 'types', 'numberPrefix', 'states', 'transitions'],
  additionalProperties: false,
  properties: {
    key: name,
    name: label,
    description: { type: 'string', maxLength: 2000 },
    types: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: ['incident', 'service_request', 'problem', 'maintenance'] } },
    numberPrefix: { type: 'string', pattern: '^[A-Z]{2,5}$' },
    defaultQueue: name,
    fields: {
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        required: ['name', 'label', 'schema'],
        additionalProperties: false,
        properties: {
          name: name,
          label: label,
          schema: {
            description: 'JSON Schema constraining the value',
            type: 'object',
            required: ['type'],
            properties: {
              type: { type: 'string', enum: ['string', 'number', 'integer', 'boolean'] },
              enum: { type: 'array', minItems: 1, description: 'the values offered, in order', items: { type: ['string', 'number'] } },
            },
          },
          customerEditable: { type: 'boolean' },
          requiredOnCreate: { type: 'boolean' },
        },
      },
    },
    states: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        required: ['name', 'category', 'label'],
        additionalProperties: false,
        properties: {
          name: name,
          category: { type: 'string', enum: ['new', 'open', 'pending', 'resolved', 'closed'] },
          label: label,
          initial: { type: 'boolean' },
          slaPaused: { type: 'boolean' },
          requiredFields: { type: 'array', uniqueItems: true, items: name },
          approval,
        },
      },
    },
    transitions: {
      type: 'array',
      maxItems: 500,
      items: {
        type: 'object',
        required: ['name', 'label', 'from', 'to', 'roles'],
        additionalProperties: false,
        properties: {
          name: name,
          label: label,
          from: { type: 'array', minItems: 1, uniqueItems: true, items: name },
          to: name,
          roles: { type: 'array', minItems: 1, uniqueItems: true, items: role },
          requiredFields: { type: 'array', uniqueItems: true, items: name },
          guard: {
            type: 'object',
            required: ['field'],
            additionalProperties: false,
            properties: {
              field: name,
              equals: { type: ['string', 'number', 'boolean'] },
              notEquals: { type: ['string', 'number', 'boolean'] },
            },
          },
          withinMinutes: { ...minutes, description: 'only allowed this long after entering the from state (e.g. reopen window)' },
          requiresTimeSpent: { type: 'boolean', description: 'agents record the time they spent when they take it (time tracking)' },
        },
      },
    },
    calendars: {
      type: 'object',
      maxProperties: 20,
      propertyNames: name,
      additionalProperties: {
        type: 'object',
        required: ['timeZone', 'weekly'],
        additionalProperties: false,
        properties: {
          timeZone: { type: 'string', minLength: 1, maxLength: 64 },
          weekly: {
            type: 'object',
            additionalProperties: false,
            properties: { mon: dayHours, tue: dayHours, wed: dayHours, thu: dayHours, fri: dayHours, sat: dayHours, sun: dayHours },
          },
          holidays: { type: 'array', maxItems: 400, uniqueItems: true, items: { type: 'string', format: 'date' } },
        },
      },
    },
    sla: {
      type: 'object',
      additionalProperties: false,
      properties: {
        policies: {
          type: 'object',
          additionalProperties: false,
          propertyNames: priority,
          patternProperties: {
            '^(low|medium|high|critical)$': {
              type: 'object',
              required: ['calendar'],
              additionalProperties: false,
              properties: {
                calendar: { type: 'string', description: "a calendar name, or '24x7'" },
                firstResponseMinutes: minutes,
                resolutionMinutes: minutes,
                warnAtPercent: { type: 'integer', minimum: 1, maximum: 99 },
              },
            },
          },
        },
      },
    },
    escalations: {
      type: 'array',
      maxItems: 50,
      items: {
        type: 'object',
        required: ['name', 'on', 'actions'],
        additionalProperties: false,
        properties: {
          name: name,
          on: { type: 'string', enum: ['firstResponse.warning', 'firstResponse.breach', 'resolution.warning', 'resolution.breach', 'unassigned', 'noAgentUpdate'] },
          afterMinutes: { ...minutes, description: 'for unassigned and noAgentUpdate: how long, or after warning/breach: extra delay' },
          actions: { type: 'array', minItems: 1, maxItems: 10, items: escalationAction },
        },
      },
    },
    onProblemResolved: {
      description: 'what a ticket of this definition does when a problem it is linked to is resolved',
      type: 'object',
      required: ['comment'],
      additionalProperties: false,
      properties: {
        comment: { ...label, description: 'public comment; {number} and {solution} are replaced' },
        solutionFrom: { type: 'array', minItems: 1, uniqueItems: true, items: name, description: "the problem's fields to take the solution from, first present wins" },
        transition: name,
        setField: { ...name, description: 'field of this ticket that receives the solution before the transition' },
      },
    },
    onChildrenDone: {
      description: 'what a parent ticket does once all its child tickets are resolved or closed',
      type: 'object',
      required: ['transition'],
      additionalProperties: false,
      properties: { transition: name },
    },
    layout: {
      description: 'where the console designer draws each state; ignored by the workflow',
      type: 'object',
      additionalProperties: false,
      properties: {
        states: {
          type: 'object',
          maxProperties: 100,
          propertyNames: name,
          additionalProperties: {
            type: 'object',
            required: ['x', 'y'],
            additionalProperties: false,
            properties: { x: { type: 'number', minimum: -100000, maximum: 100000 }, y: { type: 'number', minimum: -100000, maximum: 100000 } },
          },
        },
      },
    },
    automations: {
      type: 'array',
      maxItems: 50,
      items: {
        type: 'object',
        required: ['name', 'inState', 'afterMinutes'],
        additionalProperties: false,
        properties: {
          name: name,
          inState: name,
          afterMinutes: minutes,
          calendar: { type: 'string', description: "business calendar the delay counts in, or '24x7' (default)" },
          transition: name,
          remind: label,
        },
      },
    },
  },
} as const;

export type WorkflowDefinition = FromSchema<typeof definitionSchema>;
export type Label = WorkflowDefinition['name'];
export type Role = 'admin' | 'agent' | 'customer' | 'system';
export type Priority = 'low' | 'medium' | 'high' | 'critical';
export const PRIORITIES: readonly Priority[] = ['low', 'medium', 'high', 'critical'];
/** The queue's first sort key (tickets.priority_order): critical first. */
export const PRIORITY_ORDER: Readonly<Record<Priority, number>> = { critical: 1, high: 2, medium: 3, low: 4 };
export type StateDef = WorkflowDefinition['states'][number];
export type TransitionDef = WorkflowDefinition['transitions'][number];
export type FieldDef = NonNullable<WorkflowDefinition['fields']>[number];
export type CalendarDef = NonNullable<WorkflowDefinition['calendars']>[string];
export type EscalationDef = NonNullable<WorkflowDefinition['escalations']>[number];
export type EscalationAction = EscalationDef['actions'][number];
export type ApprovalDef = NonNullable<StateDef['approval']>;
export type AutomationDef = NonNullable<WorkflowDefinition['automations']>[number];
export interface SlaPolicy {
  calendar: string;
  firstResponseMinutes?: number;
  resolutionMinutes?: number;
  warnAtPercent?: number;
}
