// Tickets and how they are worked: the read model of the ticket workflows, queues, SLA policies, macros, rules, definitions.
// Tables are made only by the committed migrations; tests/platform/entities-match-schema.test.ts holds these to them.
import { defineEntity, p } from '@mikro-orm/core';

export const Ticket = defineEntity({
  name: 'Ticket',
  tableName: 'tickets',
  properties: {
    id: p.uuid().primary(),
    number: p.text(),
    type: p.text(),
    title: p.text(),
    description: p.text().defaultRaw('\'\'::text'),
    priority: p.text(),
    priorityOrder: p.smallint(),
    state: p.text(),
    stateCategory: p.text(),
    queue: p.text().nullable(),
    assigneeId: p.uuid().nullable(),
    requesterId: p.uuid(),
    definitionKey: p.text(),
    definitionVersion: p.integer(),
    fields: p.json<unknown>().defaultRaw('\'{}\'::jsonb'),
    sla: p.json<unknown>().defaultRaw('\'[]\'::jsonb'),
    slaStatus: p.text().defaultRaw('\'ok\'::text'),
    slaDueAt: p.datetime().nullable(),
    lastSeq: p.integer().defaultRaw('0'),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    resolvedAt: p.datetime().nullable(),
    closedAt: p.datetime().nullable(),
    links: p.json<unknown>().defaultRaw('\'[]\'::jsonb'),
    organisationId: p.uuid().nullable(),
    search: p.type('tsvector').nullable().persist(false),
    assignedGroup: p.text().nullable(),
    channel: p.text().nullable(),
    tags: p.array().defaultRaw('\'{}\'::text[]'),
    anonymisedAt: p.datetime().nullable(),
  },
});

export const TicketEvent = defineEntity({
  name: 'TicketEvent',
  tableName: 'ticket_events',
  properties: {
    ticketId: p.uuid().primary(),
    seq: p.integer().primary(),
    type: p.text(),
    actorId: p.uuid().nullable(),
    actorRole: p.text(),
    visibility: p.text().defaultRaw('\'public\'::text'),
    at: p.datetime(),
    data: p.json<unknown>().defaultRaw('\'{}\'::jsonb'),
    search: p.type('tsvector').nullable().persist(false),
  },
});

export const TicketFact = defineEntity({
  name: 'TicketFact',
  tableName: 'ticket_facts',
  properties: {
    ticketId: p.uuid().primary(),
    type: p.text(),
    queue: p.text().nullable(),
    priority: p.text(),
    stateCategory: p.text(),
    assigneeId: p.uuid().nullable(),
    assignedGroup: p.text().nullable(),
    organisationId: p.uuid().nullable(),
    requesterId: p.uuid(),
    createdAt: p.datetime(),
    createdDay: p.type('date'),
    resolvedDay: p.type('date').nullable(),
    firstResponseAt: p.datetime().nullable(),
    resolvedAt: p.datetime().nullable(),
    closedAt: p.datetime().nullable(),
    frStatus: p.text(),
    resStatus: p.text(),
    frBusinessMs: p.bigint('number').nullable(),
    resBusinessMs: p.bigint('number').nullable(),
    reopenCount: p.integer().defaultRaw('0'),
    escalations: p.array().defaultRaw('\'{}\'::text[]'),
    lastSeq: p.integer(),
    rating: p.smallint().nullable(),
  },
});

export const TicketPresence = defineEntity({
  name: 'TicketPresence',
  tableName: 'ticket_presence',
  properties: {
    ticketId: p.uuid().primary(),
    userId: p.uuid().primary(),
    typing: p.boolean().defaultRaw('false'),
    seenAt: p.datetime().defaultRaw('now()'),
  },
});

