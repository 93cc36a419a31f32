// Ticket read-model queries: the queue ordered by priority then creation date (keyset), one ticket, its timeline.
import type { EntityManager } from '@mikro-orm/postgresql';
import { Attachment, Group, InboundEndpoint, Ticket, TicketSlaPolicy, User } from '../../../platform/db/entities/index';
import { USER_SEES_TICKET_SQL, type Scope } from './policy';
import type { AuthUser, UserRole } from '../auth/types';
import type { DbTime } from '../../../platform/db/time';
import type { TicketProjection } from '../../../workflows/ticket-messages';
import { INSERT_TICKET_ROW, ticketRowParams } from '../../../activities/ticket-row';
import { escapeLike } from '../../../platform/db/like';

/**
 * A ticket as the queue, the ticket page and the API read it: the result type of the SQL below (COLUMNS_SQL), kept as
 * SQL because the queue listing is the desk's hottest read (bench/queue-listing.ts runs it beside the bare statement).
 * tests/platform/entities-match-schema.test.ts holds the table to the Ticket entity.
 */
export interface TicketRow {
  id: string;
  number: string;
  type: string;
  title: string;
  description: string;
  priority: string;
  priority_order: number;
  state: string;
  state_category: string;
  queue: string | null;
  assignee_id: string | null;
  assigned_group: string | null;
  requester_id: string;
  organisation_id: string | null;
  definition_key: string;
  definition_version: number;
  fields: Record<string, unknown>;
  links: Array<{ kind: string; ticketId: string; number: string }>;
  tags: string[];
  sla: Array<{ name: string; status: string; target: string | null; warningAt: string | null; remainingMs: number; paused: boolean; stopped: boolean; budgetMinutes: number }>;
  sla_status: string;
  sla_due_at: DbTime | null;
  last_seq: number;
  created_at: DbTime;
  updated_at: DbTime;
  resolved_at: DbTime | null;
  closed_at: DbTime | null;
}

export interface EventRow {
  seq: number;
  type: string;
  actor_id: string | null;
  actor_name: string | null;
  actor_role: string;
  visibility: 'public' | 'internal';
  at: DbTime;
  data: Record<string, unknown>;
}

export interface ListFilter {
  q?: string;
  slaStatus?: string;
  tag?: string;
  organisationId?: string;
  state?: string;
  stateCategory?: string;
  type?: string;
  priority?: string;
  queue?: string;
  assigneeId?: string;
  assignedGroup?: string;
  requesterId?: string;
}

export interface Cursor {
  r: number;
  c: string;
  i: string;
}

/** A search as people type it, stemmed in English and in French. */
const QUERY = `(websearch_to_tsquery('english', ?) || websearch_to_tsquery('french', ?))`;

/** Every column but the search vector, which only filters (TicketRow's). */
const COLUMNS_SQL = `t.id, t.number, t.type, t.title, t.description, t.priority, t.priority_order, t.state, t.state_category, t.queue,
  t.assignee_id, t.assigned_group, t.requester_id, t.organisation_id, t.definition_key, t.definition_version, t.fields, t.links, t.tags, t.sla, t.sla_status,
  t.sla_due_at, t.last_seq, t.created_at, t.updated_at, t.resolved_at, t.closed_at`;

const COLUMNS: Record<Exclude<keyof ListFilter, 'q' | 'slaStatus' | 'tag'>, string> = {
  organisationId: 'organisation_id',
  state: 'state',
  stateCategory: 'state_category',
  type: 'type',
  priority: 'priority',
  queue: 'queue',
  assigneeId: 'assignee_id',
  assignedGroup: 'assigned_group',
  requesterId: 'requester_id',
};

export class TicketRepository {
  constructor(private readonly em: EntityManager) {}

