// Maintenance plans on the time-skipping server: work orders at local due dates across DST, completion-driven intervals, pause/resume, skip/postpone/edit, worker replacement.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { DEFAULT_DEFINITIONS, dueAfterCompletion, occurrencesAfter, zonedParts, type WorkflowDefinition } from '../../workflow-definitions/index';
import { workOrderInput, type PlanActivities } from '../../activities/maintenance-plans';
import {
  editUpdate,
  pauseUpdate,
  planQuery,
  planWorkflowId,
  postponeUpdate,
  resumeUpdate,
  skipUpdate,
  PLAN_WORKFLOW,
  type PlanConfig,
  type PlanWorkflowInput,
} from '../../workflows/maintenance-plan-messages';
import { checklistUpdate, ticketWorkflowId, transitionUpdate, type TicketWorkflowInput, type TransitionRequest, type Actor } from '../../workflows/ticket-messages';
import type { maintenancePlanWorkflow } from '../../workflows/maintenance-plan';
import { RecordedEvents, timeSkippingEnv, workflowBundle } from '../support/workflow-env';
import { saveHistory } from './history-store';

const DAY = 86_400_000;
const TZ = 'Europe/Paris';
const AGENT: Actor = { id: randomUUID(), role: 'agent' };
const maintenanceDef = DEFAULT_DEFINITIONS.find((d) => d.key === 'maintenance') as WorkflowDefinition;

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnv();
});
afterAll(async () => env?.teardown());

/** Stand-in plan activities: work orders are reserved in memory once per (plan, occurrence), like the real table. */
class Plans {
  readonly workOrders = new Map<string, TicketWorkflowInput>(); // by occurrence key
  readonly recorded = new RecordedEvents();
  prepareCalls = 0;
  rewrites = 0;
  private plans: Array<WorkflowHandle<typeof maintenancePlanWorkflow>> = [];

  activities(): PlanActivities & ReturnType<RecordedEvents['activities']> {
    const base = this.recorded.activities();
    return {
      ...base,
      // Like the real table (on conflict do nothing): a worker killed between a ticket's local write and its task
      // completion re-runs that task later, and the first write of a (ticket, seq) stays.
      recordTicketEvents: async (input: Parameters<typeof base.recordTicketEvents>[0]) => {
        const known = this.recorded.byTicket.get(input.ticketId);
        const fresh = input.events.filter((e) => !known?.has(e.seq));
        if (fresh.length < input.events.length) this.rewrites++;
        return base.recordTicketEvents({ ...input, events: fresh });
      },
      prepareWorkOrder: async (req) => {
        this.prepareCalls++;
        const had = this.workOrders.get(`${req.planId}/${req.key}`);
        if (had) return had;
        const input = workOrderInput(req, maintenanceDef, 1, `MWO-${this.workOrders.size + 1}`, new Date(await env.currentTimeMs()).toISOString());
        this.workOrders.set(`${req.planId}/${req.key}`, input);
        return input;
      },
      workOrderFinishedAt: async ({ ticketId }) => {
        const row = this.recorded.rows.get(ticketId);
        return row?.resolvedAt ?? row?.closedAt ?? null;
      },
      recordPlanProgress: async () => undefined,
    };
  }

  worker(taskQueue: string, opts: { cached?: boolean } = {}): Promise<Worker> {
    return workflowBundle().then((workflowBundle) =>
      Worker.create({
        ...(opts.cached === false ? { maxCachedWorkflows: 0 } : {}),
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue,
        workflowBundle,
        activities: this.activities(),
      }),
    );
  }

  async start(taskQueue: string, config: PlanConfig, extra: Partial<PlanWorkflowInput> = {}) {
    const handle = await env.client.workflow.start<typeof maintenancePlanWorkflow>(PLAN_WORKFLOW, {
      taskQueue,
      workflowId: planWorkflowId(config.planId),
      args: [{ config, ...extra }],
    });
    this.plans.push(handle);
    return env.client.workflow.getHandle<typeof maintenancePlanWorkflow>(planWorkflowId(config.planId));
  }

  of(planId: string): TicketWorkflowInput[] {
    return [...this.workOrders.entries()].filter(([k]) => k.startsWith(`${planId}/`)).map(([, v]) => v);
  }

  /** Clears away plans and work orders: left running, they would stop the server's time skipping for the next test. */
  async cleanUp(): Promise<void> {
    const ids = [...this.workOrders.values()].map((w) => ticketWorkflowId(w.ticket.id));
    await Promise.all([
      ...ids.map((id) => env.client.workflow.getHandle(id).terminate('test finished').catch(() => undefined)),
      ...this.plans.map((h) => env.client.workflow.getHandle(h.workflowId).terminate('test finished').catch(() => undefined)),
    ]);
  }
}

