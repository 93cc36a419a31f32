// Auto-assignment of new tickets, and of tickets moved into a queue, that nobody holds: a listener on the ticket-event
// fan-out picks the agent (platform/assignment/pick.ts) and assigns through the ticket's own workflow, with the
// decision recorded in its timeline.
import type { EntityManager } from '@mikro-orm/postgresql';
import { pickAssignee, skillsAskedBy } from '../platform/assignment/pick';
import type { AssignRequest, TicketEvent } from '../workflows/ticket-messages';
import type { TicketEventListener } from './record-ticket-events';

/** Sends the assignment; `updateId` makes a batch heard twice assign once. */
export type AssignTicket = (ticketId: string, request: AssignRequest, updateId: string) => Promise<void>;

/** The event that puts an unheld ticket in a queue: its creation, or a move to another queue without an assignee. */
function arrival(events: readonly TicketEvent[]): TicketEvent | undefined {
  return [...events].reverse().find((e) => {
    if (e.type === 'created') return true;
    if (e.type !== 'assigned') return false;
    const d = e.data as { from?: { queue?: string | null }; to?: { queue?: string | null; assigneeId?: string | null } };
    return d.to?.assigneeId === null && d.to?.queue !== d.from?.queue;
  });
}

export function autoAssignListener(em: EntityManager, assign: AssignTicket): TicketEventListener {
  return async ({ row, events }) => {
    if (row.assigneeId !== null || row.queue === null || row.stateCategory === 'resolved' || row.stateCategory === 'closed') return;
    const event = arrival(events);
    if (!event) return;
    const pick = await pickAssignee(em, row.queue, { skills: skillsAskedBy(row) });
    if (!pick) return;
    try {
      await assign(row.id, { assigneeId: pick.userId, actor: { id: null, role: 'system' }, auto: { policy: pick.policy, queue: row.queue, openTickets: pick.openTickets, ...(pick.skill !== undefined ? { skill: pick.skill } : {}) } }, `auto-assign-${row.id}-${event.seq}`);
    } catch (err) {
      // Someone assigned, moved or closed it first: the ticket refused, which is its answer.
      if ((err as Error).name === 'WorkflowUpdateFailedError' || (err as Error).name === 'WorkflowNotFoundError') return;
      throw err;
    }
  };
}
