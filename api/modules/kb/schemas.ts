// JSON Schemas of the knowledge-base API's bodies, queries and answers; they give the TypeScript types and the OpenAPI document.
import type { FromSchema } from 'json-schema-to-ts';
import { listOf } from '../../http/shapes';

export const LOCALES = ['en', 'fr'] as const;
export type KbLocale = (typeof LOCALES)[number];

const locale = { title: 'KbLocale', type: 'string', enum: LOCALES } as const;
const visibility = { title: 'KbVisibility', type: 'string', enum: ['public', 'internal'] } as const;
const status = { title: 'KbStatus', type: 'string', enum: ['draft', 'published', 'archived'] } as const;
const categoryKey = { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,62}$' } as const;
/** A tag is a short label; the service stores it lower-cased. */
const tag = { type: 'string', minLength: 1, maxLength: 40, pattern: '^[^\\s,]([^,]*[^\\s,])?$' } as const;
const tags = { type: 'array', maxItems: 20, uniqueItems: true, items: tag } as const;

/** 100,000 characters of markdown: a long manual page, far under the 1 MB body limit. */
export const MAX_BODY = 100_000;

const translationFields = {
  title: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
  summary: { type: 'string', maxLength: 500, default: '' },
  body: { type: 'string', minLength: 1, maxLength: MAX_BODY, pattern: '\\S' },
} as const;

export const translationInput = {
  title: 'KbTextInput',
  type: 'object',
  required: ['title', 'body'],
  additionalProperties: false,
  properties: translationFields,
} as const;

export const saveTranslationBody = {
  type: 'object',
  required: ['title', 'body'],
  additionalProperties: false,
  properties: {
    ...translationFields,
    /** The revision the editor started from; a save over a newer revision is refused (409) instead of losing it. */
    baseRevision: { type: 'integer', minimum: 0 },
  },
} as const;
export type SaveTranslationBody = FromSchema<typeof saveTranslationBody>;

export const createArticleBody = {
  type: 'object',
  required: ['visibility', 'translations'],
  additionalProperties: false,
  properties: {
    categoryKey: { ...categoryKey, type: ['string', 'null'] },
    tags,
    visibility,
    status: { ...status, default: 'draft' },
    translations: {
      type: 'object',
      minProperties: 1,
      additionalProperties: false,
      properties: { en: translationInput, fr: translationInput },
    },
  },
} as const;
export type CreateArticleBody = FromSchema<typeof createArticleBody>;

export const patchArticleBody = {
  title: 'KbArticlePatch',
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: { categoryKey: { ...categoryKey, type: ['string', 'null'] }, tags, visibility, status },
} as const;
export type PatchArticleBody = FromSchema<typeof patchArticleBody>;

export const searchQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: { type: 'string', maxLength: 200 },
    category: categoryKey,
    tag,
    locale,
    status,
    visibility,
    limit: { type: 'string', pattern: '^(?:[1-9]|[1-4][0-9]|50)$' },
    offset: { type: 'string', pattern: '^(?:0|[1-9][0-9]{0,4})$' },
  },
} as const;
export type SearchQuery = FromSchema<typeof searchQuery>;

export const suggestQuery = {
  type: 'object',
  required: ['q'],
  additionalProperties: false,
  properties: {
    q: { type: 'string', maxLength: 2000 },
    limit: { type: 'string', pattern: '^(?:[1-9]|10)$' },
  },
} as const;
export type SuggestQuery = FromSchema<typeof suggestQuery>;

export const categoryBody = {
  type: 'object',
  required: ['key', 'name'],
  additionalProperties: false,
  properties: {
    key: categoryKey,
    name: {
      type: 'object',
      required: ['en', 'fr'],
      additionalProperties: false,
      properties: { en: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' }, fr: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' } },
    },
  },
} as const;
export type CategoryBody = FromSchema<typeof categoryBody>;

export const feedbackBody = {
  type: 'object',
  required: ['helpful'],
  additionalProperties: false,
  properties: { helpful: { type: 'boolean' } },
} as const;

export const eventBody = {
  type: 'object',
  required: ['sessionId', 'type'],
  additionalProperties: false,
  properties: {
    /** A random id the portal draws when a customer starts writing a request, renewed after each submission. */
    sessionId: { type: 'string', format: 'uuid' },
    type: { type: 'string', enum: ['suggestion_opened', 'ticket_submitted'] },
    articleId: { type: 'string', format: 'uuid' },
  },
} as const;
export type EventBody = FromSchema<typeof eventBody>;

