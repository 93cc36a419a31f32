// Ticket rules that are not the workflow's: who may see and change which ticket, and sending the changes to its workflow.
// Opening a ticket (opening.ts), its conversation (conversation.ts) and its links (links.ts) are parts of their own.
import type { Client } from '@temporalio/client';
import { lockedFields, type Priority } from '../../../workflow-definitions/index';
import {
  assignUpdate,
  checklistUpdate,
  fieldsUpdate,
  tagsUpdate,
  macroUpdate,
  priorityUpdate,
  ticketWorkflowId,
  transitionsQuery,
  transitionUpdate,
  type ChecklistItem,
} from '../../../workflows/ticket-messages';
import { ProblemError, forbidden, unprocessable } from '../../http/problem';
import { toProblem } from '../../temporal-errors';
import type { AuthUser } from '../auth/types';
import { canOnQueue, requireOnQueue } from '../iam/permissions';
import { iso } from '../../../platform/db/time';
import type { DefinitionService } from '../definitions/service';
import type { QueueService } from '../queues/service';
import type { DeskSettings } from '../settings/service';
import { checkedTags, normaliseTag } from './tags';
import { presentProjection, presentRow, type TicketView } from './present';
import { type Cursor, type TicketRepository } from './repository';
import { visibleTo } from './policy';
import { TicketConversation } from './conversation';
import { TicketLinks, type LinkRelation } from './links';
import type { OpeningOptions, TicketOpening } from './opening';
import { TicketReader } from './reader';
import { actorOf, idempotentUpdateId } from './workflow-calls';
import type { AssignBody, CommentBody, CreateTicketBody, ListTicketsQuery, PatchTicketBody, TransitionBody } from './schemas';

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.r === 'number' && typeof c.c === 'string' && !Number.isNaN(Date.parse(c.c)) && /^[0-9a-f-]{36}$/.test(c.i)) return c;
  } catch {
    // fall through to the error below
  }
  throw unprocessable('cursor is not one this API returned', [{ pointer: '/query/cursor', message: 'invalid cursor' }], 'invalid-cursor');
}

/** A macro for one ticket, filled in (reply in the requester's language): what `applyMacro` sends to its workflow. */
export interface MacroParts {
  macro: { id: string; name: string };
  fields?: Record<string, string | number | boolean>;
  priority?: Priority;
  addTags?: string[];
  removeTags?: string[];
  /** Absent: the assignee stays; null: unassigned. */
  assigneeId?: string | null;
  comment?: { body: string; visibility: 'public' | 'internal' };
  timeSpent?: number;
  transition?: string;
}

export class TicketService {
  constructor(
    private readonly repo: TicketRepository,
    private readonly defs: DefinitionService,
    private readonly queues: QueueService,
    private readonly temporal: Client,
    /** Opening tickets: its own part, with the task queue their workflows run on. */
    private readonly opening: TicketOpening,
    /** Desk settings that shape which tags agents use; without them, the defaults hold. */
    private readonly settings?: { get(): Promise<Pick<DeskSettings, 'allowedTags'>> },
  ) {
    this.reader = new TicketReader(repo, defs);
    this.conversation = new TicketConversation(repo, defs, temporal, this.reader);
    this.links = new TicketLinks(repo, temporal, this.reader);
  }

  private readonly reader: TicketReader;
  private readonly conversation: TicketConversation;
  private readonly links: TicketLinks;

  comment(user: AuthUser, id: string, body: CommentBody, idempotencyKey?: string): Promise<{ seq: number }> {
    return this.conversation.comment(user, id, body, idempotencyKey);
  }

  systemNote(id: string, body: string, key: string): Promise<{ seq: number }> {
    return this.conversation.systemNote(id, body, key);
  }

  editComment(user: AuthUser, id: string, seq: number, body: string): Promise<{ seq: number }> {
    return this.conversation.editComment(user, id, seq, body);
  }

  timeline(user: AuthUser, id: string) {
    return this.conversation.timeline(user, id);
  }

  link(user: AuthUser, id: string, otherId: string, relation: LinkRelation, unlink = false): Promise<TicketView> {
    return this.links.link(user, id, otherId, relation, unlink);
  }