function configFor(overrides: Partial<PlanConfig>): PlanConfig {
  return {
    planId: randomUUID(),
    name: 'Chiller inspection',
    assetIds: [randomUUID()],
    schedule: { kind: 'rrule', rrule: 'FREQ=MONTHLY' },
    start: '2030-01-01T09:00',
    endDate: null,
    timeZone: TZ,
    leadDays: 3,
    checklist: [{ id: 'pressure', label: 'Pressure', kind: 'reading', mandatory: true, unit: 'bar' }],
    group: null,
    priority: 'medium',
    definitionKey: 'maintenance',
    requesterId: randomUUID(),
    ...overrides,
  };
}

const p2 = (n: number) => String(n).padStart(2, '0');
const localOf = (ms: number) => {
  const p = zonedParts(ms, TZ);
  return `${p.y}-${p2(p.m)}-${p2(p.d)} ${p2(p.hh)}:${p2(p.mm)}`;
};
/** The local date `days` after now in Paris, as 'YYYY-MM-DD'. */
const localDateIn = (nowMs: number, days: number) => localOf(nowMs + days * DAY).slice(0, 10);
const dueOf = (w: TicketWorkflowInput) => Date.parse(w.ticket.fields.due_at as string);

it('should open twelve monthly work orders over a year at 09:00 Paris across both DST changes, lead time ahead, matching the preview', async () => {
  const plans = new Plans();
  const worker = await plans.worker('plan-monthly');
  try {
    await worker.runUntil(async () => {
      const now = await env.currentTimeMs();
      const first = localDateIn(now, 40).slice(0, 8) + '15'; // the 15th of a month ≥ 10 days away
      const start = `${first}T09:00`;
      const [y, m] = first.split('-').map(Number);
      const endDate = `${y + 1}-${p2(m)}-14`;
      const config = configFor({ start, endDate, schedule: { kind: 'rrule', rrule: 'FREQ=MONTHLY;BYMONTHDAY=15' } });
      const handle = await plans.start('plan-monthly', config, { occurrencesPerRun: 5 });
      // The preview the API shows is computed by the same function the workflow schedules with.
      const preview = occurrencesAfter('FREQ=MONTHLY;BYMONTHDAY=15', { start, timeZone: TZ, endDate }, null, 20);
      expect(preview).toHaveLength(12);
      await env.sleep(preview[11] + 30 * DAY - now);
      const orders = plans.of(config.planId).sort((a, b) => dueOf(a) - dueOf(b));
      expect(orders).toHaveLength(12);
      expect(orders.map(dueOf)).toEqual(preview);
      for (const o of orders) {
        expect(localOf(dueOf(o))).toMatch(/-15 09:00$/);
        // Opened lead-time ahead: three days before it is due (timer accuracy on the test server).
        expect(Math.abs(Date.parse(o.ticket.createdAt) - (dueOf(o) - 3 * DAY))).toBeLessThan(60_000);
        expect(plans.recorded.ofType(o.ticket.id, 'created')).toHaveLength(1);
        expect(o.ticket.fields).toMatchObject({ plan: config.planId, asset: config.assetIds[0] });
      }
      const utcHours = new Set(orders.map((o) => new Date(dueOf(o)).getUTCHours()));
      expect(utcHours).toEqual(new Set([7, 8])); // summer and winter offsets both crossed
      const view = await handle.query(planQuery);
      expect(view).toMatchObject({ ended: true, created: 12 });
      await saveHistory('maintenance-plan-monthly', await handle.fetchHistory());
    });
  } finally {
    await plans.cleanUp();
  }
});

