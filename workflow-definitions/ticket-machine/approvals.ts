// Approvals: a state whose definition requires approval opens a round on entry; the workflow fills in its approvers,
// their decisions close it by the state's policy and take the approved or rejected transition. A round also closes
// when its timeout decides, or when the ticket leaves the state by another way (an agent's override, say).
import { refuseTransition, stateOf } from '../lifecycle';
import type { ApprovalDef } from '../schema';
import type { ApprovalDecision, ApprovalRound, ApproversResolved, DecideApprovalRequest } from './contract';
import { SYSTEM, type TicketCore } from './core';

const MINUTE = 60_000;
type Refusal = { kind: 'conflict'; code: string; message: string };
const conflict = (code: string, message: string): Refusal => ({ kind: 'conflict', code, message });

export function approvalOf(m: TicketCore, round: ApprovalRound): ApprovalDef | undefined {
  return stateOf(m.def, round.state)?.approval;
}

/** Opens a round when `state` requires approval; `round` is the seq of the event that entered it. */
export function openApproval(m: TicketCore, state: string, round: number): void {
  if (!stateOf(m.def, state)?.approval) return;
  m.s.approval = { round, state, openedAt: m.now(), approvers: null, decisions: {}, comments: [] };
}

/** Closes the open round, if any, because the ticket leaves its state some other way than by its outcome. */
export function withdrawApproval(m: TicketCore, to: string, always = false): void {
  const a = m.s.approval;
  if (!a || (a.state === to && !always)) return;
  m.s.approval = null;
  m.emit('approval_closed', SYSTEM, { round: a.round, outcome: 'withdrawn', reason: 'left_state', to }, 'public');
}

/** How many approvals approve the round: a rejection that leaves this out of reach rejects it. */
export function approvalsNeeded(def: ApprovalDef, approvers: number): number {
  if (def.policy === 'any') return 1;
  if (def.policy === 'all') return approvers;
  return Math.min(def.count ?? 1, approvers);
}

/** The open round whose approvers are still to be found, with whom its definition names: the workflow asks the directory. */
export function awaitingApprovers(m: TicketCore): { round: number; state: string; approvers: ApprovalDef['approvers'] } | null {
  const a = m.s.approval;
  const def = a && approvalOf(m, a);
  return a && def && a.approvers === null ? { round: a.round, state: a.state, approvers: def.approvers } : null;
}

/** The workflow's answer to "who approves": recorded once, for the round still open. */
export function applyApproversResolved(m: TicketCore, req: ApproversResolved): number {
  const a = m.s.approval;
  const def = a && approvalOf(m, a);
  if (!a || !def || a.round !== req.round || a.approvers !== null) return m.s.seq;
  a.approvers = [...new Set(req.approvers)];
  const deadline = def.timeoutMinutes ? new Date(a.openedAt + def.timeoutMinutes * MINUTE).toISOString() : null;
  return m.emit(
    'approval_requested',
    SYSTEM,
    {
      round: a.round,
      state: a.state,
      approvers: a.approvers,
      policy: def.policy,
      needed: approvalsNeeded(def, a.approvers.length),
      deadline,
      ...(req.unresolved ? { unresolved: req.unresolved } : {}),
    },
    'public',
  );
}

export function refuseDecision(m: TicketCore, req: DecideApprovalRequest): Refusal | null {
  const a = m.s.approval;
  if (!a || a.round !== req.round) return conflict('approval-closed', 'this approval is closed: a decision can no longer change it');
  if (a.approvers === null) return conflict('approval-not-ready', 'the approvers of this approval are still being found');
  if (!req.actor.id || !a.approvers.includes(req.actor.id)) return conflict('not-an-approver', 'you are not an approver of this request');
  if (a.decisions[req.actor.id]) return conflict('already-decided', `you have already decided (${a.decisions[req.actor.id]})`);
  return null;
}

