// What agents do around tickets: saved views of the queue, watchers, and mass actions reported ticket by ticket.
import { randomUUID } from 'node:crypto';
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Group, GroupMember, SavedView, TicketWatcher, User } from '../../../platform/db/entities/index';
import { conflict, forbidden, notFound, ProblemError, unprocessable } from '../../http/problem';
import type { AuthUser } from '../auth/types';
import { requireOnQueue } from '../iam/permissions';
import type { TicketService } from './service';
import type { BulkBody, ListTicketsQuery } from './schemas';
import { unlessTaken } from '../../http/unique-conflict';

export class CollaborationService {
  constructor(
    private readonly em: EntityManager,
    private readonly tickets: TicketService,
  ) {}

  /** The caller's own views, then those shared with everyone on staff or with a group they belong to. */
  async listViews(user: AuthUser) {
    const em = this.em.fork();
    const myGroups = user.role === 'customer' ? [] : (await em.find(GroupMember, { userId: user.id })).map((m) => m.groupKey);
    const shared = user.role === 'customer' ? [] : [{ sharedWith: 'everyone' }, { sharedWith: 'group', groupKey: { $in: myGroups } }];
    const views = await em.find(SavedView, { $or: [{ userId: user.id }, ...shared] }, { orderBy: [{ [raw((a) => `(${a}.user_id = ?)`, [user.id])]: 'desc' }, { name: 'asc' }] });
    // Views of one name shared by several people follow their owners' names, in the database's collation too.
    const owners = await em.find(User, { id: { $in: [...new Set(views.map((v) => v.userId))] } }, { fields: ['name'], orderBy: { name: 'asc' } });
    const ownerRank = new Map(owners.map((o, i) => [o.id, i]));
    const sameName = (v: (typeof views)[number]) => `${v.userId === user.id}:${v.name}`;
    const firstOfName = new Map<string, number>();
    views.forEach((v, i) => firstOfName.set(sameName(v), firstOfName.get(sameName(v)) ?? i));
    const order = (v: (typeof views)[number]) => firstOfName.get(sameName(v))! * (owners.length + 1) + (ownerRank.get(v.userId) ?? owners.length);
    return views
      .sort((a, b) => order(a) - order(b))
      .map((v) => ({
        id: v.id,
        name: v.name,
        query: v.query,
        createdAt: v.createdAt,
        sharedWith: v.sharedWith,
        group: v.groupKey ?? null,
        owner: { id: v.userId, name: owners[ownerRank.get(v.userId)!]!.name },
        mine: v.userId === user.id,
      }));
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
      const em = this.em.fork();
      if (!(await em.count(Group, { key: share.group }))) throw unprocessable(`unknown group '${share.group}'`, [{ pointer: '/group', message: 'unknown group' }], 'unknown-group');
      if (user.role !== 'admin' && !(await em.count(GroupMember, { groupKey: share.group, userId: user.id }))) throw forbidden(`you are not in group '${share.group}'`);
    }
    const id = randomUUID();
    await unlessTaken(this.em.fork().insert(SavedView, { id, userId: user.id, name, query, sharedWith, groupKey: share.group ?? null }), () =>
      conflict(`you already have a view named ${name}`, 'view-exists'),
    );
    return { id, name, query, sharedWith, group: share.group ?? null, mine: true };
  }

  /** Only its owner (or an admin, for a shared one) deletes a view; others' views are not there to delete. */
  async deleteView(user: AuthUser, id: string) {
    const deletable = user.role === 'admin' ? { $or: [{ userId: user.id }, { sharedWith: { $ne: 'me' } }] } : { userId: user.id };
    if (!(await this.em.fork().nativeDelete(SavedView, { id, ...deletable }))) throw notFound(`no view ${id}`);
  }

  /** Customers see who watches by name only: staff and colleagues' addresses are not theirs to collect. */
  async watchers(user: AuthUser, ticketId: string) {
    await this.tickets.get(user, ticketId);
    const em = this.em.fork();
    const watching = await em.find(TicketWatcher, { ticketId });
    const rows = (await em.find(User, { id: { $in: watching.map((w) => w.userId) } }, { fields: ['name', 'email'], orderBy: { name: 'asc' } })).map((u) => ({ id: u.id, name: u.name, email: u.email }));
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
    if (watching) await this.em.fork().createQueryBuilder(TicketWatcher).insert({ ticketId, userId }).onConflict(['ticketId', 'userId']).ignore().execute();
    else await this.em.fork().nativeDelete(TicketWatcher, { ticketId, userId });
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
