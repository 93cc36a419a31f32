// The ticket's state and the operations that change it, each recording its events: the one place where a ticket's
// rules of change are written. The workflow drives it with Temporal's clock and messages, the simulator with a virtual
// clock and a script (see machine.ts); neither adds a rule of its own.
import { initialState, refuseTransition, stateOf, type Fields, type TransitionContext } from '../lifecycle';
import type { Priority, WorkflowDefinition } from '../schema';
import { calendarOf, pauseClock, restartClock, resumeClock, retargetClock, startClocks, stopClock } from '../sla';
import { openApproval, withdrawApproval } from './approvals';
import type { Actor, AutoAssignment, CarriedTicketState, ChecklistItem, ChildFinishedSignal, ProblemResolvedSignal, TicketEvent, TicketEventType } from './contract';

export const SYSTEM: Actor = { id: null, role: 'system' };

export function isAgent(actor: Actor): boolean {
  return actor.role === 'agent' || actor.role === 'admin';
}

/** The state with every part that older carried states may lack. */
export type TicketState = CarriedTicketState & Required<Pick<CarriedTicketState, 'links' | 'openChildren' | 'comments' | 'tags'>>;

/** Fills in, in place, what a state carried by an older version lacks (the caller keeps the same object). */
export function completeState(s: CarriedTicketState): TicketState {
  s.links ??= [];
  s.openChildren ??= [];
  s.comments ??= {};
  s.tags ??= [];
  return s as TicketState;
}

/** What the ticket is when it opens: the definition's initial state, clocks started at creation unless that state pauses them. */
export function openingState(
  def: WorkflowDefinition,
  intake: { priority: Priority; queue: string | null; fields: Fields; title: string; description: string; checklist?: ChecklistItem[] },
  createdAtMs: number,
): TicketState {
  const first = initialState(def);
  return {
    state: first.name,
    enteredStateAt: createdAtMs,
    priority: intake.priority,
    assigneeId: null,
    queue: intake.queue,
    fields: { ...intake.fields },
    clocks: startClocks(def, intake.priority, createdAtMs, !first.slaPaused),
    seq: 0,
    fired: [],
    unassignedSince: createdAtMs,
    lastAgentUpdateAt: createdAtMs,
    firstResponded: false,
    title: intake.title,
    description: intake.description,
    resolvedAt: null,
    closedAt: null,
    links: [],
    openChildren: [],
    comments: {},
    tags: [],
    ...(intake.checklist ? { openChecks: intake.checklist.map(({ id, label }) => ({ id, label })) } : {}),
  };
}

/** A message to another ticket's workflow, sent by whoever drives the machine. */
export interface OutboundSignal {
  ticketId: string;
  problem?: ProblemResolvedSignal;
  child?: ChildFinishedSignal;
}

/** What the machine needs from whoever drives it: the time, which recorded code changes apply, and where its output goes. */
export interface MachineHost {
  now(): number;
  /** Whether a change of behaviour guarded for older recorded histories applies (Temporal's `patched` in the workflow). */
  patched(change: string): boolean;
  record(event: TicketEvent): void;
  signal(out: OutboundSignal): void;
}

// Histories recorded before these changes replay without them (the workflow answers `patched` from its history).
/** A customer's public reply takes the definition's `customer_replied` transition. */
export const CUSTOMER_REPLY_RESUMES = 'customer-reply-resumes';
/** A migration into a state that does not pause the clocks resumes them. */
export const MIGRATION_RESUMES_CLOCKS = 'migration-resumes-clocks';

export class TicketCore {
  /** Keys of the timers that have fired (SLA levels, escalations, automations); copied into the state when it is carried. */
  readonly fired: Set<string>;
  readonly s: TicketState;
  /** The rule whose actions are running: every event they record names it, so a rule they trigger knows its depth. */
  cause: { id: string; name: string; depth: number } | null = null;

  constructor(
    /** The definition the ticket runs now (a migration swaps it) and its version. */
    public def: WorkflowDefinition,
    public version: number,
    readonly ticket: { id: string; number: string },
    state: CarriedTicketState,
    readonly host: MachineHost,
  ) {
    this.s = completeState(state);
    this.fired = new Set(state.fired);
  }

  now(): number {
    return this.host.now();
  }

  cal(name: string) {
    return calendarOf(this.def, name);
  }

  category(): string {
    return stateOf(this.def, this.s.state)?.category ?? 'open';
  }

