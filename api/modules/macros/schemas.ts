// JSON Schemas of the macros API: a macro (reply text in both languages and the actions it takes) and applying one.
import type { FromSchema } from 'json-schema-to-ts';

const text = { type: 'string', minLength: 1, maxLength: 50000, pattern: '\\S' } as const;
const tags = { type: 'array', maxItems: 20, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 60 } } as const;

export const macroBody = {
  title: 'MacroInput',
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 80, pattern: '\\S' },
    shared: { type: 'boolean', default: false, description: 'Shared with every agent (admins only); otherwise the macro is yours alone' },
    reply: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      description: "Markdown in English and/or French; the requester's language is used (the other when it is missing). Variables: {{ticket.number}}, {{requester.name}}, {{agent.name}}, {{fields.<name>}}…",
      properties: { en: text, fr: text, visibility: { type: 'string', enum: ['public', 'internal'], default: 'public' } },
    },
    priority: { type: 'string', enum: ['low', 'medium', 'high', 'critical'] },
    fields: { type: 'object', maxProperties: 50, propertyNames: { pattern: '^[a-z][a-z0-9_]{0,62}$' }, additionalProperties: { type: ['string', 'number', 'boolean'] } },
    addTags: tags,
    removeTags: tags,
    assignTo: {
      description: "'me' (the agent applying it), 'nobody' (unassign) or an agent's id",
      anyOf: [{ type: 'string', enum: ['me', 'nobody'] }, { type: 'string', format: 'uuid' }],
    },
    transition: { type: 'string', minLength: 1, maxLength: 63, description: "A transition name; tickets whose workflow does not allow it now are refused and left unchanged" },
  },
} as const;
export type MacroBody = FromSchema<typeof macroBody>;

export const macroSchema = {
  title: 'Macro',
  type: 'object',
  required: ['id', 'name', 'shared', 'mine', 'owner'],
  properties: {
    ...macroBody.properties,
    id: { type: 'string', format: 'uuid' },
    mine: { type: 'boolean' },
    owner: { type: ['object', 'null'], required: ['id', 'name'], properties: { id: { type: 'string' }, name: { type: 'string' } } },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const applyBody = {
  type: 'object',
  required: ['ids'],
  additionalProperties: false,
  properties: {
    ids: { type: 'array', minItems: 1, maxItems: 100, uniqueItems: true, items: { type: 'string', format: 'uuid' } },
    timeSpent: { type: 'integer', minimum: 1, maximum: 1440, description: 'Minutes spent, recorded on each ticket with the reply or transition' },
  },
} as const;
export type ApplyBody = FromSchema<typeof applyBody>;

export const previewBody = { type: 'object', required: ['ticketId'], additionalProperties: false, properties: { ticketId: { type: 'string', format: 'uuid' } } } as const;
export type PreviewBody = FromSchema<typeof previewBody>;

const localizedOrNull = { type: ['object', 'null'], required: ['en', 'fr'], properties: { en: { type: 'string' }, fr: { type: 'string' } } } as const;

/** What a macro would do to one ticket, changing nothing. */
export const previewSchema = {
  title: 'MacroPreview',
  type: 'object',
  required: ['ticket', 'reply', 'priority', 'fields', 'addTags', 'removeTags', 'assignTo', 'transition', 'problems'],
  properties: {
    ticket: { type: 'object', required: ['id', 'number'], properties: { id: { type: 'string', format: 'uuid' }, number: { type: 'string' } } },
    reply: {
      type: ['object', 'null'],
      required: ['body', 'html', 'visibility', 'locale'],
      description: "filled in, in the requester's language",
      properties: { body: { type: 'string' }, html: { type: 'string' }, visibility: { type: 'string', enum: ['public', 'internal'] }, locale: { type: 'string', enum: ['en', 'fr'] } },
    },
    priority: { type: ['string', 'null'], enum: ['low', 'medium', 'high', 'critical', null] },
    fields: macroBody.properties.fields,
    addTags: { type: 'array', items: { type: 'string' } },
    removeTags: { type: 'array', items: { type: 'string' } },
    assignTo: { type: ['object', 'null'], required: ['id', 'name'], properties: { id: { type: ['string', 'null'] }, name: { type: ['string', 'null'] } } },
    transition: {
      type: ['object', 'null'],
      required: ['name', 'label', 'requiresTimeSpent'],
      properties: { name: { type: 'string' }, label: localizedOrNull, requiresTimeSpent: { type: 'boolean' } },
    },
    problems: { type: 'array', items: { type: 'object', required: ['part', 'message'], properties: { part: { type: 'string' }, message: { type: 'string' } } } },
  },
} as const;
