// The approvals read model (ticket_approvals, ticket_approvers), projected from a batch's approval events in order.
// Each write is idempotent, so a retried batch changes nothing twice; it runs in the same activity as the events, so
// a decision's answer reads its own round.
import type { EntityManager } from '@mikro-orm/postgresql';
import { TicketApproval, TicketApprover } from '../platform/db/entities/index';
import type { TicketEvent } from '../workflows/ticket-messages';

export const hasApprovalEvents = (events: readonly TicketEvent[]) => events.some((e) => e.type.startsWith('approval_'));

export async function projectApprovals(em: EntityManager, ticketId: string, events: readonly TicketEvent[]): Promise<void> {
  for (const e of events) {
    const d = e.data as Record<string, unknown>;
    const round = d.round as number;
    if (e.type === 'approval_requested') {
      const approvers = d.approvers as string[];
      await em
        .createQueryBuilder(TicketApproval)
        .insert({ ticketId, round, state: d.state as string, policy: d.policy as string, needed: d.needed as number, unresolved: (d.unresolved as string | undefined) ?? null, openedAt: new Date(e.at), deadline: d.deadline ? new Date(d.deadline as string) : null })
        .onConflict(['ticketId', 'round'])
        .ignore()
        .execute();
      if (approvers.length) {
        await em
          .createQueryBuilder(TicketApprover)
          .insert(approvers.map((userId) => ({ ticketId, round, userId })))
          .onConflict(['ticketId', 'round', 'userId'])
          .ignore()
          .execute();
      }
    } else if (e.type === 'approval_decided') {
      // Only an undecided row: a retried batch leaves the first decision as it is.
      await em.nativeUpdate(
        TicketApprover,
        { ticketId, round, userId: e.actor.id!, decision: null },
        { decision: d.decision as string, comment: (d.comment as string | undefined) ?? null, via: d.via as string, decidedAt: new Date(e.at) },
      );
    } else if (e.type === 'approval_closed') {
      await em.nativeUpdate(TicketApproval, { ticketId, round, status: 'open' }, { status: d.outcome as string, closedAt: new Date(e.at), closedBy: d.reason as string });
    }
  }
}