export const TicketRating = defineEntity({
  name: 'TicketRating',
  tableName: 'ticket_ratings',
  properties: {
    ticketId: p.uuid().primary(),
    raterId: p.uuid(),
    score: p.smallint(),
    comment: p.text().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

export const TicketRequestForm = defineEntity({
  name: 'TicketRequestForm',
  tableName: 'ticket_request_forms',
  properties: {
    ticketId: p.uuid().primary(),
    offeringId: p.uuid(),
    version: p.integer(),
    answers: p.json<unknown>(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

export const TicketSlaPolicy = defineEntity({
  name: 'TicketSlaPolicy',
  tableName: 'ticket_sla_policies',
  properties: {
    ticketId: p.uuid().primary(),
    policyId: p.uuid().nullable(),
    name: p.text(),
    policy: p.json<unknown>(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

export const TicketType = defineEntity({
  name: 'TicketType',
  tableName: 'ticket_types',
  properties: {
    key: p.text().primary(),
    nameEn: p.text(),
    nameFr: p.text(),
    definitionKey: p.text(),
    customersMayOpen: p.boolean().defaultRaw('false'),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

export const TicketWatcher = defineEntity({
  name: 'TicketWatcher',
  tableName: 'ticket_watchers',
  properties: {
    ticketId: p.uuid().primary(),
    userId: p.uuid().primary(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

export const TicketApproval = defineEntity({
  name: 'TicketApproval',
  tableName: 'ticket_approvals',
  properties: {
    ticketId: p.uuid().primary(),
    round: p.integer().primary(),
    state: p.text(),
    policy: p.text(),
    needed: p.integer(),
    status: p.text().defaultRaw('\'open\'::text'),
    unresolved: p.text().nullable(),
    openedAt: p.datetime(),
    deadline: p.datetime().nullable(),
    closedAt: p.datetime().nullable(),
    closedBy: p.text().nullable(),
  },
});

export const TicketApprover = defineEntity({
  name: 'TicketApprover',
  tableName: 'ticket_approvers',
  properties: {
    ticketId: p.uuid().primary(),
    round: p.integer().primary(),
    userId: p.uuid().primary(),
    decision: p.text().nullable(),
    comment: p.text().nullable(),
    via: p.text().nullable(),
    decidedAt: p.datetime().nullable(),
  },
});

export const TicketEventFanout = defineEntity({
  name: 'TicketEventFanout',
  tableName: 'ticket_event_fanout',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    ticketId: p.uuid(),
    taskQueue: p.text(),
    batch: p.json<unknown>(),
    attempts: p.integer().defaultRaw('0'),
    nextAttemptAt: p.datetime().defaultRaw('now()'),
    lastError: p.text().nullable(),
  },
});

export const Queue = defineEntity({
  name: 'Queue',
  tableName: 'queues',
  properties: {
    key: p.text().primary(),
    name: p.text(),
    description: p.text().defaultRaw('\'\'::text'),
    createdAt: p.datetime().defaultRaw('now()'),
    assignment: p.text().defaultRaw('\'off\'::text'),
    maxOpenPerAgent: p.integer().nullable(),
  },
});

export const QueueAssignee = defineEntity({
  name: 'QueueAssignee',
  tableName: 'queue_assignees',
  properties: {
    queue: p.text().primary(),
    userId: p.uuid().primary(),
    lastAssignedAt: p.datetime(),
  },
});

export const QueueGroup = defineEntity({
  name: 'QueueGroup',
  tableName: 'queue_groups',
  properties: {
    queue: p.text().primary(),
    groupKey: p.text().primary(),
  },
});

export const RoutingRule = defineEntity({
  name: 'RoutingRule',
  tableName: 'routing_rules',
  properties: {
    id: p.uuid().primary(),
    position: p.integer(),
    name: p.text(),
    conditions: p.json<unknown>(),
    queue: p.text(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

export const SavedView = defineEntity({
  name: 'SavedView',
  tableName: 'saved_views',
  properties: {
    id: p.uuid().primary(),
    userId: p.uuid(),
    name: p.text(),
    query: p.json<unknown>(),
    createdAt: p.datetime().defaultRaw('now()'),
    sharedWith: p.text().defaultRaw('\'me\'::text'),
    groupKey: p.text().nullable(),
  },
});

export const SlaPolicy = defineEntity({
  name: 'SlaPolicy',
  tableName: 'sla_policies',
  properties: {
    id: p.uuid().primary(),
    name: p.text(),
    calendar: p.json<unknown>(),
    targets: p.json<unknown>(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

export const SlaPolicyOrganisation = defineEntity({
  name: 'SlaPolicyOrganisation',
  tableName: 'sla_policy_organisations',
  properties: {
    organisationId: p.uuid().primary(),
    policyId: p.uuid(),
  },
});

export const Macro = defineEntity({
  name: 'Macro',
  tableName: 'macros',
  properties: {
    id: p.uuid().primary(),
    ownerId: p.uuid().nullable(),
    name: p.text(),
    body: p.json<unknown>(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

export const AutomationRule = defineEntity({
  name: 'AutomationRule',
  tableName: 'automation_rules',
  properties: {
    id: p.uuid().primary(),
    name: p.text(),
    position: p.integer(),
    enabled: p.boolean().defaultRaw('false'),
    body: p.json<unknown>(),
    version: p.integer().defaultRaw('1'),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

export const AutomationRuleChange = defineEntity({
  name: 'AutomationRuleChange',
  tableName: 'automation_rule_changes',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    ruleId: p.uuid(),
    version: p.integer(),
    change: p.text(),
    rule: p.json<unknown>(),
    changedBy: p.uuid().nullable(),
    changedAt: p.datetime().defaultRaw('now()'),
  },
});

export const Definition = defineEntity({
  name: 'Definition',
  tableName: 'definitions',
  properties: {
    key: p.text().primary(),
    version: p.integer().primary(),
    status: p.text(),
    body: p.json<Record<string, unknown>>(),
    createdAt: p.datetime().defaultRaw('now()'),
    publishedAt: p.datetime().nullable(),
  },
});

/** Per second ahead (epoch seconds), the timer wake-ups the accepted tickets will bring (api/modules/tickets/timer-calendar.ts). */
export const TimerCalendarSecond = defineEntity({
  name: 'TimerCalendarSecond',
  tableName: 'timer_calendar',
  properties: {
    second: p.bigint('number').primary(),
    wakeups: p.integer(),
  },
});

export const TICKETS_ENTITIES = [Ticket, TicketEvent, TicketFact, TicketPresence, TicketRating, TicketRequestForm, TicketSlaPolicy, TicketType, TicketWatcher, TicketApproval, TicketApprover, TicketEventFanout, Queue, QueueAssignee, QueueGroup, RoutingRule, SavedView, SlaPolicy, SlaPolicyOrganisation, Macro, AutomationRule, AutomationRuleChange, Definition, TimerCalendarSecond];
