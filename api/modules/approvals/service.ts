// Approvals as their approvers meet them: the rounds waiting on the caller, a ticket's rounds, and decisions from the
// console, the portal or a signed link in a mail. A decision is checked here against the directory as it is now (an
// approver who lost the right is refused), then handed to the ticket's workflow, which alone counts it.
import type { Client } from '@temporalio/client';
import { raw, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Definition, Ticket, TicketApproval, TicketApprover, User } from '../../../platform/db/entities/index';
import { decideApprovalUpdate, ticketWorkflowId, type DecideApprovalRequest } from '../../../workflows/ticket-messages';
import { stateOf, type WorkflowDefinition } from '../../../workflow-definitions/index';
import { findApprovers } from '../../../platform/approvals/approvers';
import { linkKey, verifyLink } from '../../../platform/approvals/links';
import { visibleTo } from '../tickets/policy';
import { conflict, notFound, ProblemError, unprocessable } from '../../http/problem';
import type { AuditService } from '../audit/service';
import type { AuthUser, UserRole } from '../auth/types';
import type { CatalogueRequests } from '../catalogue/requests';
import type { ApprovalListQuery, DecisionBody } from './schemas';

type Approval = InferEntity<typeof TicketApproval>;
type RoundKey = Pick<Approval, 'ticketId' | 'round'>;
const TICKET_FIELDS = ['id', 'number', 'title', 'description', 'state', 'requesterId', 'definitionKey', 'definitionVersion', 'fields'] as const;

/** A round with the ticket it decides on and the name of the ticket's requester. */
interface Round {
  approval: Approval;
  ticket: Pick<InferEntity<typeof Ticket>, (typeof TICKET_FIELDS)[number]>;
  requesterName: string;
}

/** Whom a decision is made as: a signed-in caller, or the approver a signed link names. */
interface Decider {
  id: string;
  role: UserRole;
  via: DecideApprovalRequest['via'];
}

export class ApprovalService {
  constructor(
    private readonly em: EntityManager,
    private readonly temporal: Client,
    private readonly audit: AuditService,
    private readonly requests: CatalogueRequests,
  ) {}

  /** The rounds the caller is an approver of: open ones waiting on their decision first, or those they decided. */
  async mine(user: AuthUser, q: ApprovalListQuery) {
    const status = q.status ?? 'pending';
    const limit = q.limit ? Number(q.limit) : 50;
    const where =
      status === 'pending' ? `a.status = 'open' and me.decision is null` : status === 'decided' ? `me.decision is not null` : `(a.status <> 'open' or me.decision is not null)`;
    // Stays SQL: the filter and the order span the round and the caller's place among its approvers, which the entities do not relate.
    const keys = await this.em.fork().execute<RoundKey[]>(
      `select a.ticket_id as "ticketId", a.round from ticket_approvals a join ticket_approvers me on me.ticket_id = a.ticket_id and me.round = a.round and me.user_id = ?
       where ${where} order by ${status === 'pending' ? 'a.deadline asc nulls last, a.opened_at asc' : 'coalesce(me.decided_at, a.closed_at) desc'} limit ?`,
      [user.id, limit],
    );
    const em = this.em.fork();
    const approvals = keys.length ? await em.find(TicketApproval, { $or: keys }) : [];
    const found = new Map(approvals.map((a) => [`${a.ticketId}:${a.round}`, a]));
    const rows = await this.withTickets(em, keys.flatMap((k) => found.get(`${k.ticketId}:${k.round}`) ?? []));
    return { items: await this.present(rows, user.id) };
  }

  /** A ticket's rounds, newest first: for whoever may see the ticket, and for its approvers. */
  async ofTicket(user: AuthUser, ticketId: string) {
    const em = this.em.fork();
    const rows = await this.withTickets(em, await em.find(TicketApproval, { ticketId }, { orderBy: { round: 'desc' } }));
    const approver = await this.isApproverOf(user.id, ticketId);
    if (!approver && !(await this.sees(user, ticketId))) throw notFound(`no ticket ${ticketId}`);
    return { items: await this.present(rows, user.id) };
  }

  async decide(user: AuthUser, ticketId: string, round: number, body: DecisionBody, requestId?: string, ip?: string) {
    const decider: Decider = { id: user.id, role: user.role, via: user.role === 'customer' ? 'portal' : 'console' };
    const row = await this.round(ticketId, round);
    if (!row || !(await this.approverRow(ticketId, round, user.id))) {
      // Someone who may see the ticket learns they are not an approver; anyone else learns nothing.
      if (row && (await this.sees(user, ticketId))) throw new ProblemError(403, 'not-an-approver', 'Forbidden', 'you are not an approver of this request');
      throw notFound(`no approval ${round} on ticket ${ticketId}`);
    }
    return this.decideAs(decider, row, body, requestId, ip);
  }

