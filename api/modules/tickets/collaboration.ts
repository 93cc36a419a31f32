// What agents do around tickets: saved views of the queue, watchers, and mass actions reported ticket by ticket.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, forbidden, notFound, ProblemError, unprocessable } from '../../http/problem';
import type { AuthUser } from '../auth/types';
import type { TicketService } from './service';
import type { BulkBody, ListTicketsQuery } from './schemas';

export class CollaborationService {
  constructor(
    private readonly em: EntityManager,
    private readonly tickets: TicketService,
  ) {}

  listViews(user: AuthUser) {
    return this.em.fork().execute(`select id, name, query, created_at as "createdAt" from saved_views where user_id = ? order by name`, [user.id]);
  }

  async saveView(user: AuthUser, name: string, query: Omit<ListTicketsQuery, 'cursor'>) {
    const id = randomUUID();
    const rows = await this.em
      .fork()
      .execute(`insert into saved_views (id, user_id, name, query) values (?, ?, ?, ?::jsonb) on conflict (user_id, name) do nothing returning id`, [
        id,
        user.id,
        name,
        JSON.stringify(query),
      ]);
    if (!rows.length) throw conflict(`you already have a view named ${name}`, 'view-exists');
    return { id, name, query };
  }

  async deleteView(user: AuthUser, id: string) {
    const rows = await this.em.fork().execute('delete from saved_views where id = ? and user_id = ? returning id', [id, user.id]);
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
    await this.tickets.get(user, ticketId);
    if (userId !== user.id && user.role === 'customer') throw forbidden('customers manage only their own watching');
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
            ? await this.tickets.transition(user, id, { transition: a.transition, fields: a.fields })
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