  /** Of these tickets, those whose workflow has not yet recorded its first event (the API wrote their row alone). */
  async unrecorded(ids: string[]): Promise<string[]> {
    // SQL: the ids go as one JSON parameter, as backpressure may watch up to 20,000 tickets (a parameter each would not do).
    const rows = await this.em
      .fork()
      .execute<Array<{ id: string }>>(`select id from tickets where id in (select v::uuid from jsonb_array_elements_text(?::jsonb) v) and last_seq = 0`, [JSON.stringify(ids)]);
    return rows.map((r) => r.id);
  }

  /** 90th percentile, in ms, of how late the SLA warnings and breaches recorded in the last `windowMs` were; 0 when none. */
  async timerLateness(windowMs: number): Promise<number> {
    // SQL: a percentile over the last seconds' timer events, served by their partial index on `at`.
    const [row] = await this.em.fork().execute<Array<{ ms: number | null }>>(
      `select percentile_cont(0.9) within group (order by extract(epoch from (at - (data->>'deadline')::timestamptz)) * 1000) as ms
       from ticket_events where type in ('sla_warning', 'sla_breached') and at > now() - make_interval(secs => ?)`,
      [windowMs / 1000],
    );
    return Math.max(0, Number(row?.ms ?? 0));
  }

  async nextNumber(): Promise<number> {
    // SQL: the ticket numbers' sequence, which no entity owns.
    const [row] = await this.em.fork().execute<{ n: string }[]>(`select nextval('ticket_number_seq') as n`);
    return Number(row.n);
  }

  /**
   * Writes a just-opened ticket (lastSeq 0) unless its workflow already wrote it; true when this call wrote it. The
   * workflow's own writes (lastSeq ≥ 1) replace every field that can change, so whichever lands first, the row ends
   * as the workflow has it.
   */
  async insertOpened(p: TicketProjection): Promise<boolean> {
    // SQL: the same insert the worker's recording makes (activities/ticket-row.ts), on every creation (bench/ticket-creation.ts).
    const rows = await this.em.fork().execute<{ id: string }[]>(
      `${INSERT_TICKET_ROW} on conflict (id) do nothing returning id`,
      ticketRowParams(p),
    );
    return rows.length > 0;
  }

  async channel(id: string): Promise<string | null> {
    return (await this.em.fork().findOne(Ticket, id, { fields: ['channel'] }))?.channel ?? null;
  }

  /** The SLA policy of its organisation the ticket opened under (its name then), if any. */
  async slaPolicy(id: string): Promise<{ id: string | null; name: string } | null> {
    const row = await this.em.fork().findOne(TicketSlaPolicy, id, { fields: ['policyId', 'name'] });
    return row ? { id: row.policyId ?? null, name: row.name } : null;
  }

  /** A requester's other tickets the scope shows: open ones first, then the most recent (SQL: TicketRow's, as the ticket page shows them). */
  async requesterTickets(requesterId: string, except: string, scope: Scope, limit: number): Promise<TicketRow[]> {
    return this.em.fork().execute<TicketRow[]>(
      `select ${COLUMNS_SQL} from tickets t where t.requester_id = ? and t.id <> ? and ${scope.sql}
       order by (t.state_category in ('resolved', 'closed')), t.created_at desc limit ?`,
      [requesterId, except, ...scope.params, limit],
    );
  }

  /** Agents and admins who may see the ticket: the only ones it makes sense to assign it to. */
  async staffWhoSee(id: string): Promise<Array<{ id: string; name: string }>> {
    // SQL: who may see a ticket is the shared visibility rule, written as SQL for the API and the worker alike.
    return this.em.fork().execute(
      `select u.id, u.name from tickets t join users u on u.role in ('agent', 'admin') and ${USER_SEES_TICKET_SQL} where t.id = ? order by lower(u.name), u.id limit 500`,
      [id],
    );
  }

  /** Records how the ticket came in, once: a retried creation does not change what its first attempt recorded. */
  async setChannel(id: string, channel: string): Promise<void> {
    await this.em.fork().nativeUpdate(Ticket, { id, channel: null }, { channel });
  }

