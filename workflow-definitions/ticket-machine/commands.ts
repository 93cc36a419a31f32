// The commands a ticket accepts: why each is refused in the ticket's present state (checked whole, before anything
// changes) and what it changes once accepted. A refused command changes nothing.
import { customerReplyTransition, fieldErrors, lockedFields, refuseTransition, stateOf, type Fields, type TransitionRefusal } from '../lifecycle';
import { PRIORITIES } from '../schema';
import { pauseClock, resumeClock, retargetClock } from '../sla';
import {
  MAX_TAGS,
  type AbsorbRequest,
  type AssignRequest,
  type ApproversResolved,
  type ChecklistRequest,
  type DecideApprovalRequest,
  type ChildFinishedSignal,
  type CommentRequest,
  type EditCommentRequest,
  type FieldsRequest,
  type LinkRequest,
  type MacroRequest,
  type MigrateRequest,
  type PriorityRequest,
  type ProblemResolvedSignal,
  type RulesOutcome,
  type TagsRequest,
  type TransitionRequest,
} from './contract';
import { applyApproversResolved, applyDecision, refuseDecision, withdrawApproval } from './approvals';
import { applyRulesOutcome } from './rules';
import { CUSTOMER_REPLY_RESUMES, isAgent, MIGRATION_RESUMES_CLOCKS, SYSTEM, type TicketCore } from './core';

export type TicketCommand =
  | ({ kind: 'transition' } & TransitionRequest)
  | ({ kind: 'comment' } & CommentRequest)
  | ({ kind: 'editComment' } & EditCommentRequest)
  | ({ kind: 'assign' } & AssignRequest)
  | ({ kind: 'priority' } & PriorityRequest)
  | ({ kind: 'fields' } & FieldsRequest)
  | ({ kind: 'tags' } & TagsRequest)
  | ({ kind: 'macro' } & MacroRequest)
  | ({ kind: 'absorb' } & AbsorbRequest)
  | ({ kind: 'link' } & LinkRequest)
  | ({ kind: 'unlink' } & LinkRequest)
  | ({ kind: 'migrate' } & MigrateRequest)
  | ({ kind: 'checklist' } & ChecklistRequest)
  | ({ kind: 'decideApproval' } & DecideApprovalRequest)
  // The workflow's answer from the directory: never refused (a stale answer changes nothing).
  | ({ kind: 'approvers' } & ApproversResolved)
  // What the desk's automation rules decided about the events just recorded: never refused (each firing is checked).
  | ({ kind: 'rules' } & RulesOutcome)
  // Told by other tickets or by the desk: never refused.
  | { kind: 'childFinished'; child: ChildFinishedSignal }
  | { kind: 'problemResolved'; problem: ProblemResolvedSignal }
  | { kind: 'anonymise'; title: string };

const conflict = (code: string, message: string): TransitionRefusal => ({ kind: 'conflict', code, message });
const invalid = (code: string, message: string, errors?: TransitionRefusal['errors']): TransitionRefusal => ({ kind: 'invalid', code, message, ...(errors ? { errors } : {}) });

