// Macros: canned replies with variables plus actions (fields, priority, tags, assignment, transition), shared by admins or an
// agent's own; applied to one ticket or many, each ticket all-or-nothing through its workflow's applyMacro update.
import { randomUUID } from 'node:crypto';
import { raw, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Macro as MacroEntity, User } from '../../../platform/db/entities/index';
import { conflict, forbidden, notFound, ProblemError, unprocessable } from '../../http/problem';
import type { AuthUser } from '../auth/types';
import { requireStaff } from '../auth/policy';
import type { MacroParts, TicketService } from '../tickets/service';
import type { TicketView } from '../tickets/present';
import { renderMarkdown } from '../tickets/markdown';
import { checkedTags } from '../tickets/tags';
import { fillVariables, unknownVariables, type MacroContext } from './variables';
import type { ApplyBody, MacroBody } from './schemas';
import { unlessTaken } from '../../http/unique-conflict';

type Actions = Omit<MacroBody, 'name' | 'shared'>;

export interface Macro extends Actions {
  id: string;
  name: string;
  shared: boolean;
  mine: boolean;
  owner: { id: string; name: string } | null;
  updatedAt: string;
}

type Row = InferEntity<typeof MacroEntity>;

/** What the caller may see: the shared macros and their own. */
const visibleTo = (user: AuthUser) => ({ $or: [{ ownerId: null }, { ownerId: user.id }] });

/** The stored actions (the JSON column is untyped on the entity; `checked` wrote it). */
const actionsOf = (row: Row) => row.body as Actions;

export class MacroService {
  constructor(
    private readonly em: EntityManager,
    private readonly tickets: TicketService,
  ) {}

  /** The shared macros and the caller's own, by name. */
  async list(user: AuthUser): Promise<Macro[]> {
    requireStaff(user, 'macros are for agents and admins');
    const em = this.em.fork();
    // lower(): names are unique whatever the case, so they sort that way too, in the database's collation.
    const rows = await em.find(MacroEntity, visibleTo(user), { orderBy: [{ [raw((alias) => `lower(${alias}.name)`)]: 'asc' }, { ownerId: 'asc nulls first' }] });
    const owners = await this.ownerNames(em, rows);
    return rows.map((r) => this.present(r, owners, user));
  }

  async create(user: AuthUser, body: MacroBody): Promise<Macro> {
    requireStaff(user, 'macros are for agents and admins');
    if (body.shared && user.role !== 'admin') throw forbidden('only admins share macros with every agent');
    const actions = checked(body);
    const id = randomUUID();
    const em = this.em.fork();
    em.create(MacroEntity, { id, ownerId: body.shared ? null : user.id, name: body.name.trim(), body: actions });
    await unlessTaken(em.flush(), () => conflict(`${body.shared ? 'a shared macro' : 'one of your macros'} is already named ${body.name.trim()}`, 'macro-exists'));
    return this.get(user, id);
  }

  /** Replaces a macro: its owner's, or a shared one for admins (who may also share or unshare their own). */
  async update(user: AuthUser, id: string, body: MacroBody): Promise<Macro> {
    const current = await this.changeable(user, id);
    if (body.shared && user.role !== 'admin') throw forbidden('only admins share macros with every agent');
    const actions = checked(body);
    const owner = body.shared ? null : (current.ownerId ?? user.id);
    await unlessTaken(
      // now(): the database's clock, as created_at's default, not this process's.
      this.em.fork().nativeUpdate(MacroEntity, { id }, { name: body.name.trim(), ownerId: owner, body: actions, updatedAt: raw('now()') }),
      () => conflict(`another macro is already named ${body.name.trim()}`, 'macro-exists'),
    );
    return this.get(user, id);
  }

  async remove(user: AuthUser, id: string): Promise<void> {
    await this.changeable(user, id);
    await this.em.fork().nativeDelete(MacroEntity, { id });
  }

  async get(user: AuthUser, id: string): Promise<Macro> {
    const row = await this.usable(user, id);
    return this.present(row, await this.ownerNames(this.em.fork(), [row]), user);
  }

