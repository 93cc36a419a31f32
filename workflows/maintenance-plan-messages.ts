// The maintenance-plan workflow's contract: its input, updates, signal and query (shared with the API and activities).
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Priority } from '../workflow-definitions/index';

export const PLAN_WORKFLOW = 'maintenancePlanWorkflow';
export const planWorkflowId = (planId: string): string => `plan-${planId}`;

export interface ChecklistItemTemplate {
  id: string;
  label: string;
  /** 'check': ticked only; 'reading': needs a numeric reading; 'note': needs a text note. */
  kind: 'check' | 'reading' | 'note';
  mandatory: boolean;
  unit?: string | null;
}

/** Fixed calendar (RRULE) or a fixed number of days counted from the last completion. */
export type PlanSchedule = { kind: 'rrule'; rrule: string } | { kind: 'interval'; intervalDays: number };

/** What a plan is; an edit replaces it and applies from the next occurrence. */
export interface PlanConfig {
  planId: string;
  name: string;
  assetIds: string[];
  schedule: PlanSchedule;
  /** 'YYYY-MM-DDTHH:mm', local time of `timeZone`: the first due date and every due date's time of day. */
  start: string;
  endDate: string | null;
  timeZone: string;
  /** The work order is created this many days before it is due. */
  leadDays: number;
  checklist: ChecklistItemTemplate[];
  group: string | null;
  priority: Priority;
  /** Definition key of the work orders (its SLA applies). */
  definitionKey: string;
  /** The work orders' requester (the plan's owner). */
  requesterId: string;
}

export interface PlanState {
  config: PlanConfig;
  paused: boolean;
  /** Due instant (ms) of the last occurrence handled (created or skipped); next ones come strictly after it. */
  cursorMs: number | null;
  /** Occurrence keys (ISO due instants) to skip. */
  skipped: string[];
  /** Occurrence key → postponed due instant (ISO). */
  postponed: Record<string, string>;
  /** Interval plans: the last work order, until it is done. */
  outstanding: { ticketId: string; key: string } | null;
  lastCompletedMs: number | null;
  created: number;
  /** Keys of every work order created (the latest 50), for the query and tests. */
  recent: Array<{ key: string; ticketId: string; dueAt: string }>;
  ended: boolean;
}

export interface PlanWorkflowInput {
  config: PlanConfig;
  /** State carried over a continue-as-new. */
  carried?: PlanState;
  /** Work orders per run before continuing as new (default 100); lowered by tests. */
  occurrencesPerRun?: number;
  /** How often an interval plan checks on its outstanding work order if no signal came (default 1 day). */
  pollMs?: number;
}

export interface WorkOrderRequest {
  planId: string;
  key: string;
  ticketId: string;
  dueAt: string;
  config: PlanConfig;
}

export interface PlanView {
  planId: string;
  paused: boolean;
  ended: boolean;
  nextDueAt: string | null;
  created: number;
  recent: PlanState['recent'];
  outstanding: PlanState['outstanding'];
  skipped: string[];
  postponed: Record<string, string>;
  /** The last occurrence handled (opened or skipped): upcoming dates come after it. */
  cursorAt: string | null;
}

export const pauseUpdate = defineUpdate<PlanView, []>('pause');
export const resumeUpdate = defineUpdate<PlanView, [{ backfill?: boolean }]>('resume');
export const skipUpdate = defineUpdate<PlanView, [{ occurrence: string }]>('skip');
export const postponeUpdate = defineUpdate<PlanView, [{ occurrence: string; to: string }]>('postpone');
export const editUpdate = defineUpdate<PlanView, [{ config: PlanConfig }]>('edit');
export const stopUpdate = defineUpdate<PlanView, []>('stop');
/** A work order of this plan reached a resolved or closed state (sent by the ticket-event listener; idempotent). */
export const workOrderFinishedSignal = defineSignal<[{ ticketId: string; at: string }]>('workOrderFinished');
export const planQuery = defineQuery<PlanView>('plan');

/**
 * A name-based id for the work order of (plan, occurrence): every retry, replay or re-run of the plan names the same
 * ticket, so a work order is never created twice. FNV-1a over four seeds, shaped as a version-8 UUID (pure, so it runs
 * in the workflow sandbox as well as in the API).
 */
export function workOrderTicketId(planId: string, key: string): string {
  const text = `guichet-work-order:${planId}:${key}`;
  const words = [0x811c9dc5, 0x01000193, 0x9e3779b9, 0x85ebca6b].map((seed) => {
    let h = seed >>> 0;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
      h ^= h >>> 13;
    }
    return h >>> 0;
  });
  const hex = words.map((w) => w.toString(16).padStart(8, '0')).join('');
  const v = `${hex.slice(0, 12)}8${hex.slice(13, 16)}${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17)}`;
  return `${v.slice(0, 8)}-${v.slice(8, 12)}-${v.slice(12, 16)}-${v.slice(16, 20)}-${v.slice(20, 32)}`;
}

export const PLAN_REJECTION = 'PlanInvalid';