  /**
   * `body.requesterId` (staff) or `onBehalfOf` (an inbound webhook's service account) makes another user the requester;
   * `opts`: see OpeningOptions.
   */
  async create(user: AuthUser, body: CreateTicketBody, idempotencyKey?: string, onBehalfOf?: AuthUser, opts: OpeningOptions = {}): Promise<{ ticket: TicketView; replayed: boolean }> {
    const { ticket, replayed } = await this.opening.open(user, body, idempotencyKey, onBehalfOf, opts);
    if (body.then && !replayed) {
      const moved = await this.transition(user, ticket.id, { transition: body.then.transition, fields: body.then.fields }, idempotencyKey ? `${idempotencyKey}:then` : undefined);
      return { ticket: moved, replayed };
    }
    return { ticket: await this.reader.labelled(user, ticket), replayed };
  }

  async get(user: AuthUser, id: string): Promise<TicketView> {
    return this.reader.labelled(user, presentRow(await this.reader.visibleRow(user, id)));
  }

  async list(user: AuthUser, q: ListTicketsQuery): Promise<{ items: TicketView[]; next: string | null }> {
    // Customers never see tags, so they may not sort their tickets by them either (it would tell which tags they carry).
    if (q.tag !== undefined && user.role === 'customer') throw forbidden('only agents filter by tag');
    if (q.tag !== undefined) q = { ...q, tag: normaliseTag(q.tag) };
    const limit = q.limit ? Number(q.limit) : 50;
    const after = q.cursor ? decodeCursor(q.cursor) : undefined;
    const { cursor: _c, limit: _l, ...filter } = q;
    const staff = user.role !== 'customer';
    const rows = await this.repo.list(filter, visibleTo(user), limit + 1, after, staff);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    // A ticket found by its conversation shows the comment that matched (customers number events their own way: no seq).
    const matches = q.q ? await this.repo.commentMatches(page.map((r) => r.id), q.q, staff) : new Map<string, { seq: number; snippet: string }>();
    const withMatch = (view: TicketView, id: string) => {
      const m = matches.get(id);
      return m ? { ...view, match: staff ? m : { snippet: m.snippet } } : view;
    };
    return {
      items: await Promise.all(page.map(async (r) => withMatch(await this.reader.labelled(user, presentRow(r)), r.id))),
      next: rows.length > limit && last ? encodeCursor({ r: last.priority_order, c: iso(last.created_at), i: last.id }) : null,
    };
  }

  /** The transitions the caller may take now; none when their role may not move tickets of this queue. */
  async transitions(user: AuthUser, id: string) {
    const row = await this.reader.visibleRow(user, id);
    if (!canOnQueue(user, 'transition', row.queue)) return [];
    try {
      return await this.temporal.workflow.getHandle(ticketWorkflowId(id)).query(transitionsQuery, user.role);
    } catch (err) {
      const problem = toProblem(err) ?? err;
      // A closed ticket whose workflow is gone (its history past the namespace's retention, or closed when imported)
      // simply offers nothing: the page shows it, it does not fail.
      if (problem instanceof ProblemError && problem.code === 'ticket-closed' && row.state_category === 'closed') return [];
      throw problem;
    }
  }

  async transition(user: AuthUser, id: string, body: TransitionBody, idempotencyKey?: string): Promise<TicketView> {
    const row = await this.reader.visibleRow(user, id);
    requireOnQueue(user, 'transition', row.queue);
    if (user.role === 'customer' && body.timeSpent !== undefined) throw forbidden('only agents record time spent');
    try {
      const projection = await this.temporal.workflow
        .getHandle(ticketWorkflowId(id))
        .executeUpdate(transitionUpdate, {
          args: [{ transition: body.transition, fields: body.fields ?? {}, ...(body.timeSpent !== undefined ? { timeSpent: body.timeSpent } : {}), actor: actorOf(user) }],
          updateId: idempotentUpdateId('transition', id, user.id, idempotencyKey),
        });
      return this.reader.labelled(user, presentProjection(projection));
    } catch (err) {
      throw toProblem(err) ?? err;
    }
  }

  /** A work order's mandatory checklist items still open, which its completion waits for (the maintenance module's checklist). */
  async setOpenChecks(user: AuthUser, id: string, open: ChecklistItem[]): Promise<void> {
    try {
      await this.temporal.workflow.getHandle(ticketWorkflowId(id)).executeUpdate(checklistUpdate, { args: [{ open, actor: actorOf(user) }] });
    } catch (err) {
      throw toProblem(err) ?? err;
    }
  }