  /** What a signed link shows before its approver decides: the request, the round and their own decision, if made. */
  async linkView(token: string) {
    const { row, userId } = await this.fromLink(token);
    const [view] = await this.present([row], userId);
    return { approval: view!, approver: await this.personName(userId) };
  }

  async decideByLink(token: string, body: DecisionBody, requestId?: string, ip?: string) {
    const { row, userId } = await this.fromLink(token);
    const person = await this.em.fork().findOne(User, { id: userId, erasedAt: null }, { fields: ['role', 'disabled'] });
    if (!person || person.disabled) throw new ProblemError(403, 'approver-lost-right', 'Forbidden', 'this account can no longer approve');
    const result = await this.decideAs({ id: userId, role: person.role as UserRole, via: 'email' }, row, body, requestId, ip);
    return { approval: result, approver: await this.personName(userId) };
  }

  private async decideAs(decider: Decider, row: Round, body: DecisionBody, requestId?: string, ip?: string) {
    const { ticketId, round, status } = row.approval;
    if (status !== 'open') throw conflict(`this approval is closed (${status}): a decision can no longer change it`, 'approval-closed');
    const mine = await this.approverRow(ticketId, round, decider.id);
    if (mine?.decision) throw conflict(`you have already decided (${mine.decision})`, 'already-decided');
    const comment = body.comment?.trim() || undefined;
    if (body.decision === 'reject' && !comment) throw unprocessable('say why you reject the request', [{ pointer: '/comment', message: 'a rejection needs a comment' }], 'comment-required');
    await this.refuseLostRight(decider.id, row);
    await this.temporal.workflow.getHandle(ticketWorkflowId(ticketId)).executeUpdate(decideApprovalUpdate, {
      args: [{ round, decision: body.decision, ...(comment ? { comment } : {}), via: decider.via, actor: { id: decider.id, role: decider.role } }],
    });
    await this.audit.record({
      user: { id: decider.id, role: decider.role, via: decider.via === 'email' ? 'link' : undefined },
      action: 'approval.decide',
      target: `${row.ticket.number}#${round}`,
      outcome: 'allowed',
      status: 200,
      ip,
      requestId,
      detail: { ticketId, round, decision: body.decision, via: decider.via, ...(comment ? { comment } : {}) },
    });
    const [view] = await this.present([(await this.round(ticketId, round))!], decider.id);
    return view!;
  }

  /** The directory as it is now must still name the approver: a new manager, a left group or a removed name ends the right. */
  private async refuseLostRight(userId: string, { approval, ticket }: Round): Promise<void> {
    const def = await this.em.fork().findOne(Definition, { key: ticket.definitionKey, version: ticket.definitionVersion }, { fields: ['body'] });
    const spec = def && stateOf(def.body as unknown as WorkflowDefinition, approval.state)?.approval;
    if (!spec) return;
    const now = await findApprovers(this.em.fork(), spec.approvers, { ticketId: ticket.id, requesterId: ticket.requesterId, fields: ticket.fields as Record<string, unknown> });
    if (!now.approvers.includes(userId)) throw new ProblemError(403, 'approver-lost-right', 'Forbidden', 'you are no longer an approver of this request (the directory changed since it was sent to you)');
  }

  private async fromLink(token: string): Promise<{ row: Round; userId: string }> {
    const check = verifyLink(await linkKey(this.em), token, Math.floor(Date.now() / 1000));
    if (!check.ok && check.reason === 'expired') throw new ProblemError(410, 'link-expired', 'Gone', 'this approval link has expired: decide from the console instead');
    if (!check.ok) throw new ProblemError(403, 'invalid-link', 'Forbidden', 'this approval link is not valid: it was altered or not issued by this desk');
    const { ticketId, round, userId } = check.link;
    const row = await this.round(ticketId, round);
    if (!row || !(await this.approverRow(ticketId, round, userId))) throw new ProblemError(403, 'invalid-link', 'Forbidden', 'this approval link names no approval of yours');
    return { row, userId };
  }

  private async round(ticketId: string, round: number): Promise<Round | undefined> {
    const em = this.em.fork();
    const approval = await em.findOne(TicketApproval, { ticketId, round });
    const [row] = await this.withTickets(em, approval ? [approval] : []);
    return row;
  }

