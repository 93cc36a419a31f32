// The knowledge base: articles, their translations and revisions, categories, feedback and events.
// Tables are made only by the committed migrations; tests/platform/entities-match-schema.test.ts holds these to them.
import { defineEntity, p } from '@mikro-orm/core';

export const KbArticle = defineEntity({
  name: 'KbArticle',
  tableName: 'kb_articles',
  properties: {
    id: p.uuid().primary(),
    categoryKey: p.text().nullable(),
    tags: p.array().defaultRaw('\'{}\'::text[]'),
    visibility: p.text(),
    status: p.text(),
    sourceTicketId: p.uuid().nullable(),
    createdBy: p.uuid().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
    publishedAt: p.datetime().nullable(),
  },
});

export const KbCategory = defineEntity({
  name: 'KbCategory',
  tableName: 'kb_categories',
  properties: {
    key: p.text().primary(),
    nameEn: p.text(),
    nameFr: p.text(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

export const KbEvent = defineEntity({
  name: 'KbEvent',
  tableName: 'kb_events',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    sessionId: p.uuid(),
    userId: p.uuid(),
    kind: p.text(),
    articleId: p.uuid().nullable(),
    at: p.datetime().defaultRaw('now()'),
  },
});

export const KbFeedback = defineEntity({
  name: 'KbFeedback',
  tableName: 'kb_feedback',
  properties: {
    articleId: p.uuid().primary(),
    userId: p.uuid().primary(),
    helpful: p.boolean(),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

export const KbRevision = defineEntity({
  name: 'KbRevision',
  tableName: 'kb_revisions',
  properties: {
    articleId: p.uuid().primary(),
    locale: p.text().primary(),
    revision: p.integer().primary(),
    title: p.text(),
    summary: p.text(),
    body: p.text(),
    authorId: p.uuid().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    restoredFrom: p.integer().nullable(),
  },
});

export const KbTranslation = defineEntity({
  name: 'KbTranslation',
  tableName: 'kb_translations',
  properties: {
    articleId: p.uuid().primary(),
    locale: p.text().primary(),
    title: p.text(),
    summary: p.text().defaultRaw('\'\'::text'),
    body: p.text(),
    bodyText: p.text(),
    revision: p.integer(),
    updatedBy: p.uuid().nullable(),
    updatedAt: p.datetime().defaultRaw('now()'),
    search: p.type('tsvector').defaultRaw('\'\'::tsvector'),
    searchHead: p.type('tsvector').defaultRaw('\'\'::tsvector'),
  },
});

export const KNOWLEDGE_ENTITIES = [KbArticle, KbCategory, KbEvent, KbFeedback, KbRevision, KbTranslation];