/** The first rule the command breaks, or null when it may run now. */
export function refuseCommand(m: TicketCore, cmd: TicketCommand): TransitionRefusal | null {
  const { s, def } = m;
  const closed = m.category() === 'closed';
  /** A closed ticket still takes comments while one of its transitions (reopen within a window) is offered. */
  const closedForGood = closed && !def.transitions.some((x) => x.from.includes(s.state));
  switch (cmd.kind) {
    case 'transition': {
      const actor = cmd.actor;
      return (
        timeFromNonAgent(actor, cmd.timeSpent) ??
        refuseTransition(def, { ...m.ctx(actor.role), timeSpent: cmd.timeSpent }, cmd.transition, cmd.fields ?? {}) ??
        finishingParent(m, cmd.transition) ??
        incompleteChecklist(m, cmd.transition)
      );
    }
    case 'comment': {
      const time = timeFromNonAgent(cmd.actor, cmd.timeSpent);
      if (time) return time;
      if (cmd.actor.role === 'customer' && cmd.visibility !== 'public') return conflict('internal-note-forbidden', 'customers can only write public comments');
      if (closedForGood) return conflict('ticket-closed', 'the ticket is closed');
      return null;
    }
    case 'editComment': {
      const c = s.comments[cmd.seq];
      const none = conflict('no-such-comment', `event ${cmd.seq} is not a comment that can be edited`);
      if (!c) return none;
      if (c.authorId !== cmd.actor.id && cmd.actor.role !== 'admin') return conflict('not-author', 'only its author or an admin edits a comment');
      if (cmd.actor.role === 'customer' && c.visibility !== 'public') return none;
      return null;
    }
    case 'assign':
      if (!isAgent(cmd.actor) && cmd.actor.role !== 'system') return conflict('role-not-allowed', 'only agents assign tickets');
      if (closed) return conflict('ticket-closed', 'the ticket is closed');
      // The desk's own choice stands only on the ticket it was made for: someone may have taken or moved it meanwhile.
      if (cmd.auto && (s.queue !== cmd.auto.queue || s.assigneeId !== (cmd.auto.awayFrom ?? null))) return conflict('assignment-changed', 'the ticket was assigned or moved meanwhile');
      return null;
    case 'priority':
      if (!isAgent(cmd.actor)) return conflict('role-not-allowed', 'only agents change the priority');
      if (!PRIORITIES.includes(cmd.priority)) return invalid('invalid-priority', `unknown priority '${cmd.priority}'`);
      if (cmd.priority === s.priority) return conflict('unchanged', `the priority is already ${s.priority}`);
      if (m.isFinished()) return conflict('ticket-finished', 'the ticket is resolved or closed');
      return null;
    case 'fields': {
      const errors = fieldErrors(def, cmd.fields);
      if (errors.length) return invalid('invalid-fields', errors.map((e) => e.message).join('; '), errors);
      const locked = lockedFields(def, cmd.actor.role, cmd.fields);
      if (locked.length) return conflict('field-not-editable', `customers cannot change ${locked.join(', ')}`);
      if (closed) return conflict('ticket-closed', 'the ticket is closed');
      return null;
    }
    case 'tags': {
      if (!isAgent(cmd.actor) && cmd.actor.role !== 'system') return conflict('role-not-allowed', 'only agents tag tickets');
      const { changes, tooMany } = tagsChange(m, cmd.add, cmd.remove);
      if (tooMany) return invalid('too-many-tags', `a ticket holds at most ${MAX_TAGS} tags`);
      if (!changes) return conflict('unchanged', 'the ticket already has these tags');
      return null;
    }
    case 'macro':
      return refuseMacro(m, cmd, closed, closedForGood);
    case 'absorb':
      if (!isAgent(cmd.actor)) return conflict('role-not-allowed', 'only agents merge tickets');
      if (!s.links.some((l) => l.kind === 'duplicated_by' && l.ticketId === cmd.from.ticketId)) return conflict('not-a-duplicate', `${cmd.from.number} is not merged into this ticket`);
      return null;
    case 'link':
      return refuseLink(m, cmd, closed);
    case 'unlink':
      if (!isAgent(cmd.actor) && cmd.actor.role !== 'system') return conflict('role-not-allowed', 'only agents unlink tickets');
      if (!s.links.some((l) => l.ticketId === cmd.link.ticketId && l.kind === cmd.link.kind)) return conflict('not-linked', `not linked to ${cmd.link.number}`);
      return null;
    case 'migrate': {
      if (cmd.actor.role !== 'admin') return conflict('role-not-allowed', 'only admins migrate tickets');
      if (cmd.definition.key !== def.key) return conflict('other-definition', `the ticket runs ${def.key}, not ${cmd.definition.key}`);
      if (cmd.version <= m.version) return conflict('not-newer', `the ticket already runs version ${m.version}`);
      const to = cmd.stateMapping[s.state] ?? s.state;
      if (!cmd.definition.states.some((x) => x.name === to)) {
        return invalid('unmapped-state', `state '${s.state}' has no counterpart in version ${cmd.version}`, [{ pointer: `/stateMapping/${s.state}`, message: 'map this state' }]);
      }
      return null;
    }
    case 'checklist':
      if (!isAgent(cmd.actor) && cmd.actor.role !== 'system') return conflict('role-not-allowed', 'only agents tick checklists');
      if (m.isFinished()) return conflict('ticket-finished', 'the work order is resolved or closed: its checklist is final');
      return null;
    case 'decideApproval':
      return refuseDecision(m, cmd);
    case 'approvers':
    case 'rules':
    case 'childFinished':
    case 'problemResolved':
    case 'anonymise':
      return null;
  }
}

