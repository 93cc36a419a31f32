// What talks to the outside: webhooks, inbound endpoints, plug-ins, imports and mail.
// Tables are made only by the committed migrations; tests/platform/entities-match-schema.test.ts holds these to them.
import { defineEntity, p } from '@mikro-orm/core';

export const WebhookDelivery = defineEntity({
  name: 'WebhookDelivery',
  tableName: 'webhook_deliveries',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    subscriptionId: p.uuid(),
    ticketId: p.uuid(),
    seq: p.integer(),
    eventId: p.text(),
    eventType: p.text(),
    payload: p.json<unknown>(),
    status: p.text().defaultRaw('\'pending\'::text'),
    attempts: p.integer().defaultRaw('0'),
    responseStatus: p.integer().nullable(),
    latencyMs: p.integer().nullable(),
    lastError: p.text().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    lastAttemptAt: p.datetime().nullable(),
    deliveredAt: p.datetime().nullable(),
  },
});

export const WebhookDisabledNotice = defineEntity({
  name: 'WebhookDisabledNotice',
  tableName: 'webhook_disabled_notices',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    subscriptionId: p.uuid(),
    ownerId: p.uuid().nullable(),
    reason: p.text(),
    createdAt: p.datetime().defaultRaw('now()'),
    notifiedAt: p.datetime().nullable(),
  },
});