  isFinished(): boolean {
    const c = this.category();
    return c === 'resolved' || c === 'closed';
  }

  /** What the definition's rules decide a command by: the state, the caller's role, the fields and the time. */
  ctx(role: Actor['role']): TransitionContext {
    return { state: this.s.state, role, fields: this.s.fields, enteredStateAt: this.s.enteredStateAt, now: this.now() };
  }

  emit(type: TicketEventType, actor: Actor, data: Record<string, unknown>, visibility: 'public' | 'internal' = 'internal'): number {
    this.s.seq += 1;
    if (actor.role !== 'system') this.s.lastActivityAt = this.now();
    const stamped = this.cause ? { ...data, byRule: this.cause } : data;
    this.host.record({ seq: this.s.seq, type, actor, visibility, at: new Date(this.now()).toISOString(), data: stamped });
    return this.s.seq;
  }

  respondFirst(actor: Actor): void {
    const s = this.s;
    if (s.firstResponded || !isAgent(actor)) return;
    s.firstResponded = true;
    s.clocks = s.clocks.map((c) => (c.name === 'firstResponse' ? stopClock(c, this.now(), this.cal(c.calendar)) : c));
  }

  touchedBy(actor: Actor): void {
    if (isAgent(actor)) this.s.lastAgentUpdateAt = this.now();
  }

  enterState(to: string): void {
    const s = this.s;
    const from = stateOf(this.def, s.state);
    const target = stateOf(this.def, to)!;
    const at = this.now();
    withdrawApproval(this, to);
    s.state = to;
    s.enteredStateAt = at;
    if (target.category === 'resolved' || target.category === 'closed') {
      s.clocks = s.clocks.map((c) => stopClock(c, at, this.cal(c.calendar)));
      if (target.category === 'resolved') {
        s.resolvedAt = at;
        if (from?.category !== 'resolved') this.notifyLinkedIncidents();
      }
      if (target.category === 'closed') s.closedAt = at;
      if (from?.category !== 'resolved' && from?.category !== 'closed') this.notifyParent(to);
      return;
    }
    const reopened = from && (from.category === 'resolved' || from.category === 'closed');
    if (reopened) {
      s.resolvedAt = null;
      s.closedAt = null;
      s.clocks = s.clocks.map((c) => (c.name === 'resolution' ? restartClock(c, at) : c));
    }
    s.clocks = s.clocks.map((c) => (target.slaPaused ? pauseClock(c, at, this.cal(c.calendar)) : resumeClock(c, at)));
    // The event that entered the state comes next: its seq names the round.
    if (!s.approval) openApproval(this, to, s.seq + 1);
  }

  applyTransition(name: string, fields: Record<string, unknown>, actor: Actor): number {
    const tr = this.def.transitions.find((x) => x.name === name)!;
    const from = this.s.state;
    Object.assign(this.s.fields, fields);
    this.respondFirst(actor);
    this.touchedBy(actor);
    this.enterState(tr.to);
    return this.emit('transitioned', actor, { transition: name, from, to: tr.to, fields }, 'public');
  }

  /** Takes a transition the desk itself decides on (automations, children done, a solved problem) when the definition allows it now. */
  applyIfAllowed(name: string, fields: Record<string, unknown> = {}): void {
    if (!refuseTransition(this.def, this.ctx('system'), name, fields)) this.applyTransition(name, fields, SYSTEM);
  }

  setPriority(priority: Priority, actor: Actor, reason?: string): number {
    const s = this.s;
    const from = s.priority;
    s.priority = priority;
    s.clocks = s.clocks.map((c) => retargetClock(c, this.def, priority, this.now(), this.cal(c.calendar)));
    return this.emit('priority_changed', actor, { from, to: priority, ...(reason ? { reason } : {}) });
  }

  /** A resolved problem tells each linked incident, which then follows its own definition. */
  private notifyLinkedIncidents(): void {
    if (!(this.def.types as readonly string[]).includes('problem')) return;
    const incidents = this.s.links.filter((x) => x.kind === 'incident');
    for (const l of incidents) this.host.signal({ ticketId: l.ticketId, problem: { problemId: this.ticket.id, number: this.ticket.number, fields: { ...this.s.fields } } });
    if (incidents.length) this.emit('problem_resolved', SYSTEM, { incidents: incidents.map((x) => x.number) });
  }

