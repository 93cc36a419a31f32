// What agents do around tickets: saved views of the queue, watchers, and mass actions reported ticket by ticket.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, forbidden, notFound, ProblemError, unprocessable } from '../../http/problem';
import type { AuthUser } from '../auth/types';
import { requireOnQueue } from '../iam/permissions';
import type { TicketService } from './service';
import type { BulkBody, ListTicketsQuery } from './schemas';

export class CollaborationService {
  constructor(
    private readonly em: EntityManager,
    private readonly tickets: TicketService,
  ) {}

  /** The caller's own views, then those shared with everyone on staff or with a group they belong to. */
  listViews(user: AuthUser) {
    const staff = user.role !== 'customer';
    return this.em.fork().execute(
      `select v.id, v.name, v.query, v.created_at as "createdAt", v.shared_with as "sharedWith", v.group_key as "group",
              json_build_object('id', u.id, 'name', u.name) as owner, v.user_id = ? as mine
         from saved_views v join users u on u.id = v.user_id
        where v.user_id = ?
           ${staff ? `or v.shared_with = 'everyone' or (v.shared_with = 'group' and exists (select 1 from group_members gm where gm.group_key = v.group_key and gm.user_id = ?))` : ''}
        order by (v.user_id = ?) desc, v.name, u.name`,
      staff ? [user.id, user.id, user.id, user.id] : [user.id, user.id, user.id],
    );
  }

  /** Customers keep their views to themselves; agents share with their own groups, admins with any group or everyone. */
  async saveView(user: AuthUser, name: string, query: Omit<ListTicketsQuery, 'cursor'>, share: { sharedWith?: 'me' | 'group' | 'everyone'; group?: string } = {}) {
    const sharedWith = share.sharedWith ?? 'me';
    if (sharedWith !== 'me' && user.role === 'customer') throw forbidden('customers keep their views to themselves');
    if (sharedWith === 'everyone' && user.role !== 'admin') throw forbidden('only admins share a view with everyone');
    if ((sharedWith === 'group') !== (share.group !== undefined)) {
      throw unprocessable("a view is shared with a group when, and only when, 'group' names it", [{ pointer: '/group', message: sharedWith === 'group' ? 'required' : 'only with sharedWith group' }], 'invalid-share');
    }
    if (sharedWith === 'group') {
      const [member] = await this.em.fork().execute<Array<{ known: boolean; member: boolean }>>(
        `select exists (select 1 from groups where key = ?) as known, exists (select 1 from group_members where group_key = ? and user_id = ?) as member`,
        [share.group, share.group, user.id],
      );
      if (!member!.known) throw unprocessable(`unknown group '${share.group}'`, [{ pointer: '/group', message: 'unknown group' }], 'unknown-group');
      if (!member!.member && user.role !== 'admin') throw forbidden(`you are not in group '${share.group}'`);
    }
    const id = randomUUID();
    const rows = await this.em
      .fork()
      .execute(
        `insert into saved_views (id, user_id, name, query, shared_with, group_key) values (?, ?, ?, ?::jsonb, ?, ?) on conflict (user_id, name) do nothing returning id`,
        [id, user.id, name, JSON.stringify(query), sharedWith, share.group ?? null],
      );
    if (!rows.length) throw conflict(`you already have a view named ${name}`, 'view-exists');
    return { id, name, query, sharedWith, group: share.group ?? null, mine: true };
  }

  /** Only its owner (or an admin, for a shared one) deletes a view; others' views are not there to delete. */
  async deleteView(user: AuthUser, id: string) {
    const rows = await this.em
      .fork()
      .execute(`delete from saved_views where id = ? and (user_id = ? or (? and shared_with <> 'me')) returning id`, [id, user.id, user.role === 'admin']);
    if (!rows.length) throw notFound(`no view ${id}`);
  }

  /** Customers see who watches by name only: staff and colleagues' addresses are not theirs to collect. */
  async watchers(user: AuthUser, ticketId: string) {
    await this.tickets.get(user, ticketId);
    const rows = await this.em
      .fork()
      .execute<Array<{ id: string; name: string; email: string }>>(`select u.id, u.name, u.email from ticket_watchers w join users u on u.id = w.user_id where w.ticket_id = ? order by u.name`, [ticketId]);
    return user.role === 'customer' ? rows.map((r) => (r.id === user.id ? r : { id: r.id, name: r.name })) : rows;
  }

  /** Anyone who sees a ticket may watch it; only agents add or remove someone else, who must see it too. */
  async setWatching(user: AuthUser, ticketId: string, userId: string, watching: boolean) {
    const ticket = await this.tickets.get(user, ticketId);
    if (userId !== user.id && user.role === 'customer') throw forbidden('customers manage only their own watching');
    if (userId !== user.id) requireOnQueue(user, 'edit', ticket.queue);
    if (watching && userId !== user.id) {
      const other = await this.tickets.userById(userId);
      if (!other) throw unprocessable('unknown user', [{ pointer: '/userId', message: 'unknown user' }], 'unknown-user');
      await this.tickets.get(other, ticketId).catch(() => {
        throw unprocessable('that user cannot see this ticket', [{ pointer: '/userId', message: 'cannot see the ticket' }], 'not-visible');
      });
    }
    if (watching) await this.em.fork().execute('insert into ticket_watchers (ticket_id, user_id) values (?, ?) on conflict do nothing', [ticketId, userId]);
    else await this.em.fork().execute('delete from ticket_watchers where ticket_id = ? and user_id = ?', [ticketId, userId]);
  }

  /** Applies one action to many tickets; each gets its own outcome, so one refusal never hides the others. */
  async bulk(user: AuthUser, body: BulkBody) {
    if (user.role === 'customer') throw forbidden('mass actions are for agents');
    const results = [];
    for (const id of body.ids) {
      try {
        const a = body.action;
        const ticket =
          a.type === 'transition'
            ? await this.tickets.transition(user, id, { transition: a.transition, fields: a.fields, ...(a.timeSpent !== undefined ? { timeSpent: a.timeSpent } : {}) })
            : a.type === 'assign'
              ? await this.tickets.assign(user, id, { assigneeId: a.assigneeId, ...(a.queue !== undefined ? { queue: a.queue } : {}) })
              : a.type === 'tags'
                ? await this.tickets.setTags(user, id, { add: a.add, remove: a.remove })
                : await this.tickets.patch(user, id, { priority: a.priority });
        results.push({ id, ok: true, status: 200, state: ticket.state, priority: ticket.priority, assigneeId: ticket.assigneeId, tags: ticket.tags });
      } catch (err) {
        if (!(err instanceof ProblemError)) throw err;
        results.push({ id, ok: false, status: err.status, problem: err.toJSON() });
      }
    }
    return { results, succeeded: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).length };
  }
}