function timeFromNonAgent(actor: TransitionRequest['actor'], timeSpent: number | undefined): TransitionRefusal | null {
  return timeSpent !== undefined && !isAgent(actor) ? conflict('role-not-allowed', 'only agents record time spent') : null;
}

/** A parent cannot finish while its children are open. */
export function finishingParent(m: TicketCore, transition: string): TransitionRefusal | null {
  const to = stateOf(m.def, m.def.transitions.find((x) => x.name === transition)!.to)!;
  const open = m.s.openChildren.length;
  return open && (to.category === 'resolved' || to.category === 'closed') ? conflict('children-open', `${open} child ticket(s) are still open`) : null;
}

/** A work order is completed (enters a resolved state) only once every mandatory checklist item is done; cancelling it is not completing it. */
export function incompleteChecklist(m: TicketCore, transition: string): TransitionRefusal | null {
  const open = m.s.openChecks ?? [];
  const to = stateOf(m.def, m.def.transitions.find((x) => x.name === transition)!.to)!;
  if (!open.length || to.category !== 'resolved') return null;
  return invalid(
    'checklist-incomplete',
    `the checklist is incomplete: ${open.map((i) => i.label).join(', ')}`,
    open.map((i) => ({ pointer: `/checklist/${i.id}`, message: `${i.label} is mandatory` })),
  );
}

export function tagsChange(m: TicketCore, add: readonly string[], remove: readonly string[]): { changes: boolean; tooMany: boolean } {
  const tags = m.s.tags;
  const after = new Set([...tags.filter((tag) => !remove.includes(tag)), ...add]);
  const changes = add.some((tag) => !tags.includes(tag)) || remove.some((tag) => tags.includes(tag));
  return { changes, tooMany: after.size > MAX_TAGS };
}

// Every part is checked before any is applied: a refused part changes nothing on the ticket.
function refuseMacro(m: TicketCore, req: MacroRequest, closed: boolean, closedForGood: boolean): TransitionRefusal | null {
  const { s, def } = m;
  if (!isAgent(req.actor)) return conflict('role-not-allowed', 'only agents apply macros');
  const fields = req.fields ?? {};
  if (Object.keys(fields).length) {
    if (closed) return conflict('ticket-closed', 'the ticket is closed: its fields cannot change');
    const errors = fieldErrors(def, fields);
    if (errors.length) return invalid('invalid-fields', errors.map((e) => e.message).join('; '), errors);
  }
  if (req.priority !== undefined && req.priority !== s.priority) {
    if (!PRIORITIES.includes(req.priority)) return invalid('invalid-priority', `unknown priority '${req.priority}'`);
    if (m.isFinished()) return conflict('ticket-finished', 'the ticket is resolved or closed: its priority cannot change');
  }
  const tags = req.tags ? tagsChange(m, req.tags.add, req.tags.remove) : { changes: false, tooMany: false };
  if (tags.tooMany) return invalid('too-many-tags', `a ticket holds at most ${MAX_TAGS} tags`);
  const reassigns = req.assign !== undefined && req.assign.assigneeId !== s.assigneeId;
  if (reassigns && closed) return conflict('ticket-closed', 'the ticket is closed: it cannot be assigned');
  if (req.comment && closedForGood) return conflict('ticket-closed', 'the ticket is closed');
  if (req.timeSpent !== undefined && !req.comment && !req.transition) return invalid('time-without-work', 'time is recorded with a comment or a transition');
  if (req.transition) {
    const refusal =
      refuseTransition(def, { ...m.ctx(req.actor.role), fields: { ...s.fields, ...fields } as Fields, timeSpent: req.timeSpent }, req.transition, {}) ??
      finishingParent(m, req.transition) ??
      incompleteChecklist(m, req.transition);
    if (refusal) return refusal;
  }
  const changes = Object.keys(fields).length > 0 || (req.priority !== undefined && req.priority !== s.priority) || tags.changes || reassigns || req.comment || req.transition;
  return changes ? null : conflict('unchanged', 'the macro would change nothing on this ticket');
}

