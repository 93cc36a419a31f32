// The desk itself: settings, sealed secrets, the audit log and retention.
// Tables are made only by the committed migrations; tests/platform/entities-match-schema.test.ts holds these to them.
import { defineEntity, p } from '@mikro-orm/core';

export const DeskSecret = defineEntity({
  name: 'DeskSecret',
  tableName: 'desk_secrets',
  properties: {
    name: p.text().primary(),
    value: p.type('bytea'),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

export const DeskSetting = defineEntity({
  name: 'DeskSetting',
  tableName: 'desk_settings',
  properties: {
    key: p.text().primary(),
    value: p.json<unknown>(),
    updatedBy: p.uuid().nullable(),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

export const AuditEntry = defineEntity({
  name: 'AuditEntry',
  tableName: 'audit_log',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    at: p.datetime().defaultRaw('now()'),
    actorId: p.uuid().nullable(),
    actorRole: p.text().nullable(),
    via: p.text().nullable(),
    action: p.text(),
    target: p.text().nullable(),
    outcome: p.text(),
    status: p.integer().nullable(),
    ip: p.text().nullable(),
    requestId: p.text().nullable(),
    detail: p.json<unknown>().defaultRaw('\'{}\'::jsonb'),
    count: p.integer().defaultRaw('1'),
    bucket: p.datetime().nullable(),
    entity: p.text().nullable(),
    entityId: p.text().nullable(),
  },
});

export const RetentionPolicy = defineEntity({
  name: 'RetentionPolicy',
  tableName: 'retention_policies',
  properties: {
    id: p.uuid().primary(),
    name: p.text(),
    organisationId: p.uuid().nullable(),
    ticketType: p.text().nullable(),
    afterDays: p.integer(),
    enabled: p.boolean().defaultRaw('true'),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

export const RetentionRun = defineEntity({
  name: 'RetentionRun',
  tableName: 'retention_runs',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    policyId: p.uuid(),
    at: p.datetime().defaultRaw('now()'),
    trigger: p.text(),
    anonymised: p.integer(),
  },
});

export const DESK_ENTITIES = [DeskSecret, DeskSetting, AuditEntry, RetentionPolicy, RetentionRun];