export const fromTicketBody = {
  type: 'object',
  required: ['ticketId'],
  additionalProperties: false,
  properties: { ticketId: { type: 'string', format: 'uuid' }, locale },
} as const;
export type FromTicketBody = FromSchema<typeof fromTicketBody>;

export const renderBody = {
  type: 'object',
  required: ['body'],
  additionalProperties: false,
  properties: { body: { type: 'string', maxLength: MAX_BODY } },
} as const;

// Answers.
const translationView = {
  title: 'KbTranslation',
  type: 'object',
  required: ['locale', 'title', 'summary', 'body', 'html', 'revision', 'updatedAt', 'updatedBy'],
  properties: {
    locale,
    title: { type: 'string' },
    summary: { type: 'string' },
    body: { type: 'string' },
    html: { type: 'string' },
    revision: { type: 'integer' },
    updatedAt: { type: 'string', format: 'date-time' },
    updatedBy: { type: ['string', 'null'] },
  },
} as const;

export const articleSchema = {
  title: 'KbArticle',
  type: 'object',
  required: ['id', 'categoryKey', 'visibility', 'status', 'tags', 'sourceTicketId', 'createdAt', 'updatedAt', 'publishedAt', 'translations', 'myFeedback'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    categoryKey: { type: ['string', 'null'] },
    tags: { type: 'array', items: { type: 'string' } },
    visibility,
    status,
    sourceTicketId: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    publishedAt: { type: ['string', 'null'] },
    translations: { type: 'array', items: translationView },
    myFeedback: { type: ['boolean', 'null'] },
    feedback: { type: 'object', required: ['helpful', 'notHelpful'], description: 'staff only', properties: { helpful: { type: 'integer' }, notHelpful: { type: 'integer' } } },
    deflection: { type: 'object', required: ['opened', 'deflected'], description: 'staff only', properties: { opened: { type: 'integer' }, deflected: { type: 'integer' } } },
  },
} as const;

const hitSchema = {
  title: 'KbHit',
  type: 'object',
  required: ['id', 'locale', 'title', 'summary', 'snippet', 'categoryKey', 'tags', 'rank', 'updatedAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    locale,
    title: { type: 'string' },
    summary: { type: 'string' },
    snippet: { type: 'string', description: 'HTML-escaped text; matches are wrapped in <mark>' },
    categoryKey: { type: ['string', 'null'] },
    tags: { type: 'array', items: { type: 'string' } },
    visibility,
    status,
    rank: { type: ['number', 'null'] },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const searchSchema = { type: 'object', required: ['items', 'total'], properties: { items: { type: 'array', items: hitSchema }, total: { type: 'integer' } } } as const;
export const suggestSchema = listOf(hitSchema);

const revisionSchema = {
  title: 'KbRevision',
  type: 'object',
  required: ['revision', 'locale', 'title', 'summary', 'body', 'author', 'createdAt', 'restoredFrom'],
  properties: {
    revision: { type: 'integer' },
    locale,
    title: { type: 'string' },
    summary: { type: 'string' },
    body: { type: 'string' },
    author: { type: 'object', required: ['id', 'name'], properties: { id: { type: ['string', 'null'] }, name: { type: ['string', 'null'] } } },
    createdAt: { type: 'string', format: 'date-time' },
    restoredFrom: { type: ['integer', 'null'] },
  },
} as const;
export const revisionListSchema = listOf(revisionSchema);
export { revisionSchema };

export const categorySchema = {
  title: 'KbCategory',
  type: 'object',
  required: ['key', 'name'],
  properties: { key: { type: 'string' }, name: { type: 'object', required: ['en', 'fr'], properties: { en: { type: 'string' }, fr: { type: 'string' } } }, articles: { type: 'integer' } },
} as const;

export const statsSchema = {
  title: 'KbStats',
  type: 'object',
  required: ['sessions', 'suggestionsOpened', 'ticketsAfterSuggestion', 'deflections', 'articles'],
  properties: {
    sessions: { type: 'integer' },
    suggestionsOpened: { type: 'integer' },
    ticketsAfterSuggestion: { type: 'integer' },
    deflections: { type: 'integer' },
    articles: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'title', 'opened', 'deflected', 'helpful', 'notHelpful'],
        properties: {
          id: { type: 'string' },
          title: { type: 'string' },
          opened: { type: 'integer' },
          deflected: { type: 'integer' },
          helpful: { type: 'integer' },
          notHelpful: { type: 'integer' },
        },
      },
    },
  },
} as const;