export const WebhookSubscription = defineEntity({
  name: 'WebhookSubscription',
  tableName: 'webhook_subscriptions',
  properties: {
    id: p.uuid().primary(),
    name: p.text(),
    url: p.text(),
    eventTypes: p.json<unknown>(),
    includeInternal: p.boolean().defaultRaw('false'),
    allowPrivateNetwork: p.boolean().defaultRaw('false'),
    enabled: p.boolean().defaultRaw('true'),
    disabledReason: p.text().nullable(),
    disabledAt: p.datetime().nullable(),
    secret: p.text(),
    previousSecret: p.text().nullable(),
    previousSecretUntil: p.datetime().nullable(),
    consecutiveFailures: p.integer().defaultRaw('0'),
    failingSince: p.datetime().nullable(),
    ownerId: p.uuid().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

export const InboundEndpoint = defineEntity({
  name: 'InboundEndpoint',
  tableName: 'inbound_endpoints',
  properties: {
    id: p.uuid().primary(),
    slug: p.text(),
    name: p.text(),
    auth: p.text(),
    secret: p.text(),
    mapping: p.json<unknown>(),
    actorId: p.uuid(),
    enabled: p.boolean().defaultRaw('true'),
    createdBy: p.uuid().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

export const InboundEvent = defineEntity({
  name: 'InboundEvent',
  tableName: 'inbound_events',
  properties: {
    endpointId: p.uuid().primary(),
    eventId: p.text().primary(),
    result: p.json<unknown>().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

export const InboundRef = defineEntity({
  name: 'InboundRef',
  tableName: 'inbound_refs',
  properties: {
    endpointId: p.uuid().primary(),
    externalRef: p.text().primary(),
    ticketId: p.uuid(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

export const InboundRequest = defineEntity({
  name: 'InboundRequest',
  tableName: 'inbound_requests',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    endpointId: p.uuid(),
    eventId: p.text().nullable(),
    receivedAt: p.datetime().defaultRaw('now()'),
    outcome: p.text(),
    status: p.integer(),
    action: p.text().nullable(),
    ticketId: p.uuid().nullable(),
    problem: p.json<unknown>().nullable(),
    headers: p.json<unknown>().defaultRaw('\'{}\'::jsonb'),
    body: p.text(),
    bodyTruncated: p.boolean().defaultRaw('false'),
    replayOf: p.bigint('number').nullable(),
  },
});

export const PluginError = defineEntity({
  name: 'PluginError',
  tableName: 'plugin_errors',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    plugin: p.text(),
    process: p.text(),
    phase: p.text(),
    message: p.text(),
    at: p.datetime().defaultRaw('now()'),
  },
});

export const PluginMigration = defineEntity({
  name: 'PluginMigration',
  tableName: 'plugin_migrations',
  properties: {
    plugin: p.text().primary(),
    name: p.text().primary(),
    appliedAt: p.datetime().defaultRaw('now()'),
  },
});

export const PluginScheduleRun = defineEntity({
  name: 'PluginScheduleRun',
  tableName: 'plugin_schedule_runs',
  properties: {
    id: p.text().primary(),
    plugin: p.text(),
    schedule: p.text(),
    trigger: p.text(),
    status: p.text(),
    report: p.json<unknown>().nullable(),
    error: p.text().nullable(),
    startedAt: p.datetime().defaultRaw('now()'),
    finishedAt: p.datetime().nullable(),
  },
});

export const PluginSetting = defineEntity({
  name: 'PluginSetting',
  tableName: 'plugin_settings',
  properties: {
    plugin: p.text().primary(),
    values: p.json<unknown>(),
    secrets: p.json<unknown>().defaultRaw('\'{}\'::jsonb'),
    updatedBy: p.uuid().nullable(),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

export const ImportKey = defineEntity({
  name: 'ImportKey',
  tableName: 'import_keys',
  properties: {
    source: p.text().primary(),
    kind: p.text().primary(),
    externalId: p.text().primary(),
    localId: p.text(),
    digest: p.text(),
    importedSeq: p.integer().nullable(),
    live: p.boolean().defaultRaw('false'),
    // An open imported ticket's workflow input until Temporal has it (api/modules/imports/live-tickets.ts).
    startInput: p.json<object>().nullable(),
    importedAt: p.datetime().defaultRaw('now()'),
  },
});

export const ImportRun = defineEntity({
  name: 'ImportRun',
  tableName: 'import_runs',
  properties: {
    id: p.uuid().primary(),
    source: p.text(),
    kind: p.text(),
    dryRun: p.boolean(),
    startedBy: p.uuid().nullable(),
    startedAt: p.datetime().defaultRaw('now()'),
    finishedAt: p.datetime().nullable(),
    outcome: p.text().defaultRaw('\'running\'::text'),
    counts: p.json<unknown>().defaultRaw('\'{}\'::jsonb'),
  },
});

export const MailInbound = defineEntity({
  name: 'MailInbound',
  tableName: 'mail_inbound',
  properties: {
    messageId: p.text().primary(),
    sender: p.text(),
    outcome: p.text(),
    ticketId: p.uuid().nullable(),
    detail: p.text().nullable(),
    receivedAt: p.datetime().defaultRaw('now()'),
  },
});

export const MailOutboxMessage = defineEntity({
  name: 'MailOutboxMessage',
  tableName: 'mail_outbox',
  properties: {
    id: p.uuid().primary(),
    dedupeKey: p.text(),
    messageId: p.text(),
    ticketId: p.uuid().nullable(),
    seq: p.integer().nullable(),
    recipientId: p.uuid().nullable(),
    toAddress: p.text(),
    kind: p.text(),
    locale: p.text(),
    mode: p.text(),
    subject: p.text(),
    body: p.text(),
    replyTo: p.text().nullable(),
    status: p.text().defaultRaw('\'pending\'::text'),
    attempts: p.integer().defaultRaw('0'),
    nextAttemptAt: p.datetime().defaultRaw('now()'),
    lastError: p.text().nullable(),
    digestMessageId: p.text().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    sentAt: p.datetime().nullable(),
  },
});

export const MailReplyToken = defineEntity({
  name: 'MailReplyToken',
  tableName: 'mail_reply_tokens',
  properties: {
    token: p.text().primary(),
    ticketId: p.uuid(),
    userId: p.uuid(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

export const MailTemplate = defineEntity({
  name: 'MailTemplate',
  tableName: 'mail_templates',
  properties: {
    kind: p.text().primary(),
    locale: p.text().primary(),
    subject: p.text(),
    body: p.text(),
    updatedBy: p.uuid().nullable(),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

export const MailUndeliverable = defineEntity({
  name: 'MailUndeliverable',
  tableName: 'mail_undeliverable',
  properties: {
    email: p.text().primary(),
    status: p.text(),
    diagnostic: p.text().nullable(),
    ticketId: p.uuid().nullable(),
    bouncedAt: p.datetime().defaultRaw('now()'),
  },
});

export const INTEGRATIONS_ENTITIES = [WebhookDelivery, WebhookDisabledNotice, WebhookSubscription, InboundEndpoint, InboundEvent, InboundRef, InboundRequest, PluginError, PluginMigration, PluginScheduleRun, PluginSetting, ImportKey, ImportRun, MailInbound, MailOutboxMessage, MailReplyToken, MailTemplate, MailUndeliverable];
