// A work order's checklist (ticked with readings and notes, its completion rule held by the ticket's machine) and the
// incident a failed check opens on the asset.
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { MaintenanceWorkOrder } from '../../../platform/db/entities/index';
import type { ChecklistEntry } from '../../../activities/maintenance-plans';
import { conflict, notFound, unprocessable } from '../../http/problem';
import type { AuthUser } from '../auth/types';
import { requireMaintenanceStaff } from '../assets/policy';
import type { TicketService } from '../tickets/service';
import type { TicketRow } from '../tickets/repository';
import { visibleTo } from '../tickets/policy';

export class WorkOrderService {
  constructor(
    private readonly em: EntityManager,
    private readonly tickets: TicketService,
  ) {}

  private async workOrder(user: AuthUser, ticketId: string): Promise<{ checklist: ChecklistEntry[]; assetIds: string[]; row: TicketRow }> {
    requireMaintenanceStaff(user);
    const scope = visibleTo(user);
    // SQL: the ticket as the tickets' repository types it, under the visibility rule the ticket policy writes as SQL.
    const [row] = await this.em.fork().execute<TicketRow[]>(`select t.* from tickets t where t.id = ? and ${scope.sql}`, [ticketId, ...scope.params]);
    if (!row) throw notFound(`no ticket ${ticketId}`);
    const wo = await this.em.fork().findOne(MaintenanceWorkOrder, { ticketId });
    if (!wo) throw notFound(`ticket ${ticketId} is not a work order of a maintenance plan`);
    return { checklist: wo.checklist as ChecklistEntry[], assetIds: wo.assetIds as string[], row };
  }

  private presentChecklist(ticketId: string, items: ChecklistEntry[]) {
    return { ticketId, items, complete: items.every((i) => !i.mandatory || i.done) };
  }

  async checklist(user: AuthUser, ticketId: string) {
    const { checklist } = await this.workOrder(user, ticketId);
    return this.presentChecklist(ticketId, checklist);
  }

  async tick(user: AuthUser, ticketId: string, itemId: string, body: { done: boolean; reading?: number | null; note?: string | null }) {
    const { row } = await this.workOrder(user, ticketId);
    if (row.state_category === 'resolved' || row.state_category === 'closed') throw conflict(`${row.number} is already ${row.state}`, 'ticket-finished');
    return this.em.fork().transactional(async (tx) => {
      const wo = await tx.findOneOrFail(MaintenanceWorkOrder, { ticketId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      // A copy: the entity's own array stays as read, so only the explicit update below writes it.
      const items = structuredClone(wo.checklist as ChecklistEntry[]);
      const item = items.find((i) => i.id === itemId);
      if (!item) throw notFound(`no checklist item '${itemId}'`);
      if (body.done && item.kind === 'reading' && (body.reading === undefined || body.reading === null) && item.mandatory) {
        throw unprocessable(`'${item.label}' needs a reading`, [{ pointer: '/body/reading', message: 'reading is required' }], 'reading-required');
      }
      if (body.done && item.kind === 'note' && !body.note?.trim() && item.mandatory) {
        throw unprocessable(`'${item.label}' needs a note`, [{ pointer: '/body/note', message: 'note is required' }], 'note-required');
      }
      Object.assign(item, {
        done: body.done,
        reading: body.reading ?? null,
        note: body.note?.trim() || null,
        doneBy: body.done ? user.id : null,
        doneAt: body.done ? new Date().toISOString() : null,
      });
      await tx.nativeUpdate(MaintenanceWorkOrder, { ticketId }, { checklist: items });
      // The ticket's machine decides whether the work order may be completed: tell it what is still open before this
      // change commits, so a refusal (the work order finished meanwhile) leaves the checklist as it was.
      await this.tickets.setOpenChecks(user, ticketId, items.filter((i) => i.mandatory && !i.done).map(({ id, label }) => ({ id, label })));
      return this.presentChecklist(ticketId, items);
    });
  }

  /** A failed check opens an incident on the work order's asset, related to the work order, in one call. */
  async openIncident(user: AuthUser, ticketId: string, body: { title: string; description?: string; itemId?: string; priority?: 'low' | 'medium' | 'high' | 'critical' }) {
    const { checklist, assetIds, row } = await this.workOrder(user, ticketId);
    const item = body.itemId ? checklist.find((i) => i.id === body.itemId) : undefined;
    if (body.itemId && !item) throw notFound(`no checklist item '${body.itemId}'`);
    const description = [body.description ?? '', `Work order ${row.number}${item ? ` — ${item.label}${item.reading !== null && item.reading !== undefined ? `: ${item.reading}${item.unit ? ` ${item.unit}` : ''}` : ''}${item.note ? ` (${item.note})` : ''}` : ''}`]
      .filter(Boolean)
      .join('\n\n');
    const { ticket } = await this.tickets.create(user, {
      type: 'incident',
      title: body.title,
      description,
      priority: body.priority ?? 'high',
      ...(assetIds[0] ? { fields: { asset: assetIds[0] } } : {}),
    } as Parameters<TicketService['create']>[1]);
    await this.tickets.link(user, ticket.id, ticketId, 'related').catch(() => undefined);
    return ticket;
  }
}
