// Who may see which ticket — the one rule used by the API (lists, search, reports, live stream, assets, plans) and by
// the worker's notifications. Admins see all; agents their groups' queues (a queue no group claims is open to every
// agent), unqueued tickets and their own assignments, but a maintenance work order only within its plan's owner
// group; customers their own tickets and, where their organisation shares, their colleagues'. Written once over SQL
// expressions so the same rule serves a known caller (`?` parameters) and a set of users joined in SQL (columns of
// `u`), against tickets aliased `t`.

export interface Principal {
  id: string;
  role: string;
  organisationId: string | null;
}

export interface Scope {
  sql: string;
  params: unknown[];
}

function agentRule(userId: string, idColumn: string): string {
  return `((t.queue is null or t.assignee_id = ${userId}
             or not exists (select 1 from queue_groups qg where qg.queue = t.queue)
             or exists (select 1 from queue_groups qg join group_members gm on gm.group_key = qg.group_key where qg.queue = t.queue and gm.user_id = ${userId}))
           and ${workOrderRule(userId, idColumn)})`;
}

/** A work order belongs to its plan's owner group, as the plan does: other agents see it only when it is assigned to them. */
function workOrderRule(userId: string, idColumn: string): string {
  return `(t.type <> 'maintenance' or t.assignee_id = ${userId} or not exists (
             select 1 from maintenance_work_orders wo join maintenance_plans p on p.id = wo.plan_id
             where wo.ticket_id = ${idColumn} and p.owner_group is not null
               and not exists (select 1 from group_members gm where gm.group_key = p.owner_group and gm.user_id = ${userId})))`;
}

function customerRule(userId: string, organisationId: string): string {
  return `(t.requester_id = ${userId} or (t.organisation_id = ${organisationId} and exists (select 1 from organisations o where o.id = ${organisationId} and o.share_tickets)))`;
}

/** The tickets `t` one caller may see; `idColumn` names the ticket's id where `t` is not the tickets table itself (report facts). */
export function visibleTo(user: Principal, idColumn = 't.id'): Scope {
  if (user.role === 'admin') return { sql: 'true', params: [] };
  if (user.role === 'agent') {
    const sql = agentRule('?', idColumn);
    return { sql, params: Array<string>(sql.split('?').length - 1).fill(user.id) };
  }
  if (!user.organisationId) return { sql: 't.requester_id = ?', params: [user.id] };
  return { sql: customerRule('?', '?'), params: [user.id, user.organisationId, user.organisationId] };
}

/**
 * The users `u` who may see ticket `t`: the same rule with the caller's columns in place of parameters. Disabled
 * users and service accounts (an inbound-webhook endpoint's actor, an admin nobody reads mail for) are left out.
 */
export const USER_SEES_TICKET_SQL = `(not u.disabled
  and not exists (select 1 from inbound_endpoints ie where ie.actor_id = u.id)
  and (u.role = 'admin'
       or (u.role = 'agent' and ${agentRule('u.id', 't.id')})
       or (u.role not in ('admin', 'agent') and ${customerRule('u.id', 'u.organisation_id')})))`;
