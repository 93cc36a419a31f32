// Ticket rules that are not the workflow's: who may create and see what, numbering, idempotent creation, and sending updates to the ticket's workflow.
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';
import { fieldErrors, initialState, lockedFields, refuseTransition, type Priority } from '../../../workflow-definitions/index';
import {
  assignUpdate,
  checklistUpdate,
  commentUpdate,
  editCommentUpdate,
  fieldsUpdate,
  tagsUpdate,
  macroUpdate,
  absorbUpdate,
  priorityUpdate,
  linkUpdate,
  unlinkUpdate,
  ticketWorkflowId,
  transitionsQuery,
  transitionUpdate,
  TICKET_WORKFLOW,
  type Actor,
  type ChecklistItem,
  type TicketProjection,
  type TicketWorkflowInput,
  type TicketLink,
} from '../../../workflows/ticket-messages';
import type { ticketWorkflow } from '../../../workflows/ticket';
import { initialProjection } from '../../../workflows/ticket-initial';
import { ProblemError, conflict, forbidden, notFound, unprocessable } from '../../http/problem';
import { toProblem } from '../../temporal-errors';
import type { AuthUser } from '../auth/types';
import { canOnQueue, requireOnQueue } from '../iam/permissions';
import type { Logger } from '../../../platform/logger';
import { iso } from '../../../platform/db/time';
import type { DefinitionService } from '../definitions/service';
import type { QueueService } from '../queues/service';
import type { DeskSettings } from '../settings/service';
import { checkedTags, normaliseTag } from './tags';
import { MAX_SEQ } from './schemas';
import { presentEvent, presentProjection, presentRow, type TicketView } from './present';
import { type Cursor, type TicketRepository, type TicketRow } from './repository';
import { visibleTo } from './policy';
import { presentTimeline } from './timeline';
import type { AssignBody, CommentBody, CreateTicketBody, ListTicketsQuery, PatchTicketBody, TransitionBody } from './schemas';

const TICKET_TYPE = defineSearchAttributeKey('GuichetTicketType', SearchAttributeType.KEYWORD);
const DEFINITION = defineSearchAttributeKey('GuichetDefinition', SearchAttributeType.KEYWORD);
const NUMBER = defineSearchAttributeKey('GuichetTicketNumber', SearchAttributeType.KEYWORD);

/** Request types a customer may open from the portal. */
const CUSTOMER_TYPES = new Set(['incident', 'service_request']);
/** How long creation waits for Temporal to accept the start before answering 503. */
const CREATE_WAIT_MS = 5000;

/** The same caller and Idempotency-Key always name the same ticket id (a name-based UUID), so a retry finds the first ticket. */
export function idempotentTicketId(userId: string, key: string): string {
  return nameUuid(`guichet-ticket:${userId}:${key}`);
}

/**
 * A command repeated with the same caller and Idempotency-Key is the same Temporal Update: the server runs it once,
 * and every copy (a retry, or one sent at the same time) gets the first one's answer.
 */
export function idempotentUpdateId(kind: string, ticketId: string, userId: string, key: string | undefined): string | undefined {
  return key === undefined ? undefined : `${kind}-${nameUuid(`guichet-${kind}:${ticketId}:${userId}:${key}`)}`;
}

