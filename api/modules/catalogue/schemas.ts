// JSON Schemas of the service catalogue: offerings as admins edit them, items as the portal lists them, a submission,
// and a ticket's request form. They give the TypeScript types and the OpenAPI document.
import type { FromSchema } from 'json-schema-to-ts';
import { formLayoutSchema, localisedText, type FormLayout } from '../../../workflow-definitions/index';
import { fieldValues, priority } from '../tickets/schemas';

/** The icons an offering may show (PrimeIcons names): a fixed set, so no admin input lands in a class attribute unchecked. */
export const OFFERING_ICONS = [
  'desktop', 'mobile', 'key', 'lock', 'user-plus', 'users', 'wifi', 'print', 'envelope', 'shopping-cart', 'briefcase',
  'wrench', 'box', 'server', 'database', 'calendar', 'car', 'building', 'question-circle', 'file',
] as const;


const description = {
  type: 'object',
  required: ['en', 'fr'],
  additionalProperties: false,
  properties: { en: { type: 'string', maxLength: 2000 }, fr: { type: 'string', maxLength: 2000 } },
} as const;

const offeringProperties = {
  key: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'Stable name in addresses, e.g. new-laptop' },
  name: localisedText,
  description,
  category: localisedText,
  icon: { title: 'OfferingIcon', type: 'string', enum: [...OFFERING_ICONS] },
  organisationIds: { type: 'array', maxItems: 500, uniqueItems: true, items: { type: 'string', format: 'uuid' }, description: 'Organisations whose customers see it; empty: every customer' },
  ticketType: { title: 'OfferingTicketType', type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$', description: "The ticket's type (built-in or custom, not maintenance: work orders come from plans), hence the workflow definition that runs it" },
  queue: { type: ['string', 'null'], maxLength: 63, description: 'Queue of its tickets; null: the routing rules decide' },
  priority,
  fields: { ...fieldValues, description: "Field values every ticket of the offering starts with (the definition's fields)" },
  published: { type: 'boolean', description: 'Shown in the portal and open to requests' },
  form: formLayoutSchema,
} as const;

export const offeringBody = {
  title: 'NewOffering',
  type: 'object',
  required: ['key', 'name', 'description', 'category', 'icon', 'ticketType', 'priority', 'form'],
  additionalProperties: false,
  properties: offeringProperties,
} as const;
export type OfferingBody = Omit<FromSchema<typeof offeringBody>, 'form'> & { form: FormLayout };

export const offeringPatch = { title: 'OfferingChange', type: 'object', additionalProperties: false, minProperties: 1, properties: offeringProperties } as const;
export type OfferingPatch = Partial<OfferingBody>;

export const offeringSchema = {
  title: 'Offering',
  type: 'object',
  required: ['id', 'key', 'name', 'description', 'category', 'icon', 'organisationIds', 'ticketType', 'queue', 'priority', 'fields', 'published', 'version', 'form', 'requests', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    ...offeringProperties,
    version: { type: 'integer', description: 'The current form version; each change of the form makes a new one' },
    requests: { type: 'integer', description: 'Requests submitted through it, all versions' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const catalogueItemSchema = {
  title: 'CatalogueItem',
  type: 'object',
  required: ['key', 'name', 'description', 'category', 'icon', 'ticketType', 'version'],
  properties: {
    key: offeringProperties.key,
    name: offeringProperties.name,
    description,
    category: offeringProperties.category,
    icon: offeringProperties.icon,
    ticketType: offeringProperties.ticketType,
    version: { type: 'integer' },
  },
} as const;

export const catalogueFormSchema = {
  title: 'CatalogueItemForm',
  type: 'object',
  required: [...catalogueItemSchema.required, 'form', 'checkUrl'],
  properties: {
    ...catalogueItemSchema.properties,
    form: formLayoutSchema,
    checkUrl: { type: 'string', description: "The form version's answer check: an ES module whose default export is the ajv function the server checks with" },
  },
} as const;

export const catalogueQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { q: { type: 'string', maxLength: 200 } },
} as const;

export const requestBody = {
  title: 'CatalogueRequest',
  type: 'object',
  required: ['version', 'answers'],
  additionalProperties: false,
  properties: {
    version: { type: 'integer', minimum: 1, description: 'The form version the answers were given to; another than the current one is refused (409)' },
    answers: { type: 'object', maxProperties: 100, description: "The form's answers by field name, checked against the version's schema" },
    requesterId: { type: 'string', format: 'uuid', description: 'Agents and admins submit for someone else' },
  },
} as const;
export type RequestBody = FromSchema<typeof requestBody>;

export const choiceSchema = {
  title: 'CatalogueChoice',
  type: 'object',
  required: ['id', 'name', 'detail'],
  properties: { id: { type: 'string', format: 'uuid' }, name: { type: 'string' }, detail: { type: 'string' } },
} as const;

export const ticketRequestFormSchema = {
  title: 'TicketRequestForm',
  type: 'object',
  required: ['request'],
  properties: {
    request: {
      type: ['object', 'null'],
      description: 'null: the ticket did not come from the catalogue',
      required: ['offering', 'version', 'form', 'answers', 'names', 'submittedAt'],
      properties: {
        offering: { type: 'object', required: ['key', 'name', 'icon'], properties: { key: { type: 'string' }, name: localisedText, icon: offeringProperties.icon } },
        version: { type: 'integer', description: 'The form version it was submitted with (its labels are those of that version)' },
        form: formLayoutSchema,
        answers: { type: 'object' },
        names: { type: 'object', additionalProperties: { type: 'string' }, description: 'Names of the people and assets the answers picked, by id' },
        submittedAt: { type: 'string', format: 'date-time' },
      },
    },
  },
} as const;