it('should schedule an interval plan from each completion date', async () => {
  const plans = new Plans();
  const worker = await plans.worker('plan-interval');
  try {
    await worker.runUntil(async () => {
      const now = await env.currentTimeMs();
      const start = `${localDateIn(now, 2)}T08:00`;
      const config = configFor({ start, leadDays: 0, schedule: { kind: 'interval', intervalDays: 10 } });
      const handle = await plans.start('plan-interval', config, { pollMs: 12 * 3_600_000 });
      const series = { start, timeZone: TZ };
      await env.sleep(3 * DAY);
      expect(plans.of(config.planId)).toHaveLength(1);
      const complete = async (o: TicketWorkflowInput) => {
        const h = env.client.workflow.getHandle(ticketWorkflowId(o.ticket.id));
        await h.executeUpdate(transitionUpdate, { args: [{ transition: 'start', actor: AGENT }] });
        const completion: { args: [TransitionRequest] } = { args: [{ transition: 'complete', fields: { completion_note: 'all good' }, actor: AGENT }] };
        // The work order carries its mandatory checklist items from the plan: not completed while they are open...
        await expect(h.executeUpdate(transitionUpdate, completion)).rejects.toMatchObject({ cause: { message: expect.stringContaining('the checklist is incomplete') } });
        // ...until the API tells the ticket that every mandatory item is ticked.
        await h.executeUpdate(checklistUpdate, { args: [{ open: [], actor: AGENT }] });
        const p = await h.executeUpdate(transitionUpdate, completion);
        return Date.parse(p.resolvedAt!);
      };
      // Completed five days late: the next one is due ten local days after that, at 08:00.
      await env.sleep(4 * DAY);
      const done1 = await complete(plans.of(config.planId)[0]);
      await env.sleep(2 * DAY); // nothing new before the next due date
      expect(plans.of(config.planId)).toHaveLength(1);
      await env.sleep(10 * DAY);
      const second = plans.of(config.planId).sort((a, b) => dueOf(a) - dueOf(b))[1];
      expect(dueOf(second)).toBe(dueAfterCompletion(done1, 10, series));
      expect(localOf(dueOf(second)).slice(11)).toBe('08:00');
      // Completed the day it is due: the third follows that date, and nothing comes while the second is open.
      const done2 = await complete(second);
      await env.sleep(11 * DAY);
      const third = plans.of(config.planId).sort((a, b) => dueOf(a) - dueOf(b))[2];
      expect(dueOf(third)).toBe(dueAfterCompletion(done2, 10, series));
      await env.sleep(40 * DAY);
      expect(plans.of(config.planId)).toHaveLength(3);
      expect((await handle.query(planQuery)).outstanding?.ticketId).toBe(third.ticket.id);
      await saveHistory('maintenance-plan-interval', await handle.fetchHistory());
    });
  } finally {
    await plans.cleanUp();
  }
});

it('should stop on pause and resume from the next due date without back-filling, or back-fill when asked', async () => {
  const plans = new Plans();
  const worker = await plans.worker('plan-pause');
  try {
    await worker.runUntil(async () => {
      const now = await env.currentTimeMs();
      const start = `${localDateIn(now, 5)}T10:00`;
      const rrule = 'FREQ=WEEKLY';
      const a = configFor({ start, leadDays: 1, schedule: { kind: 'rrule', rrule } });
      const b = configFor({ start, leadDays: 1, schedule: { kind: 'rrule', rrule } });
      const ha = await plans.start('plan-pause', a);
      const hb = await plans.start('plan-pause', b);
      const weeks = occurrencesAfter(rrule, { start, timeZone: TZ }, null, 12);
      await env.sleep(weeks[1] + DAY - now); // two work orders each
      expect(plans.of(a.planId)).toHaveLength(2);
      await ha.executeUpdate(pauseUpdate);
      await hb.executeUpdate(pauseUpdate);
      await env.sleep(weeks[5] - weeks[1]); // weeks 3..6 fall due while paused
      expect(plans.of(a.planId)).toHaveLength(2);
      expect(plans.of(b.planId)).toHaveLength(2);
      const resumedAt = await env.currentTimeMs();
      await ha.executeUpdate(resumeUpdate, { args: [{}] });
      await hb.executeUpdate(resumeUpdate, { args: [{ backfill: true }] });
      await env.sleep(weeks[7] - resumedAt - 2 * 3_600_000); // into week 8's lead time
      const dues = (id: string) => plans.of(id).map(dueOf).sort((x, y) => x - y);
      // No back-fill: the next due date after resuming (week 7), then week 8.
      expect(dues(a.planId)).toEqual([weeks[0], weeks[1], weeks[6], weeks[7]]);
      // Back-fill: every missed week, then on schedule.
      expect(dues(b.planId)).toEqual(weeks.slice(0, 8));
      await saveHistory('maintenance-plan-pause', await ha.fetchHistory());
    });
  } finally {
    await plans.cleanUp();
  }
});