function refuseLink(m: TicketCore, req: LinkRequest, closed: boolean): TransitionRefusal | null {
  const links = m.s.links;
  const { link } = req;
  if (!isAgent(req.actor) && req.actor.role !== 'system') return conflict('role-not-allowed', 'only agents link tickets');
  if (link.ticketId === m.ticket.id) return conflict('self-link', 'a ticket cannot be linked to itself');
  if (links.some((l) => l.ticketId === link.ticketId && l.kind === link.kind)) return conflict('already-linked', `already linked to ${link.number}`);
  if (link.kind === 'problem' && links.some((l) => l.kind === 'problem')) return conflict('one-problem', 'an incident links to one problem at most');
  if (link.kind === 'parent' && links.some((l) => l.kind === 'parent')) return conflict('one-parent', 'a ticket has one parent at most');
  if (link.kind === 'parent' && m.isFinished()) return conflict('ticket-finished', 'a resolved ticket cannot become a child');
  if (link.kind === 'duplicate_of' && links.some((l) => l.kind === 'duplicate_of')) return conflict('already-merged', 'the ticket is already merged');
  if (link.kind === 'duplicate_of' && !m.def.states.some((x) => x.category === 'closed')) return conflict('no-closed-state', `${m.def.key} has no closed state to merge into`);
  if (closed) return conflict('ticket-closed', 'the ticket is closed');
  return null;
}

/**
 * Runs an accepted command (check it with refuseCommand first) and returns the seq its caller is answered with: the
 * comment's own for a comment, else the last event recorded.
 */
export function applyCommand(m: TicketCore, cmd: TicketCommand): number {
  const s = m.s;
  switch (cmd.kind) {
    case 'transition':
      return m.logTime(cmd.timeSpent, cmd.actor, m.applyTransition(cmd.transition, cmd.fields ?? {}, cmd.actor));
    case 'comment': {
      const seq = m.addComment(cmd.body, cmd.visibility, cmd.actor);
      if (cmd.actor.role === 'customer' && cmd.visibility === 'public') {
        const resume = customerReplyTransition(m.def, m.ctx('system'));
        if (resume && m.host.patched(CUSTOMER_REPLY_RESUMES)) m.applyTransition(resume, {}, SYSTEM);
      }
      m.logTime(cmd.timeSpent, cmd.actor, seq);
      return seq;
    }
    case 'editComment':
      return m.emit('comment_edited', cmd.actor, { seq: cmd.seq, body: cmd.body }, s.comments[cmd.seq]!.visibility);
    case 'assign':
      return m.assignTo(cmd.assigneeId, cmd.actor, { queue: cmd.queue, group: cmd.group }, cmd.auto);
    case 'priority': {
      const seq = m.setPriority(cmd.priority, cmd.actor);
      m.touchedBy(cmd.actor);
      return seq;
    }
    case 'fields':
      return m.setFields(cmd.fields, cmd.actor);
    case 'tags':
      return m.changeTags(cmd.add, cmd.remove, cmd.actor);
    case 'macro':
      return applyMacro(m, cmd);
    case 'absorb': {
      for (const c of cmd.comments) {
        const seq = m.emit('commented', { id: c.authorId, role: c.authorRole }, { body: c.body, mergedFrom: cmd.from.number, originalAt: c.at }, c.visibility);
        s.comments[seq] = { authorId: c.authorId, visibility: c.visibility };
      }
      return m.emit('merged_in', cmd.actor, { from: cmd.from, comments: cmd.comments.length });
    }
    case 'link': {
      s.links.push(cmd.link);
      if (cmd.link.kind === 'child') s.openChildren.push(cmd.link.ticketId);
      const seq = m.emit('linked', cmd.actor, { ...cmd.link });
      return cmd.link.kind === 'duplicate_of' ? m.mergeInto(cmd.link.number, cmd.actor) : seq;
    }
    case 'unlink': {
      const i = s.links.findIndex((l) => l.ticketId === cmd.link.ticketId && l.kind === cmd.link.kind);
      s.links.splice(i, 1);
      const c = s.openChildren.indexOf(cmd.link.ticketId);
      if (cmd.link.kind === 'child' && c >= 0) s.openChildren.splice(c, 1);
      return m.emit('unlinked', cmd.actor, { ...cmd.link });
    }
    case 'migrate':
      return migrate(m, cmd);
    case 'checklist':
      // The checklist's details (readings, notes, who ticked what) are the API's record; the machine keeps what its rule needs.
      s.openChecks = cmd.open.map(({ id, label }) => ({ id, label }));
      return s.seq;
    case 'decideApproval':
      return applyDecision(m, cmd);
    case 'approvers':
      return applyApproversResolved(m, cmd);
    case 'rules':
      return applyRulesOutcome(m, cmd);
    case 'childFinished':
      m.onChildFinished(cmd.child);
      return s.seq;
    case 'problemResolved':
      m.onProblemResolved(cmd.problem);
      return s.seq;
    case 'anonymise':
      // Records no event: the read model is already changed; the machine only forgets its own copy.
      s.title = cmd.title;
      s.description = '';
      s.anonymised = true;
      if (s.approval) s.approval.comments = [];
      return s.seq;
  }
}