  /** The rounds with their tickets and requesters' names; a round whose ticket is gone is left out. */
  private async withTickets(em: EntityManager, approvals: Approval[]): Promise<Round[]> {
    if (!approvals.length) return [];
    const tickets = new Map((await em.find(Ticket, { id: { $in: [...new Set(approvals.map((a) => a.ticketId))] } }, { fields: [...TICKET_FIELDS] })).map((t) => [t.id, t]));
    const requesters = [...new Set([...tickets.values()].map((t) => t.requesterId))];
    const names = new Map((await em.find(User, { id: { $in: requesters } }, { fields: ['id', 'name'] })).map((u) => [u.id, u.name]));
    return approvals.flatMap((approval) => {
      const ticket = tickets.get(approval.ticketId);
      return ticket ? [{ approval, ticket, requesterName: names.get(ticket.requesterId) ?? '' }] : [];
    });
  }

  private async approverRow(ticketId: string, round: number, userId: string) {
    return this.em.fork().findOne(TicketApprover, { ticketId, round, userId });
  }

  private async isApproverOf(userId: string, ticketId: string): Promise<boolean> {
    return (await this.em.fork().count(TicketApprover, { ticketId, userId })) > 0;
  }

  private async sees(user: AuthUser, ticketId: string): Promise<boolean> {
    // The visibility rule is SQL over tickets `t` (platform/access/ticket-visibility.ts), shared with lists and the worker.
    const scope = visibleTo(user);
    return (await this.em.fork().createQueryBuilder(Ticket, 't').where({ id: ticketId }).andWhere(scope.sql, scope.params).getCount()) > 0;
  }

  private async personName(id: string): Promise<string> {
    return (await this.em.fork().findOne(User, id, { fields: ['name'] }))?.name ?? '';
  }

  private async present(rows: Round[], viewerId: string) {
    if (!rows.length) return [];
    const em = this.em.fork();
    const approvers = await em.find(TicketApprover, { $or: rows.map(({ approval: { ticketId, round } }) => ({ ticketId, round })) });
    // By name in the database's collation, then id, as the approvers' list has always read.
    const people = await em.find(User, { id: { $in: [...new Set(approvers.map((p) => p.userId))] } }, { fields: ['id', 'name'], orderBy: { name: 'asc', id: 'asc' } });
    const place = new Map(people.map((u, i) => [u.id, i]));
    const names = new Map(people.map((u) => [u.id, u.name]));
    approvers.sort((a, b) => (place.get(a.userId) ?? people.length) - (place.get(b.userId) ?? people.length) || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
    const labels = await this.stateLabels(em, rows);
    return Promise.all(
      rows.map(async ({ approval: a, ticket: t, requesterName }) => {
        const mine = approvers.filter((p) => p.ticketId === a.ticketId && p.round === a.round);
        const me = mine.find((p) => p.userId === viewerId);
        return {
          ticket: { id: t.id, number: t.number, title: t.title, description: t.description, state: t.state, requester: { id: t.requesterId, name: requesterName } },
          round: a.round,
          state: a.state,
          stateLabel: labels.get(`${t.definitionKey}:${t.definitionVersion}:${a.state}`) ?? null,
          policy: a.policy,
          needed: a.needed,
          status: a.status,
          unresolved: a.unresolved ?? null,
          openedAt: a.openedAt.toISOString(),
          deadline: a.deadline ? a.deadline.toISOString() : null,
          closedAt: a.closedAt ? a.closedAt.toISOString() : null,
          closedBy: a.closedBy ?? null,
          approvers: mine.map((p) => ({
            id: p.userId,
            name: names.get(p.userId) ?? '',
            decision: decisionOf(p),
            comment: p.comment ?? null,
            via: p.via ?? null,
            decidedAt: p.decidedAt ? p.decidedAt.toISOString() : null,
          })),
          myDecision: me ? decisionOf(me) : null,
          canDecide: Boolean(me && !me.decision && a.status === 'open'),
          request: (await this.requests.formOf(a.ticketId)).request,
        };
      }),
    );
  }

  private async stateLabels(em: EntityManager, rows: Round[]): Promise<Map<string, { en: string; fr: string }>> {
    const defs = await em
      .createQueryBuilder(Definition)
      .select(['key', 'version', raw(`body->'states' as states`)])
      .where({ $or: rows.map(({ ticket }) => ({ key: ticket.definitionKey, version: ticket.definitionVersion })) })
      .execute<Array<{ key: string; version: number; states: Array<{ name: string; label: { en: string; fr: string } }> }>>();
    return new Map(defs.flatMap((d) => d.states.map((s) => [`${d.key}:${d.version}:${s.name}`, s.label] as const)));
  }
}

/** The approver's decision (the column is checked to these two by the database). */
const decisionOf = (p: InferEntity<typeof TicketApprover>) => (p.decision ?? null) as 'approve' | 'reject' | null;