  /** Priority (which re-targets the SLA clocks) and custom fields, each through its Workflow Update. */
  async patch(user: AuthUser, id: string, body: PatchTicketBody): Promise<TicketView> {
    requireOnQueue(user, 'edit', (await this.reader.visibleRow(user, id)).queue);
    if (body.priority !== undefined && user.role === 'customer') throw forbidden('only agents change the priority');
    const handle = this.temporal.workflow.getHandle(ticketWorkflowId(id));
    try {
      let latest = null;
      if (body.fields !== undefined) latest = await handle.executeUpdate(fieldsUpdate, { args: [{ fields: body.fields, actor: actorOf(user) }] });
      if (body.priority !== undefined) latest = await handle.executeUpdate(priorityUpdate, { args: [{ priority: body.priority as Priority, actor: actorOf(user) }] });
      return this.reader.labelled(user, presentProjection(latest!));
    } catch (err) {
      throw toProblem(err) ?? err;
    }
  }

  async assign(user: AuthUser, id: string, body: AssignBody): Promise<TicketView> {
    if (user.role === 'customer') throw forbidden('only agents assign tickets');
    requireOnQueue(user, 'assign', (await this.reader.visibleRow(user, id)).queue);
    // Moving a ticket is assigning it to the destination queue too.
    if (body.queue) requireOnQueue(user, 'assign', body.queue);
    if (body.assigneeId && !(await this.repo.isStaff(body.assigneeId))) {
      throw unprocessable('the assignee must be an active agent or admin', [{ pointer: '/assigneeId', message: 'not an agent' }], 'invalid-assignee');
    }
    if (body.queue && !(await this.queues.exists(body.queue))) {
      throw unprocessable(`unknown queue '${body.queue}'`, [{ pointer: '/queue', message: 'unknown queue' }], 'unknown-queue');
    }
    if (body.group && !(await this.repo.groupExists(body.group))) {
      throw unprocessable(`unknown group '${body.group}'`, [{ pointer: '/group', message: 'unknown group' }], 'unknown-group');
    }
    try {
      const p = await this.temporal.workflow
        .getHandle(ticketWorkflowId(id))
        .executeUpdate(assignUpdate, {
          args: [{ assigneeId: body.assigneeId, ...(body.queue !== undefined ? { queue: body.queue } : {}), ...(body.group !== undefined ? { group: body.group } : {}), actor: actorOf(user) }],
        });
      return this.reader.labelled(user, presentProjection(p));
    } catch (err) {
      throw toProblem(err) ?? err;
    }
  }

  /** Adds and removes tags (agents only; on the desk's managed list when it has one); the timeline records the change. */
  async setTags(user: AuthUser, id: string, body: { add?: string[]; remove?: string[] }): Promise<TicketView> {
    if (user.role === 'customer') throw forbidden('only agents tag tickets');
    requireOnQueue(user, 'edit', (await this.reader.visibleRow(user, id)).queue);
    const { add, remove } = await this.checkedTagChange(body.add, body.remove, { add: '/add', remove: '/remove' });
    try {
      const p = await this.temporal.workflow.getHandle(ticketWorkflowId(id)).executeUpdate(tagsUpdate, { args: [{ add, remove, actor: actorOf(user) }] });
      return this.reader.labelled(user, presentProjection(p));
    } catch (err) {
      throw toProblem(err) ?? err;
    }
  }