  /**
   * What the macro would do to one ticket, without doing it: the reply as the requester would read it, and each action.
   * `problems` names what the ticket would refuse that can be known beforehand (a transition not offered from its state).
   */
  async preview(user: AuthUser, id: string, ticketId: string) {
    const row = await this.usable(user, id);
    const m = actionsOf(row);
    const ticket = await this.tickets.get(user, ticketId);
    const parts = await this.parts(user, row, ticket);
    const offered = m.transition ? await this.tickets.transitions(user, ticketId) : [];
    const transition = m.transition ? (offered.find((t) => t.name === m.transition) ?? null) : null;
    const problems: Array<{ part: string; message: string }> = [];
    if (m.transition && !transition) problems.push({ part: 'transition', message: `'${m.transition}' cannot be taken from ${ticket.stateLabel?.en ?? ticket.state} on ${ticket.number}` });
    return {
      ticket: { id: ticket.id, number: ticket.number },
      reply: parts.comment ? { ...parts.comment, html: renderMarkdown(parts.comment.body), locale: parts.locale } : null,
      priority: m.priority ?? null,
      fields: m.fields ?? {},
      addTags: m.addTags ?? [],
      removeTags: m.removeTags ?? [],
      assignTo: parts.assigneeId === undefined ? null : { id: parts.assigneeId, name: parts.assigneeId === null ? null : parts.assigneeId === user.id ? user.name : await this.nameOf(parts.assigneeId) },
      transition: m.transition ? { name: m.transition, label: transition?.label ?? null, requiresTimeSpent: transition?.requiresTimeSpent ?? false } : null,
      problems,
    };
  }

