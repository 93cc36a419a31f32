// The read-model entities, defined with MikroORM's defineEntity (tables are created only by the committed migrations).
import { defineEntity, p } from '@mikro-orm/core';

export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.uuid().primary(),
    email: p.string().unique(),
    name: p.string(),
    role: p.string(),
    passwordHash: p.string().nullable(),
    locale: p.string().default('en'),
    organisationId: p.uuid().nullable(),
    disabled: p.boolean().default(false),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export const Session = defineEntity({
  name: 'Session',
  tableName: 'sessions',
  properties: {
    id: p.string().primary(),
    userId: p.uuid(),
    csrfToken: p.string(),
    expiresAt: p.datetime(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export const Definition = defineEntity({
  name: 'Definition',
  tableName: 'definitions',
  properties: {
    key: p.string().primary(),
    version: p.integer().primary(),
    status: p.string(),
    body: p.json<Record<string, unknown>>(),
    createdAt: p.datetime().onCreate(() => new Date()),
    publishedAt: p.datetime().nullable(),
  },
});

export const ENTITIES = [User, Session, Definition];
