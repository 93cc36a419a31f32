// The ticket workflow: a deterministic interpreter of one pinned workflow definition (states, transitions, SLA clocks, escalations, automations).
import {
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  proxyLocalActivities,
  workflowInfo,
  allHandlersFinished,
} from '@temporalio/workflow';
import {
  calendarOf,
  initialState,
  pauseClock,
  refuseTransition,
  restartClock,
  resumeClock,
  retargetClock,
  startClocks,
  stateOf,
  stopClock,
  viewClock,
  type Priority,
  type SlaClock,
  type WorkflowDefinition,
} from '../workflow-definitions/engine';
import type { Activities } from '../activities/index';
import {
  MAX_TAGS,
  problemResolvedSignal,
  childFinishedSignal,
  ticketWorkflowId,
  type Actor,
  type CarriedTicketState,
  type TicketEvent,
  type TicketEventType,
  type TicketProjection,
  type TicketWorkflowInput,
  type ProblemResolvedSignal,
  type ChildFinishedSignal,
} from './ticket-messages';
import { slaSummary } from './ticket-initial';
import { registerTicketHandlers } from './ticket-handlers';
import { ticketTimers } from './ticket-timers';
import { isAgent, reject, SYSTEM, type TicketRun } from './ticket-run';

const { recordTicketEvents } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // The read model must eventually follow: retry for as long as the database is away.
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

// The same write as a local activity: it runs inside the worker without a round trip through the Temporal server,
// which halves the latency of every event. Tickets started before this change keep the remote activity (see `patched`).
const { recordTicketEvents: recordTicketEventsLocally } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});
const LOCAL_READ_MODEL_WRITES = 'read-model-local-activity';
/** Continue-as-new well before Temporal's own warning so replays stay short. */
const MAX_HISTORY_EVENTS = 4000;

