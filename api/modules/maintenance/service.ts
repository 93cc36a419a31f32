// Maintenance plans (each run by its own workflow), their upcoming dates, work orders, calendar and PM compliance.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ApplicationFailure, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { iso, isoOrNull, type DbTime } from '../../../platform/db/time';
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

interface PlanRow {
  id: string;
  name: string;
  asset_ids: string[];
  schedule: PlanConfig['schedule'];
  start_local: string;
  end_date: string | null;
  time_zone: string;
  lead_days: number;
  checklist: PlanConfig['checklist'];
  owner_group: string | null;
  priority: PlanConfig['priority'];
  definition_key: string;
  requester_id: string;
  status: string;
  next_due_at: DbTime | null;
  created_at: DbTime;
}

interface WorkOrderRow {
  ticket_id: string;
  number: string;
  plan_id: string;
  plan_name: string;
  due_at: DbTime;
  asset_ids: string[];
  state: string | null;
  resolved_at: DbTime | null;
  closed_at: DbTime | null;
}

export type WorkOrderStatus = 'planned' | 'open' | 'overdue' | 'done' | 'done_late';

const presentPlan = (r: PlanRow) => ({
  id: r.id,
  name: r.name,
  assetIds: r.asset_ids,
  schedule: r.schedule,
  start: r.start_local,
  endDate: r.end_date,
  timeZone: r.time_zone,
  leadDays: r.lead_days,
  checklist: r.checklist,
  ownerGroup: r.owner_group,
  priority: r.priority,
  status: r.status,
  nextDueAt: isoOrNull(r.next_due_at),
  createdAt: iso(r.created_at),
});

function statusOf(r: WorkOrderRow, now: number): WorkOrderStatus {
  const done = r.resolved_at ?? r.closed_at;
  if (done) return Date.parse(iso(done)) <= Date.parse(iso(r.due_at)) ? 'done' : 'done_late';
  return Date.parse(iso(r.due_at)) < now ? 'overdue' : 'open';
}

const presentWorkOrder = (r: WorkOrderRow, now: number) => ({
  ticketId: r.ticket_id,
  number: r.number,
  planId: r.plan_id,
  planName: r.plan_name,
  dueAt: iso(r.due_at),
  state: r.state,
  status: statusOf(r, now),
  resolvedAt: isoOrNull(r.resolved_at ?? r.closed_at),
  assetIds: r.asset_ids,
});