  private notifyParent(state: string): void {
    const parent = this.s.links.find((l) => l.kind === 'parent');
    if (parent) this.host.signal({ ticketId: parent.ticketId, child: { childId: this.ticket.id, number: this.ticket.number, state } });
  }

  /** A duplicate is closed by merging into its original, whatever transitions its definition offers. */
  mergeInto(number: string, actor: Actor): number {
    const closed = this.def.states.find((x) => x.category === 'closed' && x.name === 'closed') ?? this.def.states.find((x) => x.category === 'closed')!;
    const from = this.s.state;
    this.enterState(closed.name);
    return this.emit('transitioned', actor, { transition: 'merge', from, to: closed.name, into: number }, 'public');
  }

  onChildFinished(c: ChildFinishedSignal): void {
    const open = this.s.openChildren;
    const i = open.indexOf(c.childId);
    if (i < 0) return;
    open.splice(i, 1);
    this.emit('child_finished', SYSTEM, { ...c });
    if (open.length) return;
    this.emit('children_done', SYSTEM, {});
    if (this.def.onChildrenDone) this.applyIfAllowed(this.def.onChildrenDone.transition);
  }

  onProblemResolved(p: ProblemResolvedSignal): void {
    const rule = this.def.onProblemResolved;
    if (!rule || this.isFinished()) {
      this.emit('notification', SYSTEM, { problem: p.number, reason: 'linked problem resolved' });
      return;
    }
    const solution = String((rule.solutionFrom ?? []).map((f) => p.fields[f]).find((v) => v !== undefined && v !== '') ?? '');
    const fill = (text: string) => text.replace('{number}', p.number).replace('{solution}', solution);
    this.emit('commented', SYSTEM, { body: fill(rule.comment.en), bodyFr: fill(rule.comment.fr), problem: p.number }, 'public');
    const fields = rule.setField && solution ? { [rule.setField]: solution } : {};
    if (rule.transition) this.applyIfAllowed(rule.transition, fields);
  }

  /** Time an agent spent, recorded beside the comment or transition (`with`) it was spent on; customers never see it. */
  logTime(minutes: number | undefined, actor: Actor, withSeq: number): number {
    return minutes ? this.emit('time_logged', actor, { minutes, with: withSeq }) : withSeq;
  }

  addComment(body: string, visibility: 'public' | 'internal', actor: Actor): number {
    if (visibility === 'public') this.respondFirst(actor);
    this.touchedBy(actor);
    const seq = this.emit('commented', actor, { body }, visibility);
    this.s.comments[seq] = { authorId: actor.id, visibility };
    return seq;
  }

  changeTags(add: readonly string[], remove: readonly string[], actor: Actor): number {
    const s = this.s;
    const had = new Set(s.tags);
    // The API sends each tag once; the machine keeps its own invariant (a tag at most once) whoever calls it.
    const added = [...new Set(add)].filter((tag) => !had.has(tag));
    const removed = remove.filter((tag) => had.has(tag) && !add.includes(tag));
    s.tags = [...s.tags.filter((tag) => !removed.includes(tag)), ...added].sort();
    return this.emit('tags_changed', actor, { added, removed });
  }

  assignTo(assigneeId: string | null, actor: Actor, moves: { queue?: string | null; group?: string | null } = {}, auto?: AutoAssignment): number {
    const s = this.s;
    const from = { assigneeId: s.assigneeId, queue: s.queue, group: s.group ?? null };
    s.assigneeId = assigneeId;
    if (moves.queue !== undefined) s.queue = moves.queue;
    if (moves.group !== undefined) s.group = moves.group;
    s.unassignedSince = s.assigneeId === null ? this.now() : null;
    this.touchedBy(actor);
    return this.emit('assigned', actor, { from, to: { assigneeId: s.assigneeId, queue: s.queue, group: s.group ?? null }, ...(auto ? { auto } : {}) });
  }

  setFields(fields: Record<string, unknown>, actor: Actor): number {
    // The values replaced go into the event, so a timeline can say what each field was before.
    const before = Object.fromEntries(Object.keys(fields).map((name) => [name, this.s.fields[name] ?? null]));
    Object.assign(this.s.fields, fields);
    this.touchedBy(actor);
    return this.emit('fields_changed', actor, { fields, before });
  }

  /** The state to carry into a continued run or return from a pure step: the fired timers included. */
  carried(): TicketState {
    this.s.fired = [...this.fired];
    return this.s;
  }
}
