// The service catalogue, assets and preventive maintenance.
// Tables are made only by the committed migrations; tests/platform/entities-match-schema.test.ts holds these to them.
import { defineEntity, p } from '@mikro-orm/core';

export const CatalogueFormVersion = defineEntity({
  name: 'CatalogueFormVersion',
  tableName: 'catalogue_form_versions',
  properties: {
    offeringId: p.uuid().primary(),
    version: p.integer().primary(),
    layout: p.json<unknown>(),
    createdBy: p.uuid().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

export const CatalogueOffering = defineEntity({
  name: 'CatalogueOffering',
  tableName: 'catalogue_offerings',
  properties: {
    id: p.uuid().primary(),
    key: p.text(),
    name: p.json<unknown>(),
    description: p.json<unknown>(),
    category: p.json<unknown>(),
    icon: p.text(),
    organisationIds: p.array().columnType('uuid[]').defaultRaw('\'{}\'::uuid[]'),
    ticketType: p.text(),
    queue: p.text().nullable(),
    priority: p.text(),
    fieldValues: p.json<unknown>().defaultRaw('\'{}\'::jsonb'),
    published: p.boolean().defaultRaw('false'),
    version: p.integer().defaultRaw('1'),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

export const Asset = defineEntity({
  name: 'Asset',
  tableName: 'assets',
  properties: {
    id: p.uuid().primary(),
    name: p.text(),
    kind: p.text(),
    category: p.text().defaultRaw('\'\'::text'),
    location: p.text().defaultRaw('\'\'::text'),
    ownerGroup: p.text().nullable(),
    criticality: p.text(),
    fields: p.json<unknown>().defaultRaw('\'{}\'::jsonb'),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

export const MaintenancePlan = defineEntity({
  name: 'MaintenancePlan',
  tableName: 'maintenance_plans',
  properties: {
    id: p.uuid().primary(),
    name: p.text(),
    assetIds: p.json<unknown>(),
    schedule: p.json<unknown>(),
    startLocal: p.text(),
    endDate: p.text().nullable(),
    timeZone: p.text(),
    leadDays: p.integer(),
    checklist: p.json<unknown>(),
    ownerGroup: p.text().nullable(),
    priority: p.text(),
    definitionKey: p.text(),
    requesterId: p.uuid(),
    status: p.text().defaultRaw('\'active\'::text'),
    nextDueAt: p.datetime().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

export const MaintenanceWorkOrder = defineEntity({
  name: 'MaintenanceWorkOrder',
  tableName: 'maintenance_work_orders',
  properties: {
    planId: p.uuid().primary(),
    occurrence: p.text().primary(),
    ticketId: p.uuid(),
    number: p.text(),
    dueAt: p.datetime(),
    assetIds: p.json<unknown>(),
    checklist: p.json<unknown>(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

export const SERVICE_ENTITIES = [CatalogueFormVersion, CatalogueOffering, Asset, MaintenancePlan, MaintenanceWorkOrder];