  /** An active person a ticket may be opened for (not disabled, not an inbound-webhook service account). */
  async requester(id: string): Promise<{ id: string; role: UserRole; organisationId: string | null } | null> {
    const em = this.em.fork();
    const row = await em.findOne(User, { id, disabled: false }, { fields: ['role', 'organisationId'] });
    if (!row || (await em.count(InboundEndpoint, { actorId: id }))) return null;
    return { id: row.id, role: row.role as UserRole, organisationId: row.organisationId ?? null };
  }

  /** One ticket under the caller's visibility (SQL, TicketRow's: read on every ticket action, bench/transition.ts). */
  async find(id: string, scope: Scope = { sql: 'true', params: [] }): Promise<TicketRow | null> {
    const rows = await this.em.fork().execute<TicketRow[]>(`select ${COLUMNS_SQL} from tickets t where t.id = ? and ${scope.sql}`, [id, ...scope.params]);
    return rows[0] ?? null;
  }

  /**
   * One page of the queue: priority (critical first), then oldest first, then id, resumed after `after`. SQL: the desk's
   * hottest read, measured by bench/queue-listing.ts beside the same statement run bare.
   */
  async list(filter: ListFilter, scope: Scope, limit: number, after?: Cursor, internalComments = true): Promise<TicketRow[]> {
    const where: string[] = [scope.sql];
    const params: unknown[] = [...scope.params];
    const { q, slaStatus, tag, ...equals } = filter;
    for (const [k, v] of Object.entries(equals)) {
      if (v === undefined) continue;
      where.push(`t.${COLUMNS[k as keyof typeof COLUMNS]} = ?`);
      params.push(v);
    }
    if (slaStatus) {
      where.push('t.sla_status = ?');
      params.push(slaStatus);
    }
    if (tag) {
      where.push('t.tags @> array[?]::text[]');
      params.push(tag);
    }
    if (q) {
      // A ticket number finds its ticket too (agents paste "INC-000123"), by the unique index beside the full-text one.
      // ... and so do the words of its conversation (internal notes for staff only).
      where.push(
        `(t.search @@ ${QUERY} or t.number = upper(trim(?))
          or t.id in (select e.ticket_id from ticket_events e where e.search @@ ${QUERY} ${internalComments ? '' : `and e.visibility = 'public'`}))`,
      );
      params.push(q, q, q, q, q);
    }
    if (after) {
      where.push('(t.priority_order, t.created_at, t.id) > (?, ?, ?)');
      params.push(after.r, after.c, after.i);
    }
    params.push(limit);
    return this.em
      .fork()
      .execute<TicketRow[]>(
        `select ${COLUMNS_SQL} from tickets t where ${where.join(' and ')} order by t.priority_order, t.created_at, t.id limit ?`,
        params,
      );
  }

  /** A user as the visibility rules see them (for checking what someone else may see). */
  async userById(id: string): Promise<AuthUser | null> {
    const u = await this.em.fork().findOne(User, { id, disabled: false }, { fields: ['email', 'name', 'role', 'locale', 'organisationId'] });
    return u ? { id: u.id, email: u.email, name: u.name, role: u.role as AuthUser['role'], locale: u.locale, organisationId: u.organisationId ?? null, via: 'session', csrfToken: '' } : null;
  }

  async groupExists(key: string): Promise<boolean> {
    return (await this.em.fork().count(Group, { key })) > 0;
  }

  async isStaff(userId: string): Promise<boolean> {
    return (await this.em.fork().count(User, { id: userId, role: { $in: ['agent', 'admin'] }, disabled: false })) > 0;
  }

  async timeline(ticketId: string, includeInternal: boolean): Promise<EventRow[]> {
    // SQL: every event with its author's name in one read, as every ticket page opens (the event rows are this statement's).
    return this.em
      .fork()
      .execute<EventRow[]>(
        `select e.seq, e.type, e.actor_id, u.name as actor_name, e.actor_role, e.visibility, e.at, e.data
         from ticket_events e left join users u on u.id = e.actor_id
         where e.ticket_id = ? ${includeInternal ? '' : `and e.visibility = 'public'`} order by e.seq`,
        [ticketId],
      );
  }

