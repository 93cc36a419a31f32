// Approvals as their approvers meet them: the rounds waiting on the caller, a ticket's rounds, and decisions from the
// console, the portal or a signed link in a mail. A decision is checked here against the directory as it is now (an
// approver who lost the right is refused), then handed to the ticket's workflow, which alone counts it.
import type { Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import { decideApprovalUpdate, ticketWorkflowId, type DecideApprovalRequest } from '../../../workflows/ticket-messages';
import { stateOf, type WorkflowDefinition } from '../../../workflow-definitions/index';
import { findApprovers } from '../../../platform/approvals/approvers';
import { linkKey, verifyLink } from '../../../platform/approvals/links';
import { visibleTo } from '../tickets/policy';
import { conflict, notFound, ProblemError, unprocessable } from '../../http/problem';
import { iso, type DbTime } from '../../../platform/db/time';
import type { AuditService } from '../audit/service';
import type { AuthUser, UserRole } from '../auth/types';
import type { CatalogueRequests } from '../catalogue/requests';
import type { ApprovalListQuery, DecisionBody } from './schemas';

interface RoundRow {
  ticket_id: string;
  round: number;
  state: string;
  policy: string;
  needed: number;
  status: string;
  unresolved: string | null;
  opened_at: DbTime;
  deadline: DbTime | null;
  closed_at: DbTime | null;
  closed_by: string | null;
  number: string;
  title: string;
  description: string;
  ticket_state: string;
  requester_id: string;
  requester_name: string | null;
  definition_key: string;
  definition_version: number;
  fields: Record<string, unknown>;
}

interface ApproverRow {
  ticket_id: string;
  round: number;
  user_id: string;
  name: string | null;
  decision: 'approve' | 'reject' | null;
  comment: string | null;
  via: string | null;
  decided_at: DbTime | null;
}

/** Whom a decision is made as: a signed-in caller, or the approver a signed link names. */
interface Decider {
  id: string;
  role: UserRole;
  via: DecideApprovalRequest['via'];
}

const ROUND_SQL = `select a.ticket_id, a.round, a.state, a.policy, a.needed, a.status, a.unresolved, a.opened_at, a.deadline, a.closed_at, a.closed_by,
    t.number, t.title, t.description, t.state as ticket_state, t.requester_id, r.name as requester_name, t.definition_key, t.definition_version, t.fields
  from ticket_approvals a join tickets t on t.id = a.ticket_id left join users r on r.id = t.requester_id`;

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
    const rows = await this.em.fork().execute<RoundRow[]>(
      `${ROUND_SQL} join ticket_approvers me on me.ticket_id = a.ticket_id and me.round = a.round and me.user_id = ?
       where ${where} order by ${status === 'pending' ? 'a.deadline asc nulls last, a.opened_at asc' : 'coalesce(me.decided_at, a.closed_at) desc'} limit ?`,
      [user.id, limit],
    );
    return { items: await this.present(rows, user.id) };
  }

  /** A ticket's rounds, newest first: for whoever may see the ticket, and for its approvers. */
  async ofTicket(user: AuthUser, ticketId: string) {
    const rows = await this.em.fork().execute<RoundRow[]>(`${ROUND_SQL} where a.ticket_id = ? order by a.round desc`, [ticketId]);
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
    const [person] = await this.em.fork().execute<Array<{ role: UserRole; disabled: boolean }>>(`select role, disabled from users where id = ? and erased_at is null`, [userId]);
    if (!person || person.disabled) throw new ProblemError(403, 'approver-lost-right', 'Forbidden', 'this account can no longer approve');
    const result = await this.decideAs({ id: userId, role: person.role, via: 'email' }, row, body, requestId, ip);
    return { approval: result, approver: await this.personName(userId) };
  }

  private async decideAs(decider: Decider, row: RoundRow, body: DecisionBody, requestId?: string, ip?: string) {
    const ticketId = row.ticket_id;
    if (row.status !== 'open') throw conflict(`this approval is closed (${row.status}): a decision can no longer change it`, 'approval-closed');
    const mine = await this.approverRow(ticketId, row.round, decider.id);
    if (mine?.decision) throw conflict(`you have already decided (${mine.decision})`, 'already-decided');
    const comment = body.comment?.trim() || undefined;
    if (body.decision === 'reject' && !comment) throw unprocessable('say why you reject the request', [{ pointer: '/comment', message: 'a rejection needs a comment' }], 'comment-required');
    await this.refuseLostRight(decider.id, row);
    await this.temporal.workflow.getHandle(ticketWorkflowId(ticketId)).executeUpdate(decideApprovalUpdate, {
      args: [{ round: row.round, decision: body.decision, ...(comment ? { comment } : {}), via: decider.via, actor: { id: decider.id, role: decider.role } }],
    });
    await this.audit.record({
      user: { id: decider.id, role: decider.role, via: decider.via === 'email' ? 'link' : undefined },
      action: 'approval.decide',
      target: `${row.number}#${row.round}`,
      outcome: 'allowed',
      status: 200,
      ip,
      requestId,
      detail: { ticketId, round: row.round, decision: body.decision, via: decider.via, ...(comment ? { comment } : {}) },
    });
    const [view] = await this.present([(await this.round(ticketId, row.round))!], decider.id);
    return view!;
  }

  /** The directory as it is now must still name the approver: a new manager, a left group or a removed name ends the right. */
  private async refuseLostRight(userId: string, row: RoundRow): Promise<void> {
    const [def] = await this.em
      .fork()
      .execute<Array<{ body: WorkflowDefinition }>>(`select body from definitions where key = ? and version = ?`, [row.definition_key, row.definition_version]);
    const spec = def && stateOf(def.body, row.state)?.approval;
    if (!spec) return;
    const now = await findApprovers(this.em.fork(), spec.approvers, { ticketId: row.ticket_id, requesterId: row.requester_id, fields: row.fields });
    if (!now.approvers.includes(userId)) throw new ProblemError(403, 'approver-lost-right', 'Forbidden', 'you are no longer an approver of this request (the directory changed since it was sent to you)');
  }

  private async fromLink(token: string): Promise<{ row: RoundRow; userId: string }> {
    const check = verifyLink(await linkKey(this.em), token, Math.floor(Date.now() / 1000));
    if (!check.ok && check.reason === 'expired') throw new ProblemError(410, 'link-expired', 'Gone', 'this approval link has expired: decide from the console instead');
    if (!check.ok) throw new ProblemError(403, 'invalid-link', 'Forbidden', 'this approval link is not valid: it was altered or not issued by this desk');
    const { ticketId, round, userId } = check.link;
    const row = await this.round(ticketId, round);
    if (!row || !(await this.approverRow(ticketId, round, userId))) throw new ProblemError(403, 'invalid-link', 'Forbidden', 'this approval link names no approval of yours');
    return { row, userId };
  }

  private async round(ticketId: string, round: number): Promise<RoundRow | undefined> {
    const [row] = await this.em.fork().execute<RoundRow[]>(`${ROUND_SQL} where a.ticket_id = ? and a.round = ?`, [ticketId, round]);
    return row;
  }

  private async approverRow(ticketId: string, round: number, userId: string): Promise<ApproverRow | undefined> {
    const [row] = await this.em
      .fork()
      .execute<ApproverRow[]>(`select * from ticket_approvers where ticket_id = ? and round = ? and user_id = ?`, [ticketId, round, userId]);
    return row;
  }

  private async isApproverOf(userId: string, ticketId: string): Promise<boolean> {
    return (await this.em.fork().execute(`select 1 from ticket_approvers where ticket_id = ? and user_id = ? limit 1`, [ticketId, userId])).length > 0;
  }

  private async sees(user: AuthUser, ticketId: string): Promise<boolean> {
    const scope = visibleTo(user);
    return (await this.em.fork().execute(`select 1 from tickets t where t.id = ? and ${scope.sql}`, [ticketId, ...scope.params])).length > 0;
  }

  private async personName(id: string): Promise<string> {
    const [row] = await this.em.fork().execute<Array<{ name: string }>>(`select name from users where id = ?`, [id]);
    return row?.name ?? '';
  }

  private async present(rows: RoundRow[], viewerId: string) {
    if (!rows.length) return [];
    const approvers = await this.em.fork().execute<ApproverRow[]>(
      `select p.*, u.name from ticket_approvers p left join users u on u.id = p.user_id
       where (p.ticket_id, p.round) in (select (x->>0)::uuid, (x->>1)::int from jsonb_array_elements(?::jsonb) x) order by u.name, p.user_id`,
      [JSON.stringify(rows.map((r) => [r.ticket_id, r.round]))],
    );
    const labels = await this.stateLabels(rows);
    return Promise.all(
      rows.map(async (r) => {
        const mine = approvers.filter((p) => p.ticket_id === r.ticket_id && p.round === r.round);
        const me = mine.find((p) => p.user_id === viewerId);
        return {
          ticket: { id: r.ticket_id, number: r.number, title: r.title, description: r.description, state: r.ticket_state, requester: { id: r.requester_id, name: r.requester_name ?? '' } },
          round: r.round,
          state: r.state,
          stateLabel: labels.get(`${r.definition_key}:${r.definition_version}:${r.state}`) ?? null,
          policy: r.policy,
          needed: r.needed,
          status: r.status,
          unresolved: r.unresolved,
          openedAt: iso(r.opened_at),
          deadline: r.deadline ? iso(r.deadline) : null,
          closedAt: r.closed_at ? iso(r.closed_at) : null,
          closedBy: r.closed_by,
          approvers: mine.map((p) => ({ id: p.user_id, name: p.name ?? '', decision: p.decision, comment: p.comment, via: p.via, decidedAt: p.decided_at ? iso(p.decided_at) : null })),
          myDecision: me ? me.decision : null,
          canDecide: Boolean(me && !me.decision && r.status === 'open'),
          request: (await this.requests.formOf(r.ticket_id)).request,
        };
      }),
    );
  }

  private async stateLabels(rows: RoundRow[]): Promise<Map<string, { en: string; fr: string }>> {
    const defs = await this.em.fork().execute<Array<{ key: string; version: number; states: Array<{ name: string; label: { en: string; fr: string } }> }>>(
      `select key, version, body->'states' as states from definitions where (key, version) in (select x->>0, (x->>1)::int from jsonb_array_elements(?::jsonb) x)`,
      [JSON.stringify(rows.map((r) => [r.definition_key, r.definition_version]))],
    );
    return new Map(defs.flatMap((d) => d.states.map((s) => [`${d.key}:${d.version}:${s.name}`, s.label] as const)));
  }
}
