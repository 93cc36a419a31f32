// Maintenance plans (each run by its own workflow), their upcoming dates, work orders, calendar and PM compliance.
import { randomUUID } from 'node:crypto';
import { raw, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { MaintenancePlan, MaintenanceWorkOrder, type Ticket } from '../../../platform/db/entities/index';
import { ApplicationFailure, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { iso, isoOrNull } from '../../../platform/db/time';
import { occurrencesAfter, parseRRule, seriesStartMs, validateSeries, type RecurrenceError, type SeriesStart } from '../../../workflow-definitions/index';
import {
  editUpdate,
  pauseUpdate,
  planQuery,
  planWorkflowId,
  postponeUpdate,
  resumeUpdate,
  skipUpdate,
  stopUpdate,
  PLAN_REJECTION,
  PLAN_WORKFLOW,
  type PlanConfig,
  type PlanView,
} from '../../../workflows/maintenance-plan-messages';
import type { maintenancePlanWorkflow } from '../../../workflows/maintenance-plan';
import { conflict, notFound, ProblemError, unprocessable } from '../../http/problem';
import { toProblem } from '../../temporal-errors';
import type { AuthUser } from '../auth/types';
import type { AssetService } from '../assets/service';
import { ownedBy, requireMaintenanceStaff } from '../assets/policy';
import type { DefinitionService } from '../definitions/service';
import type { TicketService } from '../tickets/service';
import type { PlanBody, PreviewBody } from './schemas';
import { WorkOrderService } from './work-orders';

type PlanRow = InferEntity<typeof MaintenancePlan>;

/** A work order as WORK_ORDER_SQL reads it: the order, its plan's name and its ticket's state and dates. */
type WorkOrderRow = Pick<InferEntity<typeof MaintenanceWorkOrder>, 'ticketId' | 'number' | 'planId' | 'dueAt'> &
  Pick<InferEntity<typeof Ticket>, 'resolvedAt' | 'closedAt'> & { planName: string; assetIds: string[]; state: string | null };

/** The plan's JSON columns, as createPlan and editPlan write them (untyped on the entity). */
const scheduleOf = (r: PlanRow) => r.schedule as PlanConfig['schedule'];

export type WorkOrderStatus = 'planned' | 'open' | 'overdue' | 'done' | 'done_late';

const presentPlan = (r: PlanRow) => ({
  id: r.id,
  name: r.name,
  assetIds: r.assetIds as string[],
  schedule: scheduleOf(r),
  start: r.startLocal,
  endDate: r.endDate ?? null,
  timeZone: r.timeZone,
  leadDays: r.leadDays,
  checklist: r.checklist as PlanConfig['checklist'],
  ownerGroup: r.ownerGroup ?? null,
  priority: r.priority as PlanConfig['priority'],
  status: r.status,
  nextDueAt: isoOrNull(r.nextDueAt ?? null),
  createdAt: iso(r.createdAt),
});

function statusOf(r: WorkOrderRow, now: number): WorkOrderStatus {
  const done = r.resolvedAt ?? r.closedAt;
  if (done) return Date.parse(iso(done)) <= Date.parse(iso(r.dueAt)) ? 'done' : 'done_late';
  return Date.parse(iso(r.dueAt)) < now ? 'overdue' : 'open';
}

const presentWorkOrder = (r: WorkOrderRow, now: number) => ({
  ticketId: r.ticketId,
  number: r.number,
  planId: r.planId,
  planName: r.planName,
  dueAt: iso(r.dueAt),
  state: r.state,
  status: statusOf(r, now),
  resolvedAt: isoOrNull(r.resolvedAt ?? r.closedAt ?? null),
  assetIds: r.assetIds,
});

/**
 * Work orders with their plan's name and their ticket's state: SQL, as the calendar and the overdue list filter and
 * order on all three tables at once under the caller's owner scope (which assets/policy.ts writes as SQL).
 */
const WORK_ORDER_SQL = `select w.ticket_id as "ticketId", w.number, w.plan_id as "planId", p.name as "planName", w.due_at as "dueAt", w.asset_ids as "assetIds",
    t.state, t.resolved_at as "resolvedAt", t.closed_at as "closedAt"
  from maintenance_work_orders w join maintenance_plans p on p.id = w.plan_id left join tickets t on t.id = w.ticket_id`;

/** The recurrence's own message, with the pointer of the part at fault, as a 422. */
function scheduleProblem(err: unknown): ProblemError {
  const e = err as RecurrenceError;
  const pointer = e.pointer ? `/body${e.pointer}` : '/body/schedule/rrule';
  return unprocessable(e.message, [{ pointer, message: e.message }], 'invalid-schedule');
}

export function checkSeries(body: Pick<PlanBody, 'schedule' | 'start' | 'endDate' | 'timeZone'>): SeriesStart {
  const series: SeriesStart = { start: body.start, timeZone: body.timeZone, endDate: body.endDate ?? null };
  try {
    validateSeries(series);
    if (body.schedule.kind === 'rrule') parseRRule(body.schedule.rrule);
  } catch (err) {
    throw scheduleProblem(err);
  }
  return series;
}

/** The plan's columns that follow its configuration. */
const columnsOf = (config: PlanConfig) => ({
  name: config.name,
  assetIds: config.assetIds,
  schedule: config.schedule,
  startLocal: config.start,
  endDate: config.endDate,
  timeZone: config.timeZone,
  leadDays: config.leadDays,
  checklist: config.checklist,
  ownerGroup: config.group,
  priority: config.priority,
});

function planProblem(err: unknown): ProblemError {
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur; i++) {
    if (cur instanceof ApplicationFailure && cur.type === PLAN_REJECTION) return unprocessable(cur.message, [{ pointer: '/body', message: cur.message }], 'plan-refused');
    cur = (cur as { cause?: unknown }).cause;
  }
  if (err instanceof WorkflowNotFoundError) return conflict('the plan has ended', 'plan-ended');
  return toProblem(err) ?? (err as ProblemError);
}

export class MaintenanceService {
  constructor(
    private readonly em: EntityManager,
    private readonly assets: AssetService,
    tickets: TicketService,
    private readonly definitions: DefinitionService,
    private readonly temporal: Client,
    private readonly taskQueue: string,
  ) {
    this.workOrders = new WorkOrderService(em, tickets);
  }

  /** Work orders' checklists and the incidents a failed check opens. */
  readonly workOrders: WorkOrderService;

  // ---- plans ----

  async listPlans(user: AuthUser) {
    requireMaintenanceStaff(user);
    const scope = ownedBy(user);
    const rows = await this.plans(scope)
      // lower(): names sort whatever their case, in the database's collation.
      .orderBy([{ [raw((a) => `lower(${a}.name)`)]: 'asc' }, { id: 'asc' }])
      .getResult();
    return rows.map(presentPlan);
  }

  private async planRow(user: AuthUser, id: string): Promise<PlanRow> {
    requireMaintenanceStaff(user);
    const scope = ownedBy(user);
    const row = await this.plans(scope).andWhere({ id }).getSingleResult();
    if (!row) throw notFound(`no maintenance plan ${id}`);
    return row;
  }

  private async checkAssets(user: AuthUser, ids: string[]): Promise<void> {
    for (const [i, id] of ids.entries()) {
      await this.assets.get(user, id).catch(() => {
        throw unprocessable(`unknown asset ${id}`, [{ pointer: `/body/assetIds/${i}`, message: 'unknown asset' }], 'unknown-asset');
      });
    }
  }

  private configOf(id: string, body: PlanBody, requesterId: string): PlanConfig {
    return {
      planId: id,
      name: body.name.trim(),
      assetIds: body.assetIds,
      schedule: body.schedule,
      start: body.start,
      endDate: body.endDate ?? null,
      timeZone: body.timeZone,
      leadDays: body.leadDays ?? 0,
      checklist: (body.checklist ?? []).map((i) => ({ ...i, unit: i.unit ?? null })),
      group: body.ownerGroup ?? null,
      priority: body.priority ?? 'medium',
      definitionKey: 'maintenance',
      requesterId,
    };
  }

  private checkChecklist(body: PlanBody): void {
    const ids = (body.checklist ?? []).map((i) => i.id);
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup) throw unprocessable(`checklist item '${dup}' appears twice`, [{ pointer: '/body/checklist', message: 'duplicate id' }], 'invalid-checklist');
  }

  async createPlan(user: AuthUser, body: PlanBody) {
    requireMaintenanceStaff(user);
    checkSeries(body);
    this.checkChecklist(body);
    await this.assets.checkOwner(user, body.ownerGroup);
    await this.checkAssets(user, body.assetIds);
    const id = randomUUID();
    const config = this.configOf(id, body, user.id);
    await this.em.fork().insert(MaintenancePlan, { id, ...columnsOf(config), definitionKey: config.definitionKey, requesterId: user.id });
    try {
      await this.temporal.workflow.start<typeof maintenancePlanWorkflow>(PLAN_WORKFLOW, { workflowId: planWorkflowId(id), taskQueue: this.taskQueue, args: [{ config }] });
    } catch (err) {
      await this.em.fork().nativeDelete(MaintenancePlan, { id });
      throw toProblem(err) ?? err;
    }
    return this.getPlan(user, id);
  }

  async getPlan(user: AuthUser, id: string) {
    const row = await this.planRow(user, id);
    const now = Date.now();
    // SQL: WORK_ORDER_SQL's three tables (see there).
    const orders = await this.em.fork().execute<WorkOrderRow[]>(`${WORK_ORDER_SQL} where w.plan_id = ? order by w.due_at desc limit 200`, [id]);
    return { ...presentPlan(row), upcoming: await this.upcomingOf(row, 10), workOrders: orders.map((o) => presentWorkOrder(o, now)) };
  }

  async editPlan(user: AuthUser, id: string, body: PlanBody) {
    const row = await this.planRow(user, id);
    checkSeries(body);
    this.checkChecklist(body);
    await this.assets.checkOwner(user, body.ownerGroup);
    await this.checkAssets(user, body.assetIds);
    const config = this.configOf(id, body, row.requesterId);
    await this.update(id, (h) => h.executeUpdate(editUpdate, { args: [{ config }] }));
    // now(): the database's clock, as created_at's default.
    await this.em.fork().nativeUpdate(MaintenancePlan, { id }, { ...columnsOf(config), updatedAt: raw('now()') });
    return this.getPlan(user, id);
  }

  async command(user: AuthUser, id: string, command: 'pause' | 'resume' | 'skip' | 'postpone' | 'stop', args: { backfill?: boolean; occurrence?: string; to?: string } = {}) {
    await this.planRow(user, id);
    if (command === 'postpone' && !args.to) throw unprocessable('postpone needs the new date', [{ pointer: '/body/to', message: 'to is required' }], 'validation-failed');
    const view = await this.update(id, (h) => {
      switch (command) {
        case 'pause':
          return h.executeUpdate(pauseUpdate);
        case 'resume':
          return h.executeUpdate(resumeUpdate, { args: [{ backfill: args.backfill ?? false }] });
        case 'skip':
          return h.executeUpdate(skipUpdate, { args: [{ occurrence: args.occurrence! }] });
        case 'postpone':
          return h.executeUpdate(postponeUpdate, { args: [{ occurrence: args.occurrence!, to: args.to! }] });
        case 'stop':
          return h.executeUpdate(stopUpdate);
      }
    });
    await this.em.fork().nativeUpdate(MaintenancePlan, { id }, { status: view.ended ? 'ended' : view.paused ? 'paused' : 'active', nextDueAt: view.nextDueAt ? new Date(view.nextDueAt) : null, updatedAt: raw('now()') });
    return this.getPlan(user, id);
  }

  /** The plans the caller's groups own (the owner scope is SQL on the plan's alias `p`). */
  private plans(scope: ReturnType<typeof ownedBy>) {
    return this.em.fork().createQueryBuilder(MaintenancePlan, 'p').where(scope.sql('p.owner_group'), scope.params);
  }

  private async update(id: string, send: (h: ReturnType<Client['workflow']['getHandle']>) => Promise<PlanView>): Promise<PlanView> {
    try {
      return await send(this.temporal.workflow.getHandle(planWorkflowId(id)));
    } catch (err) {
      throw planProblem(err);
    }
  }

  /**
   * The next due dates, by the same pure function the plan's workflow waits on: after the last occurrence already
   * opened (or now, when paused), minus skipped occurrences, with postponements applied.
   */
  private async upcomingOf(row: PlanRow, count: number): Promise<Array<{ occurrence: string; dueAt: string }>> {
    if (row.status === 'ended') return [];
    const schedule = scheduleOf(row);
    if (schedule.kind === 'interval') return row.nextDueAt ? [{ occurrence: iso(row.nextDueAt), dueAt: iso(row.nextDueAt) }] : [];
    let view: PlanView | null = null;
    try {
      view = await this.temporal.connection.withDeadline(Date.now() + 2000, () => this.temporal.workflow.getHandle(planWorkflowId(row.id)).query(planQuery));
    } catch {
      view = null; // no worker right now: without its skips and postponements
    }
    const last = await this.em.fork().findOne(MaintenanceWorkOrder, { planId: row.id }, { fields: ['occurrence'], orderBy: { dueAt: 'desc' } });
    let cursor = view ? (view.cursorAt ? Date.parse(view.cursorAt) : null) : last ? Date.parse(last.occurrence) : null;
    if (row.status === 'paused') cursor = Math.max(cursor ?? 0, Date.now());
    const skipped = new Set(view?.skipped ?? []);
    const postponed = view?.postponed ?? {};
    const series = { start: row.startLocal, timeZone: row.timeZone, endDate: row.endDate ?? null };
    return occurrencesAfter(schedule.rrule, series, cursor, count + skipped.size)
      .map((t) => new Date(t).toISOString())
      .filter((k) => !skipped.has(k))
      .slice(0, count)
      .map((k) => ({ occurrence: k, dueAt: postponed[k] ?? k }));
  }

  async upcoming(user: AuthUser, id: string, count: number) {
    return this.upcomingOf(await this.planRow(user, id), count);
  }

  preview(user: AuthUser, body: PreviewBody) {
    requireMaintenanceStaff(user);
    const series = checkSeries(body);
    if (body.schedule.kind === 'interval') {
      return { dates: [new Date(seriesStartMs(series)).toISOString()], dependsOnCompletion: true };
    }
    return { dates: occurrencesAfter(body.schedule.rrule, series, null, body.count ?? 10).map((t) => new Date(t).toISOString()), dependsOnCompletion: false };
  }

  // ---- work orders, calendar, overdue, compliance ----

  async calendar(user: AuthUser, from: string, to: string) {
    requireMaintenanceStaff(user);
    const fromMs = Date.parse(`${from}T00:00:00Z`) - 86_400_000;
    const toMs = Date.parse(`${to}T00:00:00Z`) + 2 * 86_400_000;
    if (!(toMs > fromMs) || toMs - fromMs > 400 * 86_400_000) throw unprocessable('the range must run forward and span at most a year', [{ pointer: '/query/to', message: 'bad range' }], 'invalid-range');
    const scope = ownedBy(user);
    const now = Date.now();
    // SQL: WORK_ORDER_SQL's three tables under the caller's owner scope (see there).
    const rows = await this.em
      .fork()
      .execute<WorkOrderRow[]>(`${WORK_ORDER_SQL} where w.due_at between ? and ? and ${scope.sql('p.owner_group')} order by w.due_at`, [new Date(fromMs).toISOString(), new Date(toMs).toISOString(), ...scope.params]);
    const items: Array<ReturnType<typeof presentWorkOrder>> = rows.map((r) => presentWorkOrder(r, now));
    const plans = await this.plans(scope).andWhere({ status: 'active' }).getResult();
    for (const p of plans) {
      if (scheduleOf(p).kind !== 'rrule') continue;
      const upcoming = await this.upcomingOf(p, 400);
      for (const u of upcoming) {
        const at = Date.parse(u.dueAt);
        if (at < fromMs || at > toMs) continue;
        items.push({ ticketId: '', number: '', planId: p.id, planName: p.name, dueAt: u.dueAt, state: null, status: 'planned', resolvedAt: null, assetIds: p.assetIds as string[] });
      }
    }
    return items.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  }

  async overdue(user: AuthUser) {
    requireMaintenanceStaff(user);
    const scope = ownedBy(user);
    // SQL: WORK_ORDER_SQL's three tables under the caller's owner scope (see there).
    const rows = await this.em
      .fork()
      .execute<WorkOrderRow[]>(`${WORK_ORDER_SQL} where w.due_at < now() and t.resolved_at is null and t.closed_at is null and ${scope.sql('p.owner_group')} order by w.due_at limit 500`, scope.params);
    const now = Date.now();
    return rows.map((r) => presentWorkOrder(r, now));
  }

  /** Done on time / due, for work orders already due. A report's grouped counts: SQL, like the other reports. */
  async compliance(user: AuthUser, by: 'plan' | 'asset' | 'group') {
    requireMaintenanceStaff(user);
    const scope = ownedBy(user);
    const key = by === 'plan' ? 'p.id::text' : by === 'asset' ? 'a.asset_id' : `coalesce(p.owner_group, '')`;
    const label = by === 'plan' ? 'min(p.name)' : by === 'asset' ? `coalesce(min(s.name), a.asset_id)` : `coalesce(p.owner_group, '')`;
    const join = by === 'asset' ? `cross join lateral jsonb_array_elements_text(w.asset_ids) as a(asset_id) left join assets s on s.id::text = a.asset_id` : '';
    const rows = await this.em.fork().execute<Array<{ key: string; label: string; due: string; on_time: string; late: string }>>(
      `select ${key} as key, ${label} as label, count(*) as due,
              count(*) filter (where coalesce(t.resolved_at, t.closed_at) <= w.due_at) as on_time,
              count(*) filter (where coalesce(t.resolved_at, t.closed_at) is null or coalesce(t.resolved_at, t.closed_at) > w.due_at) as late
         from maintenance_work_orders w join maintenance_plans p on p.id = w.plan_id left join tickets t on t.id = w.ticket_id ${join}
        where w.due_at <= now() and ${scope.sql('p.owner_group')}
        group by ${key} order by 2`,
      scope.params,
    );
    return rows.map((r) => ({ key: r.key, label: r.label, due: Number(r.due), onTime: Number(r.on_time), rate: Number(r.due) ? Number(r.on_time) / Number(r.due) : null }));
  }
}