function nameUuid(name: string): string {
  const h = createHash('sha256').update(name).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const actorOf = (user: AuthUser): Actor => ({ id: user.id, role: user.role });

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

/** problem: a problem and an incident; child: ticketId becomes a child of this ticket; related: both ways; duplicate: this ticket merges into ticketId. */
export type LinkRelation = 'problem' | 'child' | 'related' | 'duplicate';

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
    private readonly taskQueue: string,
    private readonly log?: Logger,
    /** Desk settings that shape what customers may ask for and which tags agents use; without them, the defaults hold. */
    private readonly settings?: { get(): Promise<Pick<DeskSettings, 'customersMayChooseCritical' | 'allowedTags'>> },
  ) {}

  /**
   * `body.requesterId` (staff) or `onBehalfOf` (an inbound webhook's service account) makes another user the requester;
   * `operatorPriority`: the priority is the operator's configuration (mail intake), not the customer's choice.
   */
  async create(user: AuthUser, body: CreateTicketBody, idempotencyKey?: string, onBehalfOf?: AuthUser, opts: { operatorPriority?: boolean } = {}): Promise<{ ticket: TicketView; replayed: boolean }> {
    if (user.role === 'customer' && body.requesterId && body.requesterId !== user.id) throw forbidden('customers open tickets for themselves only');
    const requester = body.requesterId && body.requesterId !== user.id ? await this.requester(body.requesterId) : onBehalfOf && user.role !== 'customer' ? onBehalfOf : user;
    if (user.role === 'customer' && !CUSTOMER_TYPES.has(body.type)) throw forbidden(`customers cannot open ${body.type} tickets`);
    if (user.role === 'customer' && body.priority === 'critical' && !opts.operatorPriority && !(await this.settings?.get())?.customersMayChooseCritical) {
      throw unprocessable('customers file tickets at high priority at most on this desk; an agent raises it when it is critical', [{ pointer: '/priority', message: 'critical is for agents to set' }], 'priority-not-allowed');
    }
    const stored = await this.defs.forType(body.type);
    if (!stored) throw unprocessable(`no published workflow definition serves '${body.type}'`, [{ pointer: '/type', message: 'no definition' }]);
    const def = stored.body;
    const fields = body.fields ?? {};
    const errors = fieldErrors(def, fields);
    for (const name of lockedFields(def, user.role, fields)) errors.push({ pointer: `/fields/${name}`, message: `${name} is set by agents only` });
    for (const f of def.fields ?? []) {
      if (f.requiredOnCreate && (fields[f.name] === undefined || fields[f.name] === '')) errors.push({ pointer: `/fields/${f.name}`, message: `${f.name} is required` });
    }
    if (errors.length) throw unprocessable(errors.map((e) => e.message).join('; '), errors, 'invalid-fields');
    // A ticket that is to move on at once is checked against that transition before it exists: refused, nothing is created.
    if (body.then) {
      const now = Date.now();
      const refusal = refuseTransition(def, { state: initialState(def).name, role: user.role, fields, enteredStateAt: now, now }, body.then.transition, body.then.fields ?? {});
      if (refusal) {
        const pointed = (refusal.errors ?? []).map((e) => ({ ...e, pointer: `/then${e.pointer}` }));
        throw refusal.kind === 'invalid' ? unprocessable(refusal.message, pointed, refusal.code) : new ProblemError(409, refusal.code, 'Conflict', refusal.message, pointed);
      }
    }

    const id = idempotencyKey ? idempotentTicketId(user.id, idempotencyKey) : randomUUID();
    const number = `${def.numberPrefix}-${String(await this.repo.nextNumber()).padStart(6, '0')}`;
    const input: TicketWorkflowInput = {
      ticket: {
        id,
        number,
        type: body.type,
        title: body.title.trim(),
        description: body.description ?? '',
        priority: body.priority as Priority,
        requesterId: requester.id,
        queue: await this.queues.route({ type: body.type, priority: body.priority, organisationId: requester.organisationId, fields }, def.defaultQueue ?? null),
        fields,
        createdAt: new Date().toISOString(),
        createdBy: actorOf(user),
        organisationId: requester.role === 'customer' ? requester.organisationId : null,
      },
      definition: def,
      definitionVersion: stored.version,
    };
    // Creation answers once the start is durable in Temporal and the row is in the read model, without waiting for a
    // worker to run the workflow's first task (the longest part of an update-with-start on a busy machine). The answer
    // is the ticket as the workflow starts it (ticket-initial.ts); the workflow's own first write follows within
    // milliseconds and carries the `created` event.
    try {
      await this.temporal.connection.withDeadline(Date.now() + CREATE_WAIT_MS, () =>
        this.temporal.workflow.start<typeof ticketWorkflow>(TICKET_WORKFLOW, {
          workflowId: ticketWorkflowId(id),
          taskQueue: this.taskQueue,
          args: [input],
          // The id is the caller's idempotency key (or random): a ticket already there is this request's earlier attempt.
          workflowIdConflictPolicy: 'FAIL',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: new TypedSearchAttributes([
            { key: TICKET_TYPE, value: body.type },
            { key: DEFINITION, value: `${def.key}@${stored.version}` },
            { key: NUMBER, value: number },
          ]),
        }),
      );
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return { ticket: await this.labelled(user, await this.alreadyOpened(id)), replayed: true };
      throw toProblem(err) ?? err;
    }
    const opened = await this.recordOpened(initialProjection(input, Date.now()));
    await this.repo.setChannel(id, body.channel ?? (user.via === 'token' ? 'api' : user.role === 'customer' ? 'portal' : 'other'));
    if (body.then) {
      const moved = await this.transition(user, id, { transition: body.then.transition, fields: body.then.fields }, idempotencyKey ? `${idempotencyKey}:then` : undefined);
      return { ticket: moved, replayed: false };
    }
    return { ticket: await this.labelled(user, opened), replayed: false };
  }

  /** Whom staff may open a ticket for: any active person, never a disabled account or a service account. */
  private async requester(id: string): Promise<Pick<AuthUser, 'id' | 'role' | 'organisationId'>> {
    const found = await this.repo.requester(id);
    if (!found) throw unprocessable(`no active user ${id} to open this ticket for`, [{ pointer: '/requesterId', message: 'unknown, disabled or a service account' }], 'unknown-requester');
    return found;
  }

  /** Writes the just-started ticket's row; if the workflow wrote first, its row is the answer. */
  private async recordOpened(opened: TicketProjection): Promise<TicketView> {
    try {
      if (await this.repo.insertOpened(opened)) return presentProjection(opened);
      const row = await this.repo.find(opened.id);
      if (row) return presentRow(row);
    } catch (err) {
      // The ticket is durable in Temporal and its workflow keeps retrying its own write until the database is back.
      this.log?.warn({ err, ticketId: opened.id }, 'ticket opened; its read-model row waits for the database');
    }
    return presentProjection(opened);
  }

  /** A retried creation: the ticket from the read model, or else from the input its workflow was started with. */
  private async alreadyOpened(id: string): Promise<TicketView> {
    const row = await this.repo.find(id);
    if (row) return presentRow(row);
    const handle = this.temporal.workflow.getHandle(ticketWorkflowId(id));
    try {
      const history = await handle.fetchHistory();
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      if (!started) throw new Error(`ticket ${id}: no start event in its history`);
      const input = this.temporal.options.loadedDataConverter.payloadConverter.fromPayload<TicketWorkflowInput>(started);
      return await this.recordOpened(initialProjection(input, Date.now()));
    } catch (err) {
      throw toProblem(err) ?? err;
    }
  }

  async get(user: AuthUser, id: string): Promise<TicketView> {
    return this.labelled(user, presentRow(await this.visibleRow(user, id)));
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
      items: await Promise.all(page.map(async (r) => withMatch(await this.labelled(user, presentRow(r)), r.id))),
      next: rows.length > limit && last ? encodeCursor({ r: last.priority_order, c: iso(last.created_at), i: last.id }) : null,
    };
  }

  /** The transitions the caller may take now; none when their role may not move tickets of this queue. */
  async transitions(user: AuthUser, id: string) {
    const row = await this.visibleRow(user, id);
    if (!canOnQueue(user, 'transition', row.queue)) return [];
    try {
      return await this.temporal.workflow.getHandle(ticketWorkflowId(id)).query(transitionsQuery, user.role);
    } catch (err) {
      throw toProblem(err) ?? err;
    }
  }

  async transition(user: AuthUser, id: string, body: TransitionBody, idempotencyKey?: string): Promise<TicketView> {
    const row = await this.visibleRow(user, id);
    requireOnQueue(user, 'transition', row.queue);
    if (user.role === 'customer' && body.timeSpent !== undefined) throw forbidden('only agents record time spent');
    try {
      const projection = await this.temporal.workflow
        .getHandle(ticketWorkflowId(id))
        .executeUpdate(transitionUpdate, {
          args: [{ transition: body.transition, fields: body.fields ?? {}, ...(body.timeSpent !== undefined ? { timeSpent: body.timeSpent } : {}), actor: actorOf(user) }],
          updateId: idempotentUpdateId('transition', id, user.id, idempotencyKey),
        });
      return this.labelled(user, presentProjection(projection));
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
    requireOnQueue(user, 'edit', (await this.visibleRow(user, id)).queue);
    if (body.priority !== undefined && user.role === 'customer') throw forbidden('only agents change the priority');
    const handle = this.temporal.workflow.getHandle(ticketWorkflowId(id));
    try {
      let latest = null;
      if (body.fields !== undefined) latest = await handle.executeUpdate(fieldsUpdate, { args: [{ fields: body.fields, actor: actorOf(user) }] });
      if (body.priority !== undefined) latest = await handle.executeUpdate(priorityUpdate, { args: [{ priority: body.priority as Priority, actor: actorOf(user) }] });
      return this.labelled(user, presentProjection(latest!));
    } catch (err) {
      throw toProblem(err) ?? err;
    }
  }

  async assign(user: AuthUser, id: string, body: AssignBody): Promise<TicketView> {
    if (user.role === 'customer') throw forbidden('only agents assign tickets');
    requireOnQueue(user, 'assign', (await this.visibleRow(user, id)).queue);
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
      return this.labelled(user, presentProjection(p));
    } catch (err) {
      throw toProblem(err) ?? err;
    }
  }

  /** Adds and removes tags (agents only; on the desk's managed list when it has one); the timeline records the change. */
  async setTags(user: AuthUser, id: string, body: { add?: string[]; remove?: string[] }): Promise<TicketView> {
    if (user.role === 'customer') throw forbidden('only agents tag tickets');
    requireOnQueue(user, 'edit', (await this.visibleRow(user, id)).queue);
    const { add, remove } = await this.checkedTagChange(body.add, body.remove, { add: '/add', remove: '/remove' });
    try {
      const p = await this.temporal.workflow.getHandle(ticketWorkflowId(id)).executeUpdate(tagsUpdate, { args: [{ add, remove, actor: actorOf(user) }] });
      return this.labelled(user, presentProjection(p));
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
    const row = await this.visibleRow(user, id);
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
      return this.labelled(user, presentProjection(p));
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

  async comment(user: AuthUser, id: string, body: CommentBody, idempotencyKey?: string): Promise<{ seq: number }> {
    requireOnQueue(user, body.visibility === 'internal' ? 'note' : 'reply', (await this.visibleRow(user, id)).queue);
    if (user.role === 'customer' && body.visibility === 'internal') throw forbidden('customers can only write public comments');
    if (user.role === 'customer' && body.timeSpent !== undefined) throw forbidden('only agents record time spent');
    if (body.ifSeenSeq !== undefined) await this.refuseIfMissed(user, id, body.ifSeenSeq);
    let done: { seq: number };
    try {
      done = await this.temporal.workflow
        .getHandle(ticketWorkflowId(id))
        .executeUpdate(commentUpdate, {
          args: [{ body: body.body, visibility: body.visibility ?? 'public', ...(body.timeSpent !== undefined ? { timeSpent: body.timeSpent } : {}), actor: actorOf(user) }],
          updateId: idempotentUpdateId('comment', id, user.id, idempotencyKey),
        });
    } catch (err) {
      throw toProblem(err) ?? err;
    }
    return user.role === 'customer' ? { seq: await this.publicNumber(id, done.seq) } : done;
  }

  /** So no one answers a customer twice without knowing: a reply or state change the writer has not seen stops the comment. */
  private async refuseIfMissed(user: AuthUser, id: string, seenSeq: number): Promise<void> {
    const customer = user.role === 'customer';
    // Customers count the events they see 1, 2, 3…; their n-th is the n-th public event.
    // Beyond the last one they see means after every event: nothing missed.
    const realSeq = customer ? ((await this.publicSeqs(id))[seenSeq - 1] ?? MAX_SEQ) : seenSeq;
    const missed = await this.repo.changesSince(id, seenSeq === 0 ? 0 : realSeq, user.id, !customer);
    if (!missed.length) return;
    const what = missed.map((e) => `${e.type === 'commented' ? 'a reply' : 'a state change'} from ${e.actor_name ?? 'the desk'}`);
    throw conflict(`since you last read this ticket there ${missed.length === 1 ? 'is' : 'are'} ${what.join(', ')}: read ${missed.length === 1 ? 'it' : 'them'}, then send again`, 'ticket-changed');
  }

  /**
   * Links two tickets both ways: a problem and an incident (the problem tells its incidents when it is resolved),
   * or a parent and a child (the parent cannot finish before its children).
   */
  async link(user: AuthUser, id: string, otherId: string, relation: LinkRelation, unlink = false): Promise<TicketView> {
    if (user.role === 'customer') throw forbidden('only agents link tickets');
    const [a, b] = await Promise.all([this.visibleRow(user, id), this.visibleRow(user, otherId)]);
    requireOnQueue(user, 'edit', a.queue);
    requireOnQueue(user, 'edit', b.queue);
    let first: { row: typeof a; link: TicketLink };
    let second: { row: typeof a; link: TicketLink };
    if (a.id === b.id) throw unprocessable('a ticket cannot be linked to itself', [{ pointer: '/ticketId', message: 'same ticket' }], 'invalid-link');
    if (relation === 'related') {
      first = { row: a, link: { kind: 'related', ticketId: b.id, number: b.number } };
      second = { row: b, link: { kind: 'related', ticketId: a.id, number: a.number } };
    } else if (relation === 'duplicate') {
      // The original records the duplicate first; the duplicate then merges (closes) itself into it.
      if (unlink) throw conflict('a merge cannot be undone; reopen the duplicate instead', 'merge-final');
      // One level only: a ticket merged elsewhere is closed, and a chain could lead back to the duplicate.
      const onward = b.links.find((l) => l.kind === 'duplicate_of');
      if (onward) throw conflict(`${b.number} is itself merged into ${onward.number}: merge into ${onward.number} instead`, 'merge-chain');
      const absorbed = a.links.find((l) => l.kind === 'duplicated_by' && l.ticketId === b.id);
      if (absorbed) throw conflict(`${b.number} was merged into ${a.number}: the merge cannot go back`, 'merge-chain');
      first = { row: b, link: { kind: 'duplicated_by', ticketId: a.id, number: a.number } };
      second = { row: a, link: { kind: 'duplicate_of', ticketId: b.id, number: b.number } };
    } else if (relation === 'child') {
      if (!unlink && (b.state_category === 'resolved' || b.state_category === 'closed')) throw conflict(`${b.number} is already ${b.state}`, 'ticket-finished');
      first = { row: a, link: { kind: 'child', ticketId: b.id, number: b.number } };
      second = { row: b, link: { kind: 'parent', ticketId: a.id, number: a.number } };
    } else {
      const problem = a.type === 'problem' ? a : b.type === 'problem' ? b : null;
      const incident = a.type === 'incident' ? a : b.type === 'incident' ? b : null;
      if (!problem || !incident) {
        throw unprocessable('problem links join a problem and an incident', [{ pointer: '/ticketId', message: `cannot link a ${a.type} to a ${b.type}` }], 'invalid-link');
      }
      first = { row: problem, link: { kind: 'incident', ticketId: incident.id, number: incident.number } };
      second = { row: incident, link: { kind: 'problem', ticketId: problem.id, number: problem.number } };
    }
    const update = unlink ? unlinkUpdate : linkUpdate;
    const actor = actorOf(user);
    const handle = (row: typeof a) => this.temporal.workflow.getHandle(ticketWorkflowId(row.id));
    try {
      const one = await handle(first.row).executeUpdate(update, { args: [{ link: first.link, actor }] });
      try {
        const two = await handle(second.row).executeUpdate(update, { args: [{ link: second.link, actor }] });
        if (relation === 'duplicate' && !unlink) await this.absorb(user, a, b);
        return this.labelled(user, presentProjection(first.row.id === a.id ? one : two));
      } catch (err) {
        // Keep both sides consistent: undo the first half when the second ticket refuses.
        await handle(first.row)
          .executeUpdate(unlink ? linkUpdate : unlinkUpdate, { args: [{ link: first.link, actor }] })
          .catch(() => undefined);
        throw err;
      }
    } catch (err) {
      throw toProblem(err) ?? err;
    }
  }

  /** Copies the duplicate's conversation into the survivor (once, however often retried) and moves its files and followers. */
  private async absorb(user: AuthUser, duplicate: TicketRow, survivor: TicketRow): Promise<void> {
    const events = await this.repo.timeline(duplicate.id, true);
    const latest = new Map<number, string>();
    for (const e of events) if (e.type === 'comment_edited') latest.set(Number(e.data.seq), String(e.data.body));
    // A Temporal payload has a size limit: the first comments up to about 1.5 MB come over; the rest stay readable on the duplicate.
    let size = 0;
    const comments = events
      .filter((e) => e.type === 'commented' && e.actor_role !== 'system')
      .map((e) => ({ authorId: e.actor_id, authorRole: e.actor_role as Actor['role'], visibility: e.visibility as 'public' | 'internal', body: latest.get(e.seq) ?? String(e.data.body), at: iso(e.at) }))
      .filter((c) => (size += c.body.length) <= 1_500_000);
    try {
      await this.temporal.workflow.getHandle(ticketWorkflowId(survivor.id)).executeUpdate(absorbUpdate, {
        args: [{ from: { ticketId: duplicate.id, number: duplicate.number }, comments, actor: actorOf(user) }],
        updateId: `absorb-${duplicate.id}`,
      });
    } catch (err) {
      throw toProblem(err) ?? err;
    }
    await this.repo.moveMerged(duplicate.id, survivor.id);
  }

  /** Comments carry their rendered HTML and their latest text; earlier texts stay as revisions, and every edit stays an event. */
  async timeline(user: AuthUser, id: string) {
    const row = await this.visibleRow(user, id);
    const events = (await this.repo.timeline(id, user.role !== 'customer')).map(presentEvent);
    return presentTimeline(events, user.role === 'customer', (version) => this.defs.labels(row.definition_key, version), row.definition_version);
  }

  /** The real numbers of the events customers see, in order: their n-th event is the n-th of these. */
  private async publicSeqs(id: string): Promise<number[]> {
    return (await this.repo.timeline(id, false)).map((e) => e.seq);
  }

  /** How customers number the public event `seq` (its place among the public events). */
  private async publicNumber(id: string, seq: number): Promise<number> {
    const at = (await this.publicSeqs(id)).indexOf(seq);
    return at < 0 ? seq : at + 1;
  }

  /** `seq` is the comment's number as the caller sees it (for customers, its place among the public events). */
  async editComment(user: AuthUser, id: string, seq: number, body: string): Promise<{ seq: number }> {
    const row = await this.visibleRow(user, id);
    if (!canOnQueue(user, 'reply', row.queue) && !canOnQueue(user, 'note', row.queue)) requireOnQueue(user, 'reply', row.queue);
    const customer = user.role === 'customer';
    const real = customer ? (await this.publicSeqs(id))[seq - 1] : seq;
    if (real === undefined) throw conflict(`there is no comment #${seq} on this ticket`, 'not-a-comment');
    let done: { seq: number };
    try {
      done = await this.temporal.workflow.getHandle(ticketWorkflowId(id)).executeUpdate(editCommentUpdate, { args: [{ seq: real, body, actor: actorOf(user) }] });
    } catch (err) {
      throw toProblem(err) ?? err;
    }
    return customer ? { seq: await this.publicNumber(id, done.seq) } : done;
  }

  /** Adds the state's label in both languages, from the ticket's own definition version. */
  /** The state's label for every reader; tags are the agents' own labels, so customers get none. */
  private async labelled<T extends { state: string; definition: { key: string; version: number }; tags: string[] }>(
    user: AuthUser,
    view: T,
  ): Promise<T & { stateLabel: { en: string; fr: string } }> {
    const labels = (await this.defs.labels(view.definition.key, view.definition.version)).states;
    return { ...view, ...(user.role === 'customer' ? { tags: [] } : {}), stateLabel: labels.get(view.state) ?? { en: view.state, fr: view.state } };
  }

  /**
   * The definition's fields of a ticket as the caller may use them: label, schema, value and whether they may change it
   * (the same per-field rule every write path applies). Customers see only the fields they may edit.
   */
  async fields(user: AuthUser, id: string) {
    const row = await this.visibleRow(user, id);
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
    const row = await this.visibleRow(user, id);
    const [channel, others, assignees] = await Promise.all([
      this.repo.channel(id),
      this.repo.requesterTickets(row.requester_id, id, visibleTo(user), 10),
      this.repo.staffWhoSee(id),
    ]);
    return { ticket: presentRow(row), channel, assignees, otherTickets: await Promise.all(others.map((r) => this.labelled(user, presentRow(r)))) };
  }

  async userById(id: string): Promise<AuthUser | null> {
    return this.repo.userById(id);
  }

  /** Not found rather than forbidden, so a customer cannot probe which ticket ids exist. Ids arrive checked as UUIDs (path convention or body schema). */
  private async visibleRow(user: AuthUser, id: string) {
    const row = await this.repo.find(id, visibleTo(user));
    if (!row) throw notFound(`no ticket ${id}`);
    return row;
  }
}
