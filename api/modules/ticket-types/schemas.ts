// Ticket types' shapes: the source of validation, types and the OpenAPI document.
import type { FromSchema } from 'json-schema-to-ts';

/** The types every desk has; their words live in the console's messages, their definitions list them. */
export const BUILT_IN_TYPES = ['incident', 'service_request', 'problem', 'maintenance'] as const;
const key = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$' } as const;
const name = { type: 'string', minLength: 1, maxLength: 100 } as const;
const names = { type: 'object', required: ['en', 'fr'], additionalProperties: false, properties: { en: name, fr: name } } as const;

export const ticketTypeSchema = {
  title: 'TicketTypeInfo',
  type: 'object',
  required: ['key', 'name', 'builtIn', 'definitionKey', 'customersMayOpen'],
  properties: {
    key: { type: 'string' },
    name: { type: ['object', 'null'], required: ['en', 'fr'], properties: { en: { type: 'string' }, fr: { type: 'string' } }, description: 'null for built-in types (the console has their words)' },
    builtIn: { type: 'boolean' },
    definitionKey: { type: ['string', 'null'], description: 'The definition that runs tickets of a custom type (built-in types: those listing them)' },
    customersMayOpen: { type: 'boolean', description: 'Customers may open it from the portal' },
    tickets: { type: 'integer', description: 'Tickets of this type so far (custom types)' },
  },
} as const;

export const createTicketTypeBody = {
  type: 'object',
  required: ['key', 'name', 'definitionKey'],
  additionalProperties: false,
  properties: { key, name: names, definitionKey: key, customersMayOpen: { type: 'boolean' } },
} as const;
export type CreateTicketTypeBody = FromSchema<typeof createTicketTypeBody>;

export const patchTicketTypeBody = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: { name: names, definitionKey: key, customersMayOpen: { type: 'boolean' } },
} as const;
export type PatchTicketTypeBody = FromSchema<typeof patchTicketTypeBody>;