  /**
   * What a merge moves besides the conversation: the duplicate's files, and its requester and watchers as watchers of the
   * survivor (those who may see it; its own requester already follows it).
   */
  async moveMerged(duplicateId: string, survivorId: string): Promise<void> {
    const em = this.em.fork();
    await em.transactional(async (tx) => {
      await tx.nativeUpdate(Attachment, { ticketId: duplicateId }, { ticketId: survivorId });
      // SQL: the new watchers are those the shared visibility rule (SQL) lets see the survivor, added in one statement.
      await tx.execute(
        `insert into ticket_watchers (ticket_id, user_id)
         select t.id, u.id from tickets t join users u on u.id in (select w.user_id from ticket_watchers w where w.ticket_id = ? union select d.requester_id from tickets d where d.id = ?)
         where t.id = ? and u.id <> t.requester_id and ${USER_SEES_TICKET_SQL}
         on conflict do nothing`,
        [duplicateId, duplicateId, survivorId],
      );
    });
  }

  /**
   * For each of these tickets, its latest comment matching `q` (internal notes for staff only), as a short extract
   * with the matched words between ⟦ and ⟧ (plain text: the reader marks them up).
   */
  async commentMatches(ticketIds: string[], q: string, internalComments: boolean): Promise<Map<string, { seq: number; snippet: string }>> {
    if (!ticketIds.length) return new Map();
    // SQL: full-text matching and ts_headline, as the queue's search shows its matches (bench/queue-listing.ts).
    const rows = await this.em.fork().execute<Array<{ ticket_id: string; seq: number; snippet: string }>>(
      `select distinct on (e.ticket_id) e.ticket_id, e.seq,
              ts_headline('english', e.data->>'body', ${QUERY}, 'MaxFragments=1, MaxWords=20, MinWords=8, StartSel=⟦, StopSel=⟧, FragmentDelimiter=" … "') as snippet
         from ticket_events e
        where e.ticket_id in (select jsonb_array_elements_text(?::jsonb)::uuid) and e.search @@ ${QUERY} ${internalComments ? '' : `and e.visibility = 'public'`}
        order by e.ticket_id, e.seq desc`,
      [q, q, JSON.stringify(ticketIds), q, q],
    );
    return new Map(rows.map((r) => [r.ticket_id, { seq: r.seq, snippet: r.snippet }]));
  }

  /** Replies and state changes by anyone but `userId` after event `seq`: what a writer who last saw `seq` has missed. */
  async changesSince(ticketId: string, seq: number, userId: string, includeInternal: boolean): Promise<EventRow[]> {
    // SQL: the timeline's statement (above), from one event on.
    return this.em
      .fork()
      .execute<EventRow[]>(
        `select e.seq, e.type, e.actor_id, u.name as actor_name, e.actor_role, e.visibility, e.at, e.data
         from ticket_events e left join users u on u.id = e.actor_id
         where e.ticket_id = ? and e.seq > ? and e.type in ('commented', 'transitioned')
           and e.actor_id is distinct from ? ${includeInternal ? '' : `and e.visibility = 'public'`}
         order by e.seq`,
        [ticketId, seq, userId],
      );
  }

  /** The tags in use on the tickets `scope` lets the reader see, most used first, optionally starting with `prefix`. */
  async tagsInUse(scope: Scope, prefix: string | undefined, limit: number): Promise<Array<{ tag: string; tickets: number }>> {
    // SQL: the tags unnested from their array and counted under the caller's visibility (SQL too).
    const rows = await this.em.fork().execute<Array<{ tag: string; tickets: string }>>(
      `select tag, count(*) as tickets from tickets t, unnest(t.tags) as tag
        where ${scope.sql} ${prefix ? `and tag like ? escape '\\'` : ''}
        group by tag order by count(*) desc, tag limit ?`,
      [...scope.params, ...(prefix ? [`${escapeLike(prefix)}%`] : []), limit],
    );
    return rows.map((r) => ({ tag: r.tag, tickets: Number(r.tickets) }));
  }
}