const WORK_ORDER_SQL = `select w.ticket_id, w.number, w.plan_id, p.name as plan_name, w.due_at, w.asset_ids, t.state, t.resolved_at, t.closed_at
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
    const rows = await this.em.fork().execute<PlanRow[]>(`select * from maintenance_plans p where ${scope.sql('p.owner_group')} order by lower(p.name), p.id`, scope.params);
    return rows.map(presentPlan);
  }

  private async planRow(user: AuthUser, id: string): Promise<PlanRow> {
    requireMaintenanceStaff(user);
    const scope = ownedBy(user);
    const [row] = await this.em.fork().execute<PlanRow[]>(`select * from maintenance_plans p where p.id = ? and ${scope.sql('p.owner_group')}`, [id, ...scope.params]);
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
    await this.em.fork().execute(
      `insert into maintenance_plans (id, name, asset_ids, schedule, start_local, end_date, time_zone, lead_days, checklist, owner_group, priority, definition_key, requester_id)
       values (?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?)`,
      [id, config.name, JSON.stringify(config.assetIds), JSON.stringify(config.schedule), config.start, config.endDate, config.timeZone, config.leadDays, JSON.stringify(config.checklist), config.group, config.priority, config.definitionKey, user.id],
    );
    try {
      await this.temporal.workflow.start<typeof maintenancePlanWorkflow>(PLAN_WORKFLOW, { workflowId: planWorkflowId(id), taskQueue: this.taskQueue, args: [{ config }] });
    } catch (err) {
      await this.em.fork().execute(`delete from maintenance_plans where id = ?`, [id]);
      throw toProblem(err) ?? err;
    }
    return this.getPlan(user, id);
  }

  async getPlan(user: AuthUser, id: string) {
    const row = await this.planRow(user, id);
    const now = Date.now();
    const orders = await this.em.fork().execute<WorkOrderRow[]>(`${WORK_ORDER_SQL} where w.plan_id = ? order by w.due_at desc limit 200`, [id]);
    return { ...presentPlan(row), upcoming: await this.upcomingOf(row, 10), workOrders: orders.map((o) => presentWorkOrder(o, now)) };
  }

  async editPlan(user: AuthUser, id: string, body: PlanBody) {
    const row = await this.planRow(user, id);
    checkSeries(body);
    this.checkChecklist(body);
    await this.assets.checkOwner(user, body.ownerGroup);
    await this.checkAssets(user, body.assetIds);
    const config = this.configOf(id, body, row.requester_id);
    await this.update(id, (h) => h.executeUpdate(editUpdate, { args: [{ config }] }));
    await this.em.fork().execute(
      `update maintenance_plans set name = ?, asset_ids = ?::jsonb, schedule = ?::jsonb, start_local = ?, end_date = ?, time_zone = ?, lead_days = ?, checklist = ?::jsonb, owner_group = ?, priority = ?, updated_at = now() where id = ?`,
      [config.name, JSON.stringify(config.assetIds), JSON.stringify(config.schedule), config.start, config.endDate, config.timeZone, config.leadDays, JSON.stringify(config.checklist), config.group, config.priority, id],
    );
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
    await this.em
      .fork()
      .execute(`update maintenance_plans set status = ?, next_due_at = ?, updated_at = now() where id = ?`, [view.ended ? 'ended' : view.paused ? 'paused' : 'active', view.nextDueAt, id]);
    return this.getPlan(user, id);
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
    if (row.schedule.kind === 'interval') return row.next_due_at ? [{ occurrence: iso(row.next_due_at), dueAt: iso(row.next_due_at) }] : [];
    let view: PlanView | null = null;
    try {
      view = await this.temporal.connection.withDeadline(Date.now() + 2000, () => this.temporal.workflow.getHandle(planWorkflowId(row.id)).query(planQuery));
    } catch {
      view = null; // no worker right now: without its skips and postponements
    }
    const [last] = await this.em.fork().execute<Array<{ occurrence: string }>>(`select occurrence from maintenance_work_orders where plan_id = ? order by due_at desc limit 1`, [row.id]);
    let cursor = view ? (view.cursorAt ? Date.parse(view.cursorAt) : null) : last ? Date.parse(last.occurrence) : null;
    if (row.status === 'paused') cursor = Math.max(cursor ?? 0, Date.now());
    const skipped = new Set(view?.skipped ?? []);
    const postponed = view?.postponed ?? {};
    const series = { start: row.start_local, timeZone: row.time_zone, endDate: row.end_date };
    return occurrencesAfter(row.schedule.rrule, series, cursor, count + skipped.size)
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
    const rows = await this.em
      .fork()
      .execute<WorkOrderRow[]>(`${WORK_ORDER_SQL} where w.due_at between ? and ? and ${scope.sql('p.owner_group')} order by w.due_at`, [new Date(fromMs).toISOString(), new Date(toMs).toISOString(), ...scope.params]);
    const items: Array<ReturnType<typeof presentWorkOrder>> = rows.map((r) => presentWorkOrder(r, now));
    const plans = await this.em.fork().execute<PlanRow[]>(`select * from maintenance_plans p where p.status = 'active' and ${scope.sql('p.owner_group')}`, scope.params);
    for (const p of plans) {
      if (p.schedule.kind !== 'rrule') continue;
      const upcoming = await this.upcomingOf(p, 400);
      for (const u of upcoming) {
        const at = Date.parse(u.dueAt);
        if (at < fromMs || at > toMs) continue;
        items.push({ ticketId: '', number: '', planId: p.id, planName: p.name, dueAt: u.dueAt, state: null, status: 'planned', resolvedAt: null, assetIds: p.asset_ids });
      }
    }
    return items.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  }

  async overdue(user: AuthUser) {
    requireMaintenanceStaff(user);
    const scope = ownedBy(user);
    const rows = await this.em
      .fork()
      .execute<WorkOrderRow[]>(`${WORK_ORDER_SQL} where w.due_at < now() and t.resolved_at is null and t.closed_at is null and ${scope.sql('p.owner_group')} order by w.due_at limit 500`, scope.params);
    const now = Date.now();
    return rows.map((r) => presentWorkOrder(r, now));
  }

  /** Done on time / due, for work orders already due. */
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