export async function ticketWorkflow(input: TicketWorkflowInput): Promise<TicketProjection> {
  // A migration swaps the definition at a safe point (between workflow tasks): everything reads these two.
  let def: WorkflowDefinition = input.definition;
  let defVersion = input.definitionVersion;
  const t = input.ticket;
  const createdAtMs = Date.parse(t.createdAt);

  // ---- state, in one object ----
  const s: CarriedTicketState = input.carried ?? {
    state: initialState(def).name,
    enteredStateAt: createdAtMs,
    priority: t.priority,
    assigneeId: null,
    queue: t.queue,
    fields: { ...t.fields },
    clocks: startClocks(def, t.priority, createdAtMs, !initialState(def).slaPaused),
    seq: 0,
    fired: [],
    unassignedSince: createdAtMs,
    lastAgentUpdateAt: createdAtMs,
    firstResponded: false,
    title: t.title,
    description: t.description,
    resolvedAt: null,
    closedAt: null,
    links: [],
  };
  s.links ??= [];
  s.openChildren ??= [];
  s.comments ??= {};
  s.tags ??= [];
  const comments = s.comments;
  const links = s.links;
  const openChildren = s.openChildren;
  const fired = new Set(s.fired);
  const pending: TicketEvent[] = [];
  /** Signals to other tickets, sent by the main loop (handlers stay synchronous where they can). */
  const outbox: Array<{ ticketId: string; problem?: ProblemResolvedSignal; child?: ChildFinishedSignal }> = [];
  let persistedSeq = s.seq;
  let updatedAt = input.carried ? Date.now() : createdAtMs;

  const now = (): number => Date.now();
  const cal = (name: string) => calendarOf(def, name);
  const category = (): string => stateOf(def, s.state)?.category ?? 'open';
  const isFinished = (): boolean => category() === 'resolved' || category() === 'closed';

  function emit(type: TicketEventType, actor: Actor, data: Record<string, unknown>, visibility: 'public' | 'internal' = 'internal'): number {
    s.seq += 1;
    updatedAt = now();
    pending.push({ seq: s.seq, type, actor, visibility, at: new Date(updatedAt).toISOString(), data });
    return s.seq;
  }

  function projection(): TicketProjection {
    const at = now();
    const views = s.clocks.map((c) => viewClock(c, at, cal(c.calendar)));
    const { slaStatus, slaDueAt } = slaSummary(views);
    return {
      id: t.id,
      number: t.number,
      type: t.type,
      title: s.title,
      description: s.description,
      priority: s.priority,
      state: s.state,
      stateCategory: category(),
      queue: s.queue,
      assigneeId: s.assigneeId,
      assignedGroup: s.group ?? null,
      requesterId: t.requesterId,
      organisationId: t.organisationId ?? null,
      definitionKey: def.key,
      definitionVersion: defVersion,
      fields: s.fields,
      links: [...links],
      tags: [...(s.tags ?? [])],
      sla: views,
      slaStatus,
      slaDueAt,
      lastSeq: s.seq,
      createdAt: t.createdAt,
      updatedAt: new Date(updatedAt).toISOString(),
      resolvedAt: s.resolvedAt === null ? null : new Date(s.resolvedAt).toISOString(),
      closedAt: s.closedAt === null ? null : new Date(s.closedAt).toISOString(),
    };
  }

  /** Waits until every event up to `seq` is in the read model, so an update's answer is readable at once. */
  async function persisted(seq: number): Promise<void> {
    await condition(() => persistedSeq >= seq);
  }

  function respondFirst(actor: Actor): void {
    if (s.firstResponded || !isAgent(actor)) return;
    s.firstResponded = true;
    s.clocks = s.clocks.map((c) => (c.name === 'firstResponse' ? stopClock(c, now(), cal(c.calendar)) : c));
  }

  function enterState(to: string): void {
    const from = stateOf(def, s.state);
    const target = stateOf(def, to)!;
    const at = now();
    s.state = to;
    s.enteredStateAt = at;
    if (target.category === 'resolved' || target.category === 'closed') {
      s.clocks = s.clocks.map((c) => stopClock(c, at, cal(c.calendar)));
      if (target.category === 'resolved') {
        s.resolvedAt = at;
        if (from?.category !== 'resolved') notifyLinkedIncidents();
      }
      if (target.category === 'closed') s.closedAt = at;
      if (from?.category !== 'resolved' && from?.category !== 'closed') notifyParent(to);
      return;
    }
    const reopened = from && (from.category === 'resolved' || from.category === 'closed');
    if (reopened) {
      s.resolvedAt = null;
      s.closedAt = null;
      s.clocks = s.clocks.map((c) => (c.name === 'resolution' ? restartClock(c, at) : c));
    }
    s.clocks = s.clocks.map((c) => (target.slaPaused ? pauseClock(c, at, cal(c.calendar)) : resumeClock(c, at)));
  }

  function applyTransition(name: string, fields: Record<string, unknown>, actor: Actor): number {
    const tr = def.transitions.find((x) => x.name === name)!;
    const from = s.state;
    Object.assign(s.fields, fields);
    respondFirst(actor);
    if (isAgent(actor)) s.lastAgentUpdateAt = now();
    enterState(tr.to);
    return emit('transitioned', actor, { transition: name, from, to: tr.to, fields }, 'public');
  }

  function setPriority(priority: Priority, actor: Actor, reason?: string): number {
    const from = s.priority;
    s.priority = priority;
    s.clocks = s.clocks.map((c) => retargetClock(c, def, priority, now(), cal(c.calendar)));
    return emit('priority_changed', actor, { from, to: priority, ...(reason ? { reason } : {}) });
  }

  /** A resolved problem tells each linked incident, which then follows its own definition. */
  function notifyLinkedIncidents(): void {
    if (!(def.types as readonly string[]).includes('problem')) return;
    const incidents = links.filter((x) => x.kind === 'incident');
    for (const l of incidents) outbox.push({ ticketId: l.ticketId, problem: { problemId: t.id, number: t.number, fields: { ...s.fields } } });
    if (incidents.length) emit('problem_resolved', SYSTEM, { incidents: incidents.map((x) => x.number) });
  }

  /** A duplicate is closed by merging into its original, whatever transitions its definition offers. */
  function mergeInto(number: string, actor: Actor): number {
    const closed = def.states.find((x) => x.category === 'closed' && x.name === 'closed') ?? def.states.find((x) => x.category === 'closed')!;
    const from = s.state;
    enterState(closed.name);
    return emit('transitioned', actor, { transition: 'merge', from, to: closed.name, into: number }, 'public');
  }

  function notifyParent(state: string): void {
    const parent = links.find((l) => l.kind === 'parent');
    if (parent) outbox.push({ ticketId: parent.ticketId, child: { childId: t.id, number: t.number, state } });
  }

  function onChildFinished(c: ChildFinishedSignal): void {
    const i = openChildren.indexOf(c.childId);
    if (i < 0) return;
    openChildren.splice(i, 1);
    emit('child_finished', SYSTEM, { ...c });
    if (openChildren.length) return;
    emit('children_done', SYSTEM, {});
    const rule = def.onChildrenDone;
    if (rule && !refuseTransition(def, ctx('system'), rule.transition, {})) applyTransition(rule.transition, {}, SYSTEM);
  }

  function onProblemResolved(p: ProblemResolvedSignal): void {
    const rule = def.onProblemResolved;
    if (!rule || isFinished()) {
      emit('notification', SYSTEM, { problem: p.number, reason: 'linked problem resolved' });
      return;
    }
    const solution = String((rule.solutionFrom ?? []).map((f) => p.fields[f]).find((v) => v !== undefined && v !== '') ?? '');
    const fill = (text: string) => text.replace('{number}', p.number).replace('{solution}', solution);
    emit('commented', SYSTEM, { body: fill(rule.comment.en), bodyFr: fill(rule.comment.fr), problem: p.number }, 'public');
    const fields = rule.setField && solution ? { [rule.setField]: solution } : {};
    if (rule.transition && !refuseTransition(def, ctx('system'), rule.transition, fields)) applyTransition(rule.transition, fields, SYSTEM);
  }

  /** Time an agent spent, recorded beside the comment or transition (`with`) it was spent on; customers never see it. */
  function logTime(minutes: number | undefined, actor: Actor, withSeq: number): number {
    return minutes ? emit('time_logged', actor, { minutes, with: withSeq }) : withSeq;
  }

  function addComment(body: string, visibility: 'public' | 'internal', actor: Actor): number {
    if (visibility === 'public') respondFirst(actor);
    if (isAgent(actor)) s.lastAgentUpdateAt = now();
    const seq = emit('commented', actor, { body }, visibility);
    comments[seq] = { authorId: actor.id, visibility };
    return seq;
  }

  function changeTags(add: readonly string[], remove: readonly string[], actor: Actor): number {
    const had = new Set(s.tags);
    const added = add.filter((tag) => !had.has(tag));
    const removed = remove.filter((tag) => had.has(tag) && !add.includes(tag));
    s.tags = [...(s.tags ?? []).filter((tag) => !removed.includes(tag)), ...added].sort();
    return emit('tags_changed', actor, { added, removed });
  }

  function tagsChange(add: readonly string[], remove: readonly string[]): { changes: boolean; tooMany: boolean } {
    const after = new Set([...(s.tags ?? []).filter((tag) => !remove.includes(tag)), ...add]);
    const changes = add.some((tag) => !(s.tags ?? []).includes(tag)) || remove.some((tag) => (s.tags ?? []).includes(tag));
    return { changes, tooMany: after.size > MAX_TAGS };
  }

  function assignTo(assigneeId: string | null, actor: Actor, moves: { queue?: string | null; group?: string | null } = {}): number {
    const from = { assigneeId: s.assigneeId, queue: s.queue, group: s.group ?? null };
    s.assigneeId = assigneeId;
    if (moves.queue !== undefined) s.queue = moves.queue;
    if (moves.group !== undefined) s.group = moves.group;
    s.unassignedSince = s.assigneeId === null ? now() : null;
    if (isAgent(actor)) s.lastAgentUpdateAt = now();
    return emit('assigned', actor, { from, to: { assigneeId: s.assigneeId, queue: s.queue, group: s.group ?? null } });
  }

  function setFields(fields: Record<string, unknown>, actor: Actor): number {
    // The values replaced go into the event, so a timeline can say what each field was before.
    const before = Object.fromEntries(Object.keys(fields).map((name) => [name, s.fields[name] ?? null]));
    Object.assign(s.fields, fields);
    if (isAgent(actor)) s.lastAgentUpdateAt = now();
    return emit('fields_changed', actor, { fields, before });
  }

  /** A parent cannot finish while its children are open. */
  function refuseFinishingParent(transition: string): void {
    const to = stateOf(def, def.transitions.find((x) => x.name === transition)!.to)!;
    if (openChildren.length && (to.category === 'resolved' || to.category === 'closed')) {
      reject({ kind: 'conflict', code: 'children-open', message: `${openChildren.length} child ticket(s) are still open` });
    }
  }

  function refuseTimeFromNonAgent(actor: Actor, timeSpent: number | undefined): void {
    if (timeSpent !== undefined && !isAgent(actor)) reject({ kind: 'conflict', code: 'role-not-allowed', message: 'only agents record time spent' });
  }

  // Record the creation before any handler is registered: a message delivered with the start (update-with-start, or
  // the first task retried after a worker died) runs as soon as its handler is set, and must come after `created`.
  if (!input.carried) {
    emit('created', t.createdBy, { title: t.title, priority: t.priority, type: t.type, state: s.state, definition: { key: def.key, version: input.definitionVersion } }, 'public');
  }

  const ctx = (role: Actor['role']) => ({ state: s.state, role, fields: s.fields, enteredStateAt: s.enteredStateAt, now: now() });

  const run: TicketRun = {
    get def() {
      return def;
    },
    get defVersion() {
      return defVersion;
    },
    migrate(definition, version) {
      def = definition;
      defVersion = version;
    },
    input, t, s, comments, links, openChildren, fired, now, cal, category, isFinished, ctx, emit, projection, persisted, applyTransition, setPriority,
    mergeInto, onChildFinished, onProblemResolved, logTime, addComment, changeTags, tagsChange, assignTo, setFields, refuseFinishingParent,
    refuseTimeFromNonAgent,
  };
  registerTicketHandlers(run);
  const { dueTimers, finalAfter } = ticketTimers(run);

  // ---- main loop: persist events in order, fire what is due, sleep until the next deadline or message ----
  for (;;) {
    if (outbox.length) {
      const batch = outbox.splice(0, outbox.length);
      // A linked ticket that has meanwhile finished cannot hear us; that must not fail this ticket.
      await Promise.all(
        batch.map((o) => {
          const other = getExternalWorkflowHandle(ticketWorkflowId(o.ticketId));
          return (o.problem ? other.signal(problemResolvedSignal, o.problem) : other.signal(childFinishedSignal, o.child!)).catch(() => undefined);
        }),
      );
      continue;
    }
    if (pending.length) {
      const batch = pending.splice(0, pending.length);
      const record = patched(LOCAL_READ_MODEL_WRITES) ? recordTicketEventsLocally : recordTicketEvents;
      await record({ ticketId: t.id, events: batch, row: projection() });
      persistedSeq = batch[batch.length - 1].seq;
      continue;
    }
    const current = now();
    const timers = dueTimers().sort((a, b) => a.at - b.at);
    const ready = timers.filter((d) => d.at <= current);
    if (ready.length) {
      for (const d of ready) {
        fired.add(d.key);
        d.fire();
      }
      continue;
    }
    const end = finalAfter();
    // Handlers wait for their events to be persisted, so a pending event must wake this wait too.
    if (end !== null && end <= current) {
      await condition(() => allHandlersFinished() || pending.length > 0);
      if (pending.length === 0) return projection();
      continue;
    }
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > (input.historyLimit ?? MAX_HISTORY_EVENTS)) {
      await condition(() => allHandlersFinished() || pending.length > 0);
      if (pending.length) continue;
      s.fired = [...fired];
      // The next run's input must not carry the original words of an anonymised ticket either.
      await continueAsNew<typeof ticketWorkflow>({ ...input, ...(s.anonymised ? { ticket: { ...t, title: s.title, description: '' } } : {}), carried: s });
    }
    const wakeAt = Math.min(timers[0]?.at ?? Infinity, end ?? Infinity);
    const seqBefore = s.seq;
    const timeout = Number.isFinite(wakeAt) ? Math.max(1, wakeAt - current) : undefined;
    if (timeout === undefined) await condition(() => s.seq !== seqBefore || pending.length > 0 || outbox.length > 0);
    else await condition(() => s.seq !== seqBefore || pending.length > 0 || outbox.length > 0, timeout);
  }
}

export type { SlaClock };
