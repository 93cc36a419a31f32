// Side effects of maintenance plans: reserve a work order (number, definition snapshot, checklist) once per (plan, occurrence), read its completion, record the plan's progress.
import type { EntityManager } from '@mikro-orm/postgresql';
import { Definition, MaintenancePlan, MaintenanceWorkOrder, Ticket } from '../platform/db/entities/index';
import type { Priority, WorkflowDefinition } from '../workflow-definitions/index';
import type { ChecklistItemTemplate, PlanConfig, WorkOrderRequest } from '../workflows/maintenance-plan-messages';
import type { TicketWorkflowInput } from '../workflows/ticket-messages';
import type { TicketEventListener } from './record-ticket-events';

/** A work order's checklist item as its row keeps it: the plan's item, and how it was done. */
export interface ChecklistEntry extends ChecklistItemTemplate {
  done: boolean;
  reading?: number | null;
  note?: string | null;
  doneBy?: string | null;
  doneAt?: string | null;
}

export interface PlanActivities {
  prepareWorkOrder(req: WorkOrderRequest): Promise<TicketWorkflowInput>;
  workOrderFinishedAt(input: { ticketId: string }): Promise<string | null>;
  recordPlanProgress(input: { planId: string; nextDueAt: string | null; paused: boolean; ended: boolean }): Promise<void>;
}

export function workOrderTitle(config: PlanConfig, dueAt: string): string {
  return `${config.name} — ${dueAt.slice(0, 10)}`.slice(0, 200);
}

/** The work order's ticket input, the same whether built by the activity or by a test's stand-in. */
export function workOrderInput(req: WorkOrderRequest, def: WorkflowDefinition, version: number, number: string, createdAt: string): TicketWorkflowInput {
  const c = req.config;
  const known = new Set((def.fields ?? []).map((f) => f.name));
  const fields: Record<string, string> = {};
  // Only fields the pinned definition declares, so an edited definition without them still starts cleanly.
  if (known.has('plan')) fields.plan = c.planId;
  if (known.has('asset') && c.assetIds[0]) fields.asset = c.assetIds[0];
  if (known.has('due_at')) fields.due_at = req.dueAt;
  return {
    ticket: {
      id: req.ticketId,
      number,
      type: 'maintenance',
      title: workOrderTitle(c, req.dueAt),
      description: c.checklist.length ? c.checklist.map((i) => `- ${i.label}${i.mandatory ? ' *' : ''}`).join('\n') : '',
      priority: c.priority as Priority,
      requesterId: c.requesterId,
      queue: def.defaultQueue ?? null,
      fields,
      createdAt,
      createdBy: { id: null, role: 'system' },
      organisationId: null,
      checklist: c.checklist.filter((i) => i.mandatory).map(({ id, label }) => ({ id, label })),
    },
    definition: def,
    definitionVersion: version,
  };
}

export function planActivitiesWith(em: EntityManager): PlanActivities {
  return {
    async prepareWorkOrder(req) {
      const db = em.fork();
      const stored = await db.findOne(Definition, { key: req.config.definitionKey, status: 'published' }, { fields: ['body', 'version'], orderBy: { version: 'desc' } });
      if (!stored) throw new Error(`no published definition '${req.config.definitionKey}'`);
      const definition = stored.body as WorkflowDefinition;
      // SQL: the ticket numbers' sequence, which no entity owns.
      const [n] = await db.execute<Array<{ n: string }>>(`select nextval('ticket_number_seq') as n`);
      const number = `${definition.numberPrefix}-${String(n!.n).padStart(6, '0')}`;
      const checklist: ChecklistEntry[] = req.config.checklist.map((i) => ({ ...i, done: false, reading: null, note: null, doneBy: null, doneAt: null }));
      // A retry finds the row its first attempt wrote and keeps that number: one (plan, occurrence), one work order.
      await db
        .createQueryBuilder(MaintenanceWorkOrder)
        .insert({ planId: req.planId, occurrence: req.key, ticketId: req.ticketId, number, dueAt: new Date(req.dueAt), assetIds: req.config.assetIds, checklist })
        .onConflict(['planId', 'occurrence'])
        .ignore()
        .execute();
      const row = await db.findOneOrFail(MaintenanceWorkOrder, { planId: req.planId, occurrence: req.key }, { fields: ['number', 'createdAt'] });
      return workOrderInput(req, definition, stored.version, row.number, row.createdAt.toISOString());
    },

    async workOrderFinishedAt({ ticketId }) {
      const row = await em.fork().findOne(Ticket, ticketId, { fields: ['resolvedAt', 'closedAt'] });
      return (row?.resolvedAt ?? row?.closedAt)?.toISOString() ?? null;
    },

    async recordPlanProgress({ planId, nextDueAt, paused, ended }) {
      await em.fork().nativeUpdate(MaintenancePlan, { id: planId }, { nextDueAt: nextDueAt ? new Date(nextDueAt) : null, status: ended ? 'ended' : paused ? 'paused' : 'active' });
    },
  };
}

/**
 * Tells a plan at once when one of its work orders is done, so an interval plan counts from the completion without
 * waiting for its next check. Idempotent: the plan ignores a ticket that is not its outstanding work order, and a
 * plan that has ended is simply not there.
 */
export function planCompletionListener(signal: (planId: string, ticketId: string, at: string) => Promise<void>): TicketEventListener {
  return async ({ row, events }) => {
    if (row.type !== 'maintenance' || typeof row.fields?.plan !== 'string') return;
    if (row.stateCategory !== 'resolved' && row.stateCategory !== 'closed') return;
    if (!events.some((e) => e.type === 'transitioned')) return;
    const at = row.resolvedAt ?? row.closedAt ?? row.updatedAt;
    try {
      await signal(row.fields.plan, row.id, at);
    } catch (err) {
      if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
    }
  };
}