// Parts apply in the order the request documents: fields, priority, tags, assignment, comment, time, transition.
function applyMacro(m: TicketCore, req: MacroRequest): number {
  const s = m.s;
  let seq = m.emit('macro_applied', req.actor, { macro: req.macro });
  if (req.fields && Object.keys(req.fields).length) seq = m.setFields(req.fields, req.actor);
  if (req.priority !== undefined && req.priority !== s.priority) seq = m.setPriority(req.priority, req.actor);
  if (req.tags && tagsChange(m, req.tags.add, req.tags.remove).changes) seq = m.changeTags(req.tags.add, req.tags.remove, req.actor);
  if (req.assign && req.assign.assigneeId !== s.assigneeId) seq = m.assignTo(req.assign.assigneeId, req.actor);
  if (req.comment) seq = m.addComment(req.comment.body, req.comment.visibility, req.actor);
  seq = m.logTime(req.timeSpent, req.actor, seq);
  if (req.transition) seq = m.applyTransition(req.transition, {}, req.actor);
  s.lastAgentUpdateAt = m.now();
  return seq;
}

function migrate(m: TicketCore, req: MigrateRequest): number {
  const s = m.s;
  const from = { version: m.version, state: s.state };
  const to = req.stateMapping[s.state] ?? s.state;
  m.def = req.definition;
  m.version = req.version;
  // A round stays open only where the new version still asks for approval in the same state.
  if (s.approval && (s.approval.state !== to || !stateOf(m.def, to)?.approval)) withdrawApproval(m, to, true);
  s.state = to;
  const at = m.now();
  s.clocks = s.clocks.map((c) => retargetClock(c, m.def, s.priority, at, m.cal(c.calendar)));
  // The clocks follow the new version's rule for the state the ticket lands in, whichever way it went.
  const target = stateOf(m.def, to);
  const waiting = s.clocks.some((c) => c.runningSince === null && c.stoppedAt === null);
  if (target?.slaPaused) s.clocks = s.clocks.map((c) => pauseClock(c, at, m.cal(c.calendar)));
  else if (waiting && target?.category !== 'resolved' && target?.category !== 'closed' && m.host.patched(MIGRATION_RESUMES_CLOCKS)) {
    s.clocks = s.clocks.map((c) => resumeClock(c, at));
  }
  return m.emit('migrated', req.actor, { from, to: { version: m.version, state: to } });
}