  /** Applies the macro to each ticket; each reports its own outcome, and a refused ticket is left exactly as it was. */
  async apply(user: AuthUser, id: string, body: ApplyBody) {
    const row = await this.usable(user, id);
    const results = [];
    for (const ticketId of body.ids) {
      try {
        const ticket = await this.tickets.get(user, ticketId);
        try {
          const { locale: _l, ...parts } = await this.parts(user, row, ticket);
          const done = await this.tickets.applyMacro(user, ticketId, { ...parts, ...(body.timeSpent !== undefined ? { timeSpent: body.timeSpent } : {}) });
          results.push({ id: ticketId, number: ticket.number, ok: true, status: 200, state: done.state, priority: done.priority, assigneeId: done.assigneeId, tags: done.tags });
        } catch (err) {
          if (!(err instanceof ProblemError)) throw err;
          const problem = err.toJSON();
          results.push({ id: ticketId, number: ticket.number, ok: false, status: err.status, problem: { ...problem, detail: `${ticket.number}: ${problem.detail ?? problem.title}` } });
        }
      } catch (err) {
        if (!(err instanceof ProblemError)) throw err;
        results.push({ id: ticketId, number: null, ok: false, status: err.status, problem: err.toJSON() });
      }
    }
    return { results, succeeded: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).length };
  }

  /** The macro as one ticket's workflow receives it: the reply filled in and in the requester's language. */
  private async parts(user: AuthUser, row: Row, ticket: TicketView): Promise<MacroParts & { locale: 'en' | 'fr' }> {
    const m = actionsOf(row);
    const requester = await this.person(ticket.requesterId);
    const wanted: 'en' | 'fr' = requester?.locale === 'fr' ? 'fr' : 'en';
    const locale: 'en' | 'fr' = m.reply?.[wanted] ? wanted : wanted === 'fr' ? 'en' : 'fr';
    let comment: MacroParts['comment'];
    const source = m.reply?.[locale];
    if (source) {
      const context: MacroContext = {
        locale,
        ticket: { number: ticket.number, title: ticket.title, priority: ticket.priority, stateLabel: ticket.stateLabel ?? { en: ticket.state, fr: ticket.state }, fields: ticket.fields },
        requester: { name: requester?.name ?? '', email: requester?.email ?? '' },
        agent: { name: user.name, email: user.email },
      };
      const filled = fillVariables(source, context);
      if (!/\S/.test(filled)) throw unprocessable(`the macro's reply is empty for ${ticket.number} once its variables are filled in`, [{ pointer: `/reply/${locale}`, message: 'empty' }], 'empty-reply');
      comment = { body: filled, visibility: m.reply?.visibility ?? 'public' };
    }
    return {
      macro: { id: row.id, name: row.name },
      locale,
      ...(m.fields && Object.keys(m.fields).length ? { fields: m.fields } : {}),
      ...(m.priority ? { priority: m.priority } : {}),
      ...(m.addTags?.length || m.removeTags?.length ? { addTags: m.addTags ?? [], removeTags: m.removeTags ?? [] } : {}),
      ...(m.assignTo !== undefined ? { assigneeId: m.assignTo === 'me' ? user.id : m.assignTo === 'nobody' ? null : m.assignTo } : {}),
      ...(comment ? { comment } : {}),
      ...(m.transition ? { transition: m.transition } : {}),
    };
  }

  private async person(id: string) {
    return this.em.fork().findOne(User, { id }, { fields: ['name', 'email', 'locale'] });
  }

  private async nameOf(id: string): Promise<string | null> {
    return (await this.person(id))?.name ?? null;
  }

  /** A macro the caller may apply: shared, or theirs. Anyone else's is not there. */
  private async usable(user: AuthUser, id: string): Promise<Row> {
    requireStaff(user, 'macros are for agents and admins');
    const row = await this.em.fork().findOne(MacroEntity, { id, ...visibleTo(user) });
    if (!row) throw notFound(`no macro ${id}`);
    return row;
  }

  /** A macro the caller may change: theirs, or a shared one for admins. */
  private async changeable(user: AuthUser, id: string): Promise<Row> {
    const row = await this.usable(user, id);
    if (row.ownerId === null && user.role !== 'admin') throw forbidden('only admins change shared macros');
    return row;
  }

  /** Owners' names by id: the entity holds only the owner's id, so names come in a second read (skipped when all are shared). */
  private async ownerNames(em: EntityManager, rows: Row[]): Promise<Map<string, string>> {
    const ids = [...new Set(rows.flatMap((r) => (r.ownerId ? [r.ownerId] : [])))];
    if (!ids.length) return new Map();
    const users = await em.find(User, { id: { $in: ids } }, { fields: ['id', 'name'] });
    return new Map(users.map((u) => [u.id, u.name]));
  }

  private present(r: Row, owners: Map<string, string>, user: AuthUser): Macro {
    return {
      id: r.id,
      name: r.name,
      shared: r.ownerId === null,
      mine: r.ownerId === user.id,
      owner: r.ownerId ? { id: r.ownerId, name: owners.get(r.ownerId) ?? '' } : null,
      updatedAt: r.updatedAt.toISOString(),
      ...actionsOf(r),
    };
  }
}

/** The actions of a macro as stored, or a 422 naming what cannot work: no action at all, or a variable that does not exist. */
function checked(body: MacroBody): Actions {
  const { name: _n, shared: _s, ...actions } = body;
  const does = ['reply', 'priority', 'addTags', 'removeTags', 'assignTo', 'transition'].some((k) => actions[k as keyof Actions] !== undefined) || Object.keys(actions.fields ?? {}).length > 0;
  if (!does) throw unprocessable('a macro needs a reply or at least one action', [{ pointer: '', message: 'nothing to do' }], 'empty-macro');
  if (actions.reply && !actions.reply.en && !actions.reply.fr) throw unprocessable('the reply needs a text in English or French', [{ pointer: '/reply', message: 'no text' }], 'empty-macro');
  const errors = (['en', 'fr'] as const).flatMap((locale) =>
    unknownVariables(actions.reply?.[locale] ?? '').map((v) => ({ pointer: `/reply/${locale}`, message: `{{${v}}} is not a variable` })),
  );
  if (errors.length) throw unprocessable(errors.map((e) => e.message).join('; '), errors, 'unknown-variable');
  return {
    ...actions,
    ...(actions.addTags ? { addTags: checkedTags(actions.addTags, '/addTags', []) } : {}),
    ...(actions.removeTags ? { removeTags: checkedTags(actions.removeTags, '/removeTags', []) } : {}),
  };
}
