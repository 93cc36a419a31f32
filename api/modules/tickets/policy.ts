// Who sees which ticket, as a SQL condition: admins all; agents their groups' queues (a queue no group claims is open to all agents) and their own assignments; customers their own tickets and, where their organisation shares, their colleagues'.
import type { AuthUser } from '../auth/types';

export interface Scope {
  sql: string;
  params: unknown[];
}

export function visibleTo(user: AuthUser): Scope {
  if (user.role === 'admin') return { sql: 'true', params: [] };
  if (user.role === 'agent') {
    return {
      sql: `(t.queue is null or t.assignee_id = ?
             or not exists (select 1 from queue_groups qg where qg.queue = t.queue)
             or exists (select 1 from queue_groups qg join group_members gm on gm.group_key = qg.group_key where qg.queue = t.queue and gm.user_id = ?))`,
      params: [user.id, user.id],
    };
  }
  if (!user.organisationId) return { sql: 't.requester_id = ?', params: [user.id] };
  return {
    sql: `(t.requester_id = ? or (t.organisation_id = ? and exists (select 1 from organisations o where o.id = ? and o.share_tickets)))`,
    params: [user.id, user.organisationId, user.organisationId],
  };
}