export function applyDecision(m: TicketCore, req: DecideApprovalRequest): number {
  const a = m.s.approval!;
  const def = approvalOf(m, a)!;
  a.decisions[req.actor.id!] = req.decision;
  if (req.comment) a.comments.push(req.comment);
  const seq = m.emit('approval_decided', req.actor, { round: a.round, decision: req.decision, ...(req.comment ? { comment: req.comment } : {}), via: req.via }, 'public');
  const votes = Object.values(a.decisions);
  const approvals = votes.filter((d) => d === 'approve').length;
  const rejections = votes.length - approvals;
  const needed = approvalsNeeded(def, a.approvers!.length);
  let outcome: ApprovalDecision | null = null;
  if (def.policy === 'any') outcome = req.decision;
  else if (approvals >= needed) outcome = 'approve';
  else if (rejections > a.approvers!.length - needed) outcome = 'reject';
  return outcome ? closeWith(m, outcome, 'decisions') : seq;
}

/** Closes the open round with its outcome and takes the outcome's transition when the definition allows it now. */
export function closeWith(m: TicketCore, outcome: ApprovalDecision, reason: 'decisions' | 'timeout'): number {
  const a = m.s.approval!;
  const def = approvalOf(m, a)!;
  m.s.approval = null;
  m.emit('approval_closed', SYSTEM, { round: a.round, outcome: outcome === 'approve' ? 'approved' : 'rejected', reason }, 'public');
  const then = outcome === 'approve' ? def.approved : def.rejected;
  const fields = then.commentField ? { [then.commentField]: a.comments.join('\n') || (outcome === 'approve' ? 'approved' : 'rejected') } : {};
  const refusal = refuseTransition(m.def, m.ctx('system'), then.transition, fields);
  if (!refusal) return m.applyTransition(then.transition, fields, SYSTEM);
  // The round's outcome stands; the ticket stays where it is for an agent to move, and the timeline says why.
  return m.emit('notification', SYSTEM, { round: a.round, reason: 'approval transition refused', transition: then.transition, message: refusal.message });
}

export type ApprovalTimer = { key: string; at: number; kind: 'approval'; round: number; step: 'reminder' | 'timeout' };

export function approvalTimers(m: TicketCore): ApprovalTimer[] {
  const a = m.s.approval;
  const def = a && approvalOf(m, a);
  if (!a || !def?.timeoutMinutes || a.approvers === null) return [];
  const timeoutAt = a.openedAt + def.timeoutMinutes * MINUTE;
  const out: ApprovalTimer[] = [];
  const remind = `appr:${a.round}:reminder`;
  if (def.remindBeforeMinutes && !m.fired.has(remind)) out.push({ key: remind, at: timeoutAt - def.remindBeforeMinutes * MINUTE, kind: 'approval', round: a.round, step: 'reminder' });
  const timeout = `appr:${a.round}:timeout`;
  if (!m.fired.has(timeout)) out.push({ key: timeout, at: timeoutAt, kind: 'approval', round: a.round, step: 'timeout' });
  return out;
}

/** A reminder mails the approvers who have not decided; a timeout decides or escalates as the definition says. */
export function fireApprovalTimer(m: TicketCore, due: ApprovalTimer, escalate: (name: string, actions: NonNullable<ApprovalDef['escalate']>) => void): void {
  const a = m.s.approval;
  if (!a || a.round !== due.round) return;
  const def = approvalOf(m, a)!;
  if (due.step === 'reminder') {
    const pending = a.approvers!.filter((id) => !a.decisions[id]);
    if (pending.length) m.emit('approval_reminder', SYSTEM, { round: a.round, pending });
    return;
  }
  const then = def.onTimeout ?? 'escalate';
  if (then === 'escalate') escalate(`approval_${a.state}`, def.escalate ?? [{ type: 'notify', role: 'admin' }]);
  else closeWith(m, then, 'timeout');
}
