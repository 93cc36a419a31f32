// JSON Schemas of organisations, groups and their memberships.
import type { FromSchema } from 'json-schema-to-ts';

const key = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$' } as const;
const text = { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' } as const;

export const organisationBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: text, shareTickets: { type: 'boolean', default: false } },
} as const;
export type OrganisationBody = FromSchema<typeof organisationBody>;

export const patchOrganisationBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { name: text, shareTickets: { type: 'boolean' } },
} as const;
export type PatchOrganisationBody = FromSchema<typeof patchOrganisationBody>;

export const groupBody = { type: 'object', required: ['key', 'name'], additionalProperties: false, properties: { key, name: text } } as const;
export type GroupBody = FromSchema<typeof groupBody>;

export const membersBody = {
  type: 'object',
  required: ['userIds'],
  additionalProperties: false,
  properties: { userIds: { type: 'array', maxItems: 1000, uniqueItems: true, items: { type: 'string', format: 'uuid' } } },
} as const;
export type MembersBody = FromSchema<typeof membersBody>;

export const queueGroupsBody = {
  type: 'object',
  required: ['groups'],
  additionalProperties: false,
  properties: { groups: { type: 'array', maxItems: 100, uniqueItems: true, items: key } },
} as const;
export type QueueGroupsBody = FromSchema<typeof queueGroupsBody>;

export const patchUserBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    name: text,
    role: { type: 'string', enum: ['admin', 'agent', 'customer'] },
    customRole: { type: ['string', 'null'], pattern: '^[a-z][a-z0-9_]{0,62}$', description: 'A custom role (the account becomes an agent with its grants); null for the built-in role' },
    locale: { type: 'string', enum: ['en', 'fr'] },
    organisationId: { type: ['string', 'null'], format: 'uuid' },
    disabled: { type: 'boolean' },
    skills: {
      type: 'array',
      maxItems: 50,
      uniqueItems: true,
      items: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,39}$' },
      description: "An agent's skills, as lowercase words: a queue that assigns by skills gives them the tickets whose tags or field values name one",
    },
    managerId: { type: ['string', 'null'], format: 'uuid', description: "The user's manager (approver of what a definition sends to the requester's manager); null for none" },
  },
} as const;
export type PatchUserBody = FromSchema<typeof patchUserBody>;

export const organisationSchema = {
  title: 'Organisation',
  type: 'object',
  required: ['id', 'name', 'shareTickets'],
  properties: { id: { type: 'string', format: 'uuid' }, name: { type: 'string' }, shareTickets: { type: 'boolean', description: "its customers see each other's tickets" } },
} as const;

export const groupSchema = {
  title: 'Group',
  type: 'object',
  required: ['key', 'name', 'userIds'],
  properties: { key: { type: 'string' }, name: { type: 'string' }, userIds: { type: 'array', items: { type: 'string', format: 'uuid' } } },
} as const;
