// Shapes the definition API answers with; titled ones become named types of the console's generated client.
import { definitionSchema } from '../../../workflow-definitions/index';

const str = { type: 'string' } as const;
const status = { type: 'string', enum: ['draft', 'published'] } as const;

export const definitionSummarySchema = {
  title: 'DefinitionSummary',
  type: 'object',
  required: ['key', 'version', 'name', 'types', 'status', 'publishedAt'],
  properties: { key: str, version: { type: 'integer' }, name: definitionSchema.properties.name, types: { type: 'array', items: str }, status, publishedAt: { type: ['string', 'null'] } },
} as const;

export const definitionVersionSchema = {
  title: 'DefinitionVersion',
  type: 'object',
  required: ['key', 'version', 'status', 'createdAt', 'publishedAt'],
  properties: { key: str, version: { type: 'integer' }, status, createdAt: { type: 'string', format: 'date-time' }, publishedAt: { type: ['string', 'null'] } },
} as const;

/** The stored document, with the version and status it has. */
export const definitionDocumentSchema = {
  type: 'object',
  required: ['key', 'version', 'status'],
  properties: { ...definitionSchema.properties, version: { type: 'integer' }, status },
} as const;

export const fieldErrorSchema = { title: 'FieldError', type: 'object', required: ['pointer', 'message'], properties: { pointer: str, message: str } } as const;

export const validationResultSchema = {
  title: 'ValidationResult',
  type: 'object',
  required: ['valid', 'errors'],
  properties: { valid: { type: 'boolean' }, errors: { type: 'array', items: fieldErrorSchema } },
} as const;

export const definitionChangeSchema = {
  title: 'DefinitionChange',
  type: 'object',
  required: ['path', 'op'],
  properties: { path: { ...str, description: 'like /states/resolved/label/fr: list items are addressed by their name' }, op: { type: 'string', enum: ['added', 'removed', 'changed'] }, before: {}, after: {} },
} as const;

const ticketRef = { ticketId: str, number: str } as const;
export const migrationReportSchema = {
  title: 'MigrationReport',
  type: 'object',
  required: ['migrated', 'failed'],
  properties: {
    migrated: { type: 'array', items: { type: 'object', required: ['ticketId', 'number', 'state'], properties: { ...ticketRef, state: str } } },
    failed: { type: 'array', items: { type: 'object', required: ['ticketId', 'number', 'reason'], properties: { ...ticketRef, reason: str } } },
  },
} as const;