it('should skip one occurrence, postpone another, and apply an edit from the next occurrence', async () => {
  const plans = new Plans();
  const worker = await plans.worker('plan-edit');
  try {
    await worker.runUntil(async () => {
      const now = await env.currentTimeMs();
      const start = `${localDateIn(now, 3)}T09:30`;
      const config = configFor({ start, leadDays: 0, schedule: { kind: 'rrule', rrule: 'FREQ=DAILY;INTERVAL=7' } });
      const handle = await plans.start('plan-edit', config);
      const series = { start, timeZone: TZ };
      const week = occurrencesAfter('FREQ=DAILY;INTERVAL=7', series, null, 6);
      await expect(handle.executeUpdate(skipUpdate, { args: [{ occurrence: new Date(week[0] + 3_600_000).toISOString() }] })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/not an upcoming occurrence/) } });
      await handle.executeUpdate(skipUpdate, { args: [{ occurrence: new Date(week[1]).toISOString() }] });
      const postponedTo = week[2] + 2 * DAY;
      await handle.executeUpdate(postponeUpdate, { args: [{ occurrence: new Date(week[2]).toISOString(), to: new Date(postponedTo).toISOString() }] });
      await expect(handle.executeUpdate(editUpdate, { args: [{ config: { ...config, schedule: { kind: 'rrule', rrule: 'FREQ=SOMETIMES' } } }] })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/FREQ must be/) } });
      await env.sleep(week[2] + 3 * DAY - now);
      const dues = () => plans.of(config.planId).map(dueOf).sort((x, y) => x - y);
      expect(dues()).toEqual([week[0], postponedTo]);
      // From now on: every 14 days from the same start, with a new checklist.
      await handle.executeUpdate(editUpdate, { args: [{ config: { ...config, schedule: { kind: 'rrule', rrule: 'FREQ=DAILY;INTERVAL=14' }, checklist: [] } }] });
      const fortnight = occurrencesAfter('FREQ=DAILY;INTERVAL=14', series, week[2], 2);
      await env.sleep(fortnight[1] + DAY - (await env.currentTimeMs()));
      expect(dues()).toEqual([week[0], postponedTo, ...fortnight]);
      const last = plans.of(config.planId).find((w) => dueOf(w) === fortnight[1])!;
      expect(last.ticket.description).toBe('');
      await saveHistory('maintenance-plan-edit', await handle.fetchHistory());
    });
  } finally {
    await plans.cleanUp();
  }
});

it('should create no duplicate and escalate each overdue work order once when the worker is replaced mid-year', async () => {
  const plans = new Plans();
  const tq = 'plan-restart';
  const now = await env.currentTimeMs();
  const start = `${localDateIn(now, 10)}T09:00`;
  const rrule = 'FREQ=MONTHLY;BYDAY=1MO';
  const config = configFor({ start, schedule: { kind: 'rrule', rrule }, leadDays: 2 });
  const preview = occurrencesAfter(rrule, { start, timeZone: TZ }, null, 6);
  try {
    const first = await plans.worker(tq, { cached: false });
    const handle = await first.runUntil(async () => {
      const h = await plans.start(tq, config, { occurrencesPerRun: 2 });
      await env.sleep(preview[2] - 2 * DAY - now + 1000); // the third work order just opened
      return h;
    });
    expect(plans.of(config.planId)).toHaveLength(3);
    const second = await plans.worker(tq, { cached: false });
    await second.runUntil(async () => {
      // Past the sixth one's resolution target (5 business days), before the seventh opens (≥ 26 days later).
      await env.sleep(preview[5] + 12 * DAY - (await env.currentTimeMs()));
      expect((await handle.query(planQuery)).created).toBe(6);
    });
    const orders = plans.of(config.planId).sort((a, b) => dueOf(a) - dueOf(b));
    expect(orders.map(dueOf)).toEqual(preview);
    expect(new Set(orders.map((o) => o.ticket.id)).size).toBe(orders.length);
    for (const o of orders) {
      expect(plans.recorded.ofType(o.ticket.id, 'created')).toHaveLength(1);
      // Never worked: the resolution target passed, and the definition's "overdue" escalation fired exactly once.
      expect(plans.recorded.ofType(o.ticket.id, 'sla_breached').filter((e) => e.data.clock === 'resolution')).toHaveLength(1);
      expect(plans.recorded.ofType(o.ticket.id, 'escalated').filter((e) => e.data.escalation === 'overdue')).toHaveLength(1);
      expect(plans.recorded.ofType(o.ticket.id, 'event_emitted').filter((e) => e.data.event === 'maintenance.overdue')).toHaveLength(1);
    }
  } finally {
    await plans.cleanUp();
  }
});

it('should derive the same work-order id from the same (plan, occurrence) everywhere', async () => {
  const { workOrderTicketId } = await import('../../workflows/maintenance-plan-messages');
  const a = workOrderTicketId('p1', '2030-01-01T08:00:00.000Z');
  expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(workOrderTicketId('p1', '2030-01-01T08:00:00.000Z')).toBe(a);
  expect(workOrderTicketId('p1', '2030-02-01T08:00:00.000Z')).not.toBe(a);
  expect(workOrderTicketId('p2', '2030-01-01T08:00:00.000Z')).not.toBe(a);
});
