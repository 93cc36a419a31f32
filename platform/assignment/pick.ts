// Who gets a ticket of a queue that assigns by itself: among the active members of the groups working the queue (every
// agent and admin when no group is named; never an integration's service account) who
// are not away and are under the queue's limit of open tickets, the one round-robin or the least open load names.
// Used by the worker (new and moved tickets) and the API (tickets of an agent who goes away).
import { LockMode, raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Queue, QueueAssignee } from '../db/entities/index';

export const ASSIGNMENT_POLICIES = ['off', 'round_robin', 'least_open', 'skills'] as const;
export type AssignmentPolicy = (typeof ASSIGNMENT_POLICIES)[number];

export interface Pick {
  userId: string;
  policy: Exclude<AssignmentPolicy, 'off'>;
  /** The agent's open tickets when picked. */
  openTickets: number;
  /** By skills: the agent's skill the ticket named, or null when no agent who may take it has one it names. */
  skill?: string | null;
}

/** What a ticket asks of an agent, for a queue that assigns by skills: its tags and its fields' text values, as words. */
export function skillsAskedBy(ticket: { tags?: readonly string[] | null; fields?: Record<string, unknown> | null }): string[] {
  const words = [...(ticket.tags ?? []), ...Object.values(ticket.fields ?? {}).filter((v): v is string => typeof v === 'string')];
  return [...new Set(words.map((w) => w.trim().toLowerCase()).filter((w) => /^[a-z0-9][a-z0-9_-]{0,39}$/.test(w)))];
}

/** Away now: since a moment that has come, and not yet back (no return date, or one still ahead). */
export const AWAY_SQL = (u: string) => `(${u}.away_since is not null and ${u}.away_since <= now() and (${u}.away_until is null or ${u}.away_until > now()))`;

/**
 * Picks and records the pick (when each agent last got one of the queue's tickets), under a lock on the queue's row so
 * that picks for one queue, from any worker or API replica, take turns. Null: the queue does not assign by itself, or
 * nobody may take the ticket now (it stays unassigned, and the definition's unassigned escalation applies).
 */
export async function pickAssignee(em: EntityManager, queue: string, opts: { except?: readonly string[]; skills?: readonly string[] } = {}): Promise<Pick | null> {
  const except = opts.except ?? [];
  const asked = `{${(opts.skills ?? []).join(',')}}`;
  // Most queues do not assign by themselves: a plain read spares them the transaction and the lock on their row.
  const policy = await em.fork().findOne(Queue, queue, { fields: ['assignment'] });
  if (!policy || policy.assignment === 'off') return null;
  return em.fork().transactional(async (tx) => {
    const q = await tx.findOne(Queue, queue, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!q || q.assignment === 'off') return null;
    const assignment = q.assignment as Exclude<AssignmentPolicy, 'off'>;
    const maxOpen = q.maxOpenPerAgent ?? null;
    // By skills: agents who have a skill the ticket names come first, in turn among themselves; with none, all in turn.
    // SQL: eligibility spans the account, its groups, the queue's groups, its open tickets and the turn, in one pick.
    const [chosen] = await tx.execute<Array<{ id: string; open: number; skill: string | null }>>(
      `select u.id, (select count(*)::int from tickets t where t.assignee_id = u.id and t.state_category not in ('resolved', 'closed')) as open,
              (select s from unnest(u.skills) s where s = any(?::text[]) order by s limit 1) as skill
       from users u
       left join queue_assignees qa on qa.queue = ? and qa.user_id = u.id
       where u.role in ('agent', 'admin') and not u.disabled and not ${AWAY_SQL('u')}
         -- An integration's service account is an admin that never works a ticket.
         and not exists (select 1 from inbound_endpoints ie where ie.actor_id = u.id)
         and (not exists (select 1 from queue_groups qg where qg.queue = ?)
              or exists (select 1 from group_members gm join queue_groups qg on qg.group_key = gm.group_key where gm.user_id = u.id and qg.queue = ?))
         and not (u.id = any(?::uuid[]))
         and (?::int is null or (select count(*) from tickets t where t.assignee_id = u.id and t.state_category not in ('resolved', 'closed')) < ?::int)
       order by ${assignment === 'least_open' ? 'open,' : ''}${assignment === 'skills' ? '(u.skills && ?::text[]) desc,' : ''} qa.last_assigned_at asc nulls first, lower(u.name), u.id
       limit 1`,
      [asked, queue, queue, queue, `{${except.join(',')}}`, maxOpen, maxOpen, ...(assignment === 'skills' ? [asked] : [])],
    );
    if (!chosen) return null;
    // clock_timestamp(): picks in one transaction still get distinct, ordered turns.
    await tx
      .createQueryBuilder(QueueAssignee)
      .insert({ queue, userId: chosen.id, lastAssignedAt: raw('clock_timestamp()') })
      .onConflict(['queue', 'userId'])
      .merge(['lastAssignedAt'])
      .execute();
    return { userId: chosen.id, policy: assignment, openTickets: chosen.open, ...(assignment === 'skills' ? { skill: chosen.skill } : {}) };
  });
}
