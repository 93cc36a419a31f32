// The approvals read model (ticket_approvals, ticket_approvers), projected from a batch's approval events in order.
// Each write is idempotent, so a retried batch changes nothing twice; it runs in the same activity as the events, so
// a decision's answer reads its own round.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { TicketEvent } from '../workflows/ticket-messages';

export const hasApprovalEvents = (events: readonly TicketEvent[]) => events.some((e) => e.type.startsWith('approval_'));

export async function projectApprovals(em: EntityManager, ticketId: string, events: readonly TicketEvent[]): Promise<void> {
  const conn = em.getConnection();
  for (const e of events) {
    const d = e.data as Record<string, unknown>;
    if (e.type === 'approval_requested') {
      await conn.execute(
        `with a as (insert into ticket_approvals (ticket_id, round, state, policy, needed, unresolved, opened_at, deadline)
           values (?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing)
         insert into ticket_approvers (ticket_id, round, user_id) select ?, ?, value::uuid from jsonb_array_elements_text(?::jsonb) on conflict do nothing`,
        [ticketId, d.round, d.state, d.policy, d.needed, d.unresolved ?? null, e.at, d.deadline ?? null, ticketId, d.round, JSON.stringify(d.approvers)],
      );
    } else if (e.type === 'approval_decided') {
      await conn.execute(
        `update ticket_approvers set decision = ?, comment = ?, via = ?, decided_at = ? where ticket_id = ? and round = ? and user_id = ? and decision is null`,
        [d.decision, d.comment ?? null, d.via, e.at, ticketId, d.round, e.actor.id],
      );
    } else if (e.type === 'approval_closed') {
      await conn.execute(`update ticket_approvals set status = ?, closed_at = ?, closed_by = ? where ticket_id = ? and round = ? and status = 'open'`, [
        d.outcome,
        e.at,
        d.reason,
        ticketId,
        d.round,
      ]);
    }
  }
}