  /**
   * One macro on one ticket, as a single workflow update: the workflow checks every part before applying any, so a part it
   * refuses (a transition not allowed now) leaves the ticket unchanged. The rules of the separate paths hold here too.
   */
  async applyMacro(user: AuthUser, id: string, parts: MacroParts): Promise<TicketView> {
    if (user.role === 'customer') throw forbidden('only agents apply macros');
    const row = await this.reader.visibleRow(user, id);
    // A macro is each of its parts: the role must allow every one of them on this ticket's queue.
    if (parts.comment) requireOnQueue(user, parts.comment.visibility === 'internal' ? 'note' : 'reply', row.queue);
    if (parts.transition) requireOnQueue(user, 'transition', row.queue);
    if (parts.assigneeId !== undefined) requireOnQueue(user, 'assign', row.queue);
    if (parts.fields || parts.priority || parts.addTags?.length || parts.removeTags?.length) requireOnQueue(user, 'edit', row.queue);
    const { add, remove } = await this.checkedTagChange(parts.addTags, parts.removeTags, { add: '/addTags', remove: '/removeTags' });
    if (parts.assigneeId && !(await this.repo.isStaff(parts.assigneeId))) {
      throw unprocessable('the macro assigns to someone who is no longer an active agent', [{ pointer: '/assignTo', message: 'not an agent' }], 'invalid-assignee');
    }
    if (parts.timeSpent !== undefined && !parts.comment && !parts.transition) {
      throw unprocessable('time is recorded with a reply or a transition, and this macro has neither', [{ pointer: '/timeSpent', message: 'nothing to record it with' }], 'time-without-work');
    }
    try {
      const p = await this.temporal.workflow.getHandle(ticketWorkflowId(id)).executeUpdate(macroUpdate, {
        args: [
          {
            macro: parts.macro,
            ...(parts.fields ? { fields: parts.fields } : {}),
            ...(parts.priority ? { priority: parts.priority } : {}),
            ...(add.length || remove.length ? { tags: { add, remove } } : {}),
            ...(parts.assigneeId !== undefined ? { assign: { assigneeId: parts.assigneeId } } : {}),
            ...(parts.comment ? { comment: parts.comment } : {}),
            ...(parts.timeSpent !== undefined ? { timeSpent: parts.timeSpent } : {}),
            ...(parts.transition ? { transition: parts.transition } : {}),
            actor: actorOf(user),
          },
        ],
      });
      return this.reader.labelled(user, presentProjection(p));
    } catch (err) {
      throw toProblem(err) ?? err;
    }
  }

  /** Tags to add (on the desk's managed list when it has one) and to remove, normalised, or a 422 pointing at the bad ones. */
  private async checkedTagChange(add: string[] = [], remove: string[] = [], pointers: { add: string; remove: string }) {
    const allowed = (await this.settings?.get())?.allowedTags ?? [];
    // A tag taken off the managed list can still be removed from the tickets that carry it.
    return { add: checkedTags(add, pointers.add, allowed), remove: checkedTags(remove, pointers.remove, []) };
  }

  /** Tags for an agent's autocomplete: the managed list when there is one, else those in use on tickets they may see. */
  async tags(user: AuthUser, prefix: string | undefined, limit: number): Promise<Array<{ tag: string; tickets: number }>> {
    if (user.role === 'customer') throw forbidden('only agents see tags');
    const start = prefix ? normaliseTag(prefix) : undefined;
    const inUse = await this.repo.tagsInUse(visibleTo(user), start, limit);
    const allowed = (await this.settings?.get())?.allowedTags ?? [];
    if (!allowed.length) return inUse;
    const counts = new Map(inUse.map((t) => [t.tag, t.tickets]));
    return allowed.filter((tag) => !start || tag.startsWith(start)).slice(0, limit).map((tag) => ({ tag, tickets: counts.get(tag) ?? 0 }));
  }

  /**
   * The definition's fields of a ticket as the caller may use them: label, schema, value and whether they may change it
   * (the same per-field rule every write path applies). Customers see only the fields they may edit.
   */
  async fields(user: AuthUser, id: string) {
    const row = await this.reader.visibleRow(user, id);
    const def = (await this.defs.get(row.definition_key, row.definition_version)).body;
    const values = (row.fields ?? {}) as Record<string, unknown>;
    // Staff whose role may not edit tickets of this queue see the fields as they are.
    const mayEdit = canOnQueue(user, 'edit', row.queue);
    return (def.fields ?? [])
      .map((f) => ({ name: f.name, label: f.label, schema: f.schema, value: values[f.name] ?? null, editable: mayEdit && lockedFields(def, user.role, { [f.name]: null }).length === 0 }))
      .filter((f) => user.role !== 'customer' || f.editable);
  }

  /** What the ticket page shows beside the conversation: how it came in and the requester's other tickets the caller may see. */
  async context(user: AuthUser, id: string) {
    const row = await this.reader.visibleRow(user, id);
    const [channel, others, assignees, slaPolicy] = await Promise.all([
      this.repo.channel(id),
      this.repo.requesterTickets(row.requester_id, id, visibleTo(user), 10),
      this.repo.staffWhoSee(id),
      this.repo.slaPolicy(id),
    ]);
    return { ticket: presentRow(row), channel, assignees, slaPolicy, otherTickets: await Promise.all(others.map((r) => this.reader.labelled(user, presentRow(r)))) };
  }

  async userById(id: string): Promise<AuthUser | null> {
    return this.repo.userById(id);
  }

}
