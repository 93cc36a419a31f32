// The ticket workflow: a deterministic interpreter of one pinned workflow definition (states, transitions, SLA clocks, escalations, automations).
import {
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
  allHandlersFinished,
} from '@temporalio/workflow';
import {
  availableTransitions,
  calendarOf,
  clockDeadlines,
  customerReplyTransition,
  fieldErrors,
  initialState,
  lockedFields,
  pauseClock,
  PRIORITIES,
  refuseTransition,
  restartClock,
  resumeClock,
  retargetClock,
  startClocks,
  stateOf,
  stopClock,
  viewClock,
  addBusinessMinutes,
  ROUND_THE_CLOCK,
  type EscalationAction,
  type Priority,
  type SlaClock,
  type TransitionRefusal,
  type WorkflowDefinition,
} from '../workflow-definitions/engine';
import type { Activities } from '../activities/index';
import {
  assignUpdate,
  commentUpdate,
  editCommentUpdate,
  fieldsUpdate,
  tagsUpdate,
  macroUpdate,
  absorbUpdate,
  MAX_TAGS,
  linkUpdate,
  migrateUpdate,
  anonymisedSignal,
  problemResolvedSignal,
  childFinishedSignal,
  ticketWorkflowId,
  unlinkUpdate,
  priorityUpdate,
  recordedUpdate,
  REJECTION_TYPES,
  snapshotQuery,
  transitionsQuery,
  transitionUpdate,
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
// A customer's public reply takes the definition's `customer_replied` transition; histories from before keep without.
const CUSTOMER_REPLY_RESUMES = 'customer-reply-resumes';
// A migration into a state that does not pause the clocks resumes them; histories from before left them paused.
const MIGRATION_RESUMES_CLOCKS = 'migration-resumes-clocks';

const SYSTEM: Actor = { id: null, role: 'system' };
/** Continue-as-new well before Temporal's own warning so replays stay short. */
const MAX_HISTORY_EVENTS = 4000;

function reject(r: TransitionRefusal): never {
  throw ApplicationFailure.create({
    type: REJECTION_TYPES[r.kind],
    message: r.message,
    details: [{ code: r.code, errors: r.errors ?? [] }],
    nonRetryable: true,
  });
}

function isAgent(actor: Actor): boolean {
  return actor.role === 'agent' || actor.role === 'admin';
}

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

  // ---- messages ----
  const ctx = (role: Actor['role']) => ({ state: s.state, role, fields: s.fields, enteredStateAt: s.enteredStateAt, now: now() });

  setHandler(snapshotQuery, projection);
  setHandler(transitionsQuery, (role) => availableTransitions(def, ctx(role)));

  setHandler(
    transitionUpdate,
    async (req) => {
      const seq = logTime(req.timeSpent, req.actor, applyTransition(req.transition, req.fields ?? {}, req.actor));
      await persisted(seq);
      return projection();
    },
    {
      validator: (req) => {
        refuseTimeFromNonAgent(req.actor, req.timeSpent);
        const refusal = refuseTransition(def, { ...ctx(req.actor.role), timeSpent: req.timeSpent }, req.transition, req.fields ?? {});
        if (refusal) reject(refusal);
        refuseFinishingParent(req.transition);
      },
    },
  );

  setHandler(
    commentUpdate,
    async (req) => {
      const seq = addComment(req.body, req.visibility, req.actor);
      if (req.actor.role === 'customer' && req.visibility === 'public') {
        const resume = customerReplyTransition(def, ctx('system'));
        if (resume && patched(CUSTOMER_REPLY_RESUMES)) applyTransition(resume, {}, SYSTEM);
      }
      await persisted(logTime(req.timeSpent, req.actor, seq));
      return { seq };
    },
    {
      validator: (req) => {
        refuseTimeFromNonAgent(req.actor, req.timeSpent);
        if (req.actor.role === 'customer' && req.visibility !== 'public') {
          reject({ kind: 'conflict', code: 'internal-note-forbidden', message: 'customers can only write public comments' });
        }
        if (category() === 'closed' && !def.transitions.some((x) => x.from.includes(s.state))) {
          reject({ kind: 'conflict', code: 'ticket-closed', message: 'the ticket is closed' });
        }
      },
    },
  );

  setHandler(
    editCommentUpdate,
    async (req) => {
      const seq = emit('comment_edited', req.actor, { seq: req.seq, body: req.body }, comments[req.seq].visibility);
      await persisted(seq);
      return { seq };
    },
    {
      validator: (req) => {
        const c = comments[req.seq];
        if (!c) reject({ kind: 'conflict', code: 'no-such-comment', message: `event ${req.seq} is not a comment that can be edited` });
        if (c.authorId !== req.actor.id && req.actor.role !== 'admin') reject({ kind: 'conflict', code: 'not-author', message: 'only its author or an admin edits a comment' });
        if (req.actor.role === 'customer' && c.visibility !== 'public') reject({ kind: 'conflict', code: 'no-such-comment', message: `event ${req.seq} is not a comment that can be edited` });
      },
    },
  );

  setHandler(
    assignUpdate,
    async (req) => {
      const seq = assignTo(req.assigneeId, req.actor, { queue: req.queue, group: req.group });
      await persisted(seq);
      return projection();
    },
    {
      validator: (req) => {
        if (!isAgent(req.actor) && req.actor.role !== 'system') reject({ kind: 'conflict', code: 'role-not-allowed', message: 'only agents assign tickets' });
        if (category() === 'closed') reject({ kind: 'conflict', code: 'ticket-closed', message: 'the ticket is closed' });
      },
    },
  );

  setHandler(
    priorityUpdate,
    async (req) => {
      const seq = setPriority(req.priority, req.actor);
      if (isAgent(req.actor)) s.lastAgentUpdateAt = now();
      await persisted(seq);
      return projection();
    },
    {
      validator: (req) => {
        if (!isAgent(req.actor)) reject({ kind: 'conflict', code: 'role-not-allowed', message: 'only agents change the priority' });
        if (!PRIORITIES.includes(req.priority)) reject({ kind: 'invalid', code: 'invalid-priority', message: `unknown priority '${req.priority}'` });
        if (req.priority === s.priority) reject({ kind: 'conflict', code: 'unchanged', message: `the priority is already ${s.priority}` });
        if (isFinished()) reject({ kind: 'conflict', code: 'ticket-finished', message: 'the ticket is resolved or closed' });
      },
    },
  );

  setHandler(
    fieldsUpdate,
    async (req) => {
      const seq = setFields(req.fields, req.actor);
      await persisted(seq);
      return projection();
    },
    {
      validator: (req) => {
        const errors = fieldErrors(def, req.fields);
        if (errors.length) reject({ kind: 'invalid', code: 'invalid-fields', message: errors.map((e) => e.message).join('; '), errors });
        const locked = lockedFields(def, req.actor.role, req.fields);
        if (locked.length) reject({ kind: 'conflict', code: 'field-not-editable', message: `customers cannot change ${locked.join(', ')}` });
        if (category() === 'closed') reject({ kind: 'conflict', code: 'ticket-closed', message: 'the ticket is closed' });
      },
    },
  );

  setHandler(
    tagsUpdate,
    async (req) => {
      const seq = changeTags(req.add, req.remove, req.actor);
      await persisted(seq);
      return projection();
    },
    {
      validator: (req) => {
        if (!isAgent(req.actor) && req.actor.role !== 'system') reject({ kind: 'conflict', code: 'role-not-allowed', message: 'only agents tag tickets' });
        const { changes, tooMany } = tagsChange(req.add, req.remove);
        if (tooMany) reject({ kind: 'invalid', code: 'too-many-tags', message: `a ticket holds at most ${MAX_TAGS} tags` });
        if (!changes) reject({ kind: 'conflict', code: 'unchanged', message: 'the ticket already has these tags' });
      },
    },
  );

  setHandler(
    macroUpdate,
    async (req) => {
      let seq = emit('macro_applied', req.actor, { macro: req.macro });
      if (req.fields && Object.keys(req.fields).length) seq = setFields(req.fields, req.actor);
      if (req.priority !== undefined && req.priority !== s.priority) seq = setPriority(req.priority, req.actor);
      if (req.tags && tagsChange(req.tags.add, req.tags.remove).changes) seq = changeTags(req.tags.add, req.tags.remove, req.actor);
      if (req.assign && req.assign.assigneeId !== s.assigneeId) seq = assignTo(req.assign.assigneeId, req.actor);
      if (req.comment) seq = addComment(req.comment.body, req.comment.visibility, req.actor);
      seq = logTime(req.timeSpent, req.actor, seq);
      if (req.transition) seq = applyTransition(req.transition, {}, req.actor);
      s.lastAgentUpdateAt = now();
      await persisted(seq);
      return projection();
    },
    {
      // Every part is checked here, before any is applied: a refused part changes nothing on the ticket.
      validator: (req) => {
        if (!isAgent(req.actor)) reject({ kind: 'conflict', code: 'role-not-allowed', message: 'only agents apply macros' });
        const closed = category() === 'closed';
        const fields = req.fields ?? {};
        if (Object.keys(fields).length) {
          if (closed) reject({ kind: 'conflict', code: 'ticket-closed', message: 'the ticket is closed: its fields cannot change' });
          const errors = fieldErrors(def, fields);
          if (errors.length) reject({ kind: 'invalid', code: 'invalid-fields', message: errors.map((e) => e.message).join('; '), errors });
        }
        if (req.priority !== undefined && req.priority !== s.priority) {
          if (!PRIORITIES.includes(req.priority)) reject({ kind: 'invalid', code: 'invalid-priority', message: `unknown priority '${req.priority}'` });
          if (isFinished()) reject({ kind: 'conflict', code: 'ticket-finished', message: 'the ticket is resolved or closed: its priority cannot change' });
        }
        const tags = req.tags ? tagsChange(req.tags.add, req.tags.remove) : { changes: false, tooMany: false };
        if (tags.tooMany) reject({ kind: 'invalid', code: 'too-many-tags', message: `a ticket holds at most ${MAX_TAGS} tags` });
        const reassigns = req.assign !== undefined && req.assign.assigneeId !== s.assigneeId;
        if (reassigns && closed) reject({ kind: 'conflict', code: 'ticket-closed', message: 'the ticket is closed: it cannot be assigned' });
        if (req.comment && closed && !def.transitions.some((x) => x.from.includes(s.state))) reject({ kind: 'conflict', code: 'ticket-closed', message: 'the ticket is closed' });
        if (req.timeSpent !== undefined && !req.comment && !req.transition) reject({ kind: 'invalid', code: 'time-without-work', message: 'time is recorded with a comment or a transition' });
        if (req.transition) {
          const refusal = refuseTransition(def, { ...ctx(req.actor.role), fields: { ...s.fields, ...fields }, timeSpent: req.timeSpent }, req.transition, {});
          if (refusal) reject(refusal);
          refuseFinishingParent(req.transition);
        }
        const changes = Object.keys(fields).length > 0 || (req.priority !== undefined && req.priority !== s.priority) || tags.changes || reassigns || req.comment || req.transition;
        if (!changes) reject({ kind: 'conflict', code: 'unchanged', message: 'the macro would change nothing on this ticket' });
      },
    },
  );

  setHandler(
    absorbUpdate,
    async (req) => {
      for (const c of req.comments) {
        const seq = emit('commented', { id: c.authorId, role: c.authorRole }, { body: c.body, mergedFrom: req.from.number, originalAt: c.at }, c.visibility);
        comments[seq] = { authorId: c.authorId, visibility: c.visibility };
      }
      const seq = emit('merged_in', req.actor, { from: req.from, comments: req.comments.length });
      await persisted(seq);
      return projection();
    },
    {
      validator: (req) => {
        if (!isAgent(req.actor)) reject({ kind: 'conflict', code: 'role-not-allowed', message: 'only agents merge tickets' });
        if (!links.some((l) => l.kind === 'duplicated_by' && l.ticketId === req.from.ticketId)) {
          reject({ kind: 'conflict', code: 'not-a-duplicate', message: `${req.from.number} is not merged into this ticket` });
        }
      },
    },
  );

  setHandler(anonymisedSignal, ({ title }) => {
    s.title = title;
    s.description = '';
    s.anonymised = true;
  });
  setHandler(problemResolvedSignal, onProblemResolved);
  setHandler(childFinishedSignal, onChildFinished);

  setHandler(
    linkUpdate,
    async (req) => {
      links.push(req.link);
      if (req.link.kind === 'child') openChildren.push(req.link.ticketId);
      let seq = emit('linked', req.actor, { ...req.link });
      if (req.link.kind === 'duplicate_of') seq = mergeInto(req.link.number, req.actor);
      await persisted(seq);
      return projection();
    },
    {
      validator: (req) => {
        if (!isAgent(req.actor) && req.actor.role !== 'system') reject({ kind: 'conflict', code: 'role-not-allowed', message: 'only agents link tickets' });
        if (req.link.ticketId === t.id) reject({ kind: 'conflict', code: 'self-link', message: 'a ticket cannot be linked to itself' });
        if (links.some((l) => l.ticketId === req.link.ticketId && l.kind === req.link.kind)) reject({ kind: 'conflict', code: 'already-linked', message: `already linked to ${req.link.number}` });
        if (req.link.kind === 'problem' && links.some((l) => l.kind === 'problem')) reject({ kind: 'conflict', code: 'one-problem', message: 'an incident links to one problem at most' });
        if (req.link.kind === 'parent' && links.some((l) => l.kind === 'parent')) reject({ kind: 'conflict', code: 'one-parent', message: 'a ticket has one parent at most' });
        if (req.link.kind === 'parent' && isFinished()) reject({ kind: 'conflict', code: 'ticket-finished', message: 'a resolved ticket cannot become a child' });
        if (req.link.kind === 'duplicate_of' && links.some((l) => l.kind === 'duplicate_of')) reject({ kind: 'conflict', code: 'already-merged', message: 'the ticket is already merged' });
        if (req.link.kind === 'duplicate_of' && !def.states.some((x) => x.category === 'closed')) reject({ kind: 'conflict', code: 'no-closed-state', message: `${def.key} has no closed state to merge into` });
        if (category() === 'closed') reject({ kind: 'conflict', code: 'ticket-closed', message: 'the ticket is closed' });
      },
    },
  );

  setHandler(
    unlinkUpdate,
    async (req) => {
      const i = links.findIndex((l) => l.ticketId === req.link.ticketId && l.kind === req.link.kind);
      links.splice(i, 1);
      const c = openChildren.indexOf(req.link.ticketId);
      if (req.link.kind === 'child' && c >= 0) openChildren.splice(c, 1);
      const seq = emit('unlinked', req.actor, { ...req.link });
      await persisted(seq);
      return projection();
    },
    {
      validator: (req) => {
        if (!isAgent(req.actor) && req.actor.role !== 'system') reject({ kind: 'conflict', code: 'role-not-allowed', message: 'only agents unlink tickets' });
        if (!links.some((l) => l.ticketId === req.link.ticketId && l.kind === req.link.kind)) reject({ kind: 'conflict', code: 'not-linked', message: `not linked to ${req.link.number}` });
      },
    },
  );

  setHandler(
    migrateUpdate,
    async (req) => {
      const from = { version: defVersion, state: s.state };
      const to = req.stateMapping[s.state] ?? s.state;
      def = req.definition;
      defVersion = req.version;
      input.definition = def;
      input.definitionVersion = defVersion;
      s.state = to;
      const at = now();
      s.clocks = s.clocks.map((c) => retargetClock(c, def, s.priority, at, cal(c.calendar)));
      // The clocks follow the new version's rule for the state the ticket lands in, whichever way it went.
      const target = stateOf(def, to);
      const waiting = s.clocks.some((c) => c.runningSince === null && c.stoppedAt === null);
      if (target?.slaPaused) s.clocks = s.clocks.map((c) => pauseClock(c, at, cal(c.calendar)));
      else if (waiting && target?.category !== 'resolved' && target?.category !== 'closed' && patched(MIGRATION_RESUMES_CLOCKS)) {
        s.clocks = s.clocks.map((c) => resumeClock(c, at));
      }
      const seq = emit('migrated', req.actor, { from, to: { version: defVersion, state: to } });
      await persisted(seq);
      return projection();
    },
    {
      validator: (req) => {
        if (req.actor.role !== 'admin') reject({ kind: 'conflict', code: 'role-not-allowed', message: 'only admins migrate tickets' });
        if (req.definition.key !== def.key) reject({ kind: 'conflict', code: 'other-definition', message: `the ticket runs ${def.key}, not ${req.definition.key}` });
        if (req.version <= defVersion) reject({ kind: 'conflict', code: 'not-newer', message: `the ticket already runs version ${defVersion}` });
        const to = req.stateMapping[s.state] ?? s.state;
        if (!req.definition.states.some((x: { name: string }) => x.name === to)) {
          reject({ kind: 'invalid', code: 'unmapped-state', message: `state '${s.state}' has no counterpart in version ${req.version}`, errors: [{ pointer: `/stateMapping/${s.state}`, message: 'map this state' }] });
        }
      },
    },
  );

  // The API created tickets with this update until it began answering from the start alone; tickets opened that way
  // replay it, and integrators may still ask for a ticket as recorded.
  setHandler(recordedUpdate, async () => {
    await persisted(1);
    return projection();
  });

  // ---- timers: SLA deadlines, escalations, automations ----
  interface Due {
    key: string;
    at: number;
    fire: () => void;
  }

  function runActions(escalation: string, actions: readonly EscalationAction[]): void {
    emit('escalated', SYSTEM, { escalation });
    for (const a of actions) {
      if (a.type === 'notify') emit('notification', SYSTEM, { escalation, role: a.role ?? null, group: a.group ?? null, user: a.user ?? null });
      else if (a.type === 'reassign') {
        const from = { assigneeId: s.assigneeId, queue: s.queue };
        if (a.queue) s.queue = a.queue;
        if (a.group) s.group = a.group;
        s.assigneeId = null;
        s.unassignedSince = now();
        emit('assigned', SYSTEM, { from, to: { assigneeId: null, queue: s.queue }, escalation, group: a.group ?? null });
      } else if (a.type === 'raisePriority') {
        const i = PRIORITIES.indexOf(s.priority);
        if (i < PRIORITIES.length - 1) setPriority(PRIORITIES[i + 1], SYSTEM, escalation);
      } else if (a.type === 'addNote') emit('commented', SYSTEM, { body: a.text.en, bodyFr: a.text.fr, escalation }, 'internal');
      else if (a.type === 'emit') emit('event_emitted', SYSTEM, { event: a.event, escalation });
    }
  }

  function dueTimers(): Due[] {
    const due: Due[] = [];
    for (const clock of s.clocks) {
      const d = clockDeadlines(clock, cal(clock.calendar));
      if (!d) continue;
      for (const level of ['warning', 'breach'] as const) {
        const at = level === 'warning' ? d.warningAt : d.breachAt;
        const key = `sla:${clock.name}.${level}`;
        if (!fired.has(key)) {
          due.push({ key, at, fire: () => emit(level === 'warning' ? 'sla_warning' : 'sla_breached', SYSTEM, { clock: clock.name, deadline: new Date(at).toISOString() }) });
        }
        for (const e of def.escalations ?? []) {
          if (e.on !== `${clock.name}.${level}` || fired.has(`esc:${e.name}`)) continue;
          due.push({ key: `esc:${e.name}`, at: at + (e.afterMinutes ?? 0) * 60_000, fire: () => runActions(e.name, e.actions) });
        }
      }
    }
    if (!isFinished()) {
      for (const e of def.escalations ?? []) {
        if (fired.has(`esc:${e.name}`)) continue;
        if (e.on === 'unassigned' && s.unassignedSince !== null) {
          due.push({ key: `esc:${e.name}`, at: s.unassignedSince + e.afterMinutes! * 60_000, fire: () => runActions(e.name, e.actions) });
        }
        if (e.on === 'noAgentUpdate') {
          due.push({ key: `esc:${e.name}`, at: s.lastAgentUpdateAt + e.afterMinutes! * 60_000, fire: () => runActions(e.name, e.actions) });
        }
      }
    }
    for (const a of def.automations ?? []) {
      if (a.inState !== s.state) continue;
      const key = `auto:${a.name}:${s.enteredStateAt}`;
      if (fired.has(key)) continue;
      const calendar = a.calendar && a.calendar !== ROUND_THE_CLOCK ? cal(a.calendar) : null;
      due.push({
        key,
        at: addBusinessMinutes(s.enteredStateAt, a.afterMinutes, calendar),
        fire: () => {
          if (a.remind) emit('reminder', SYSTEM, { automation: a.name, text: a.remind.en, textFr: a.remind.fr }, 'public');
          if (a.transition && !refuseTransition(def, ctx('system'), a.transition, {})) applyTransition(a.transition, {}, SYSTEM);
        },
      });
    }
    return due;
  }

  /** A closed ticket whose reopen windows have all passed can never change again. */
  function finalAfter(): number | null {
    if (category() !== 'closed') return null;
    const windows = def.transitions.filter((x) => x.from.includes(s.state)).map((x) => x.withinMinutes ?? 0);
    return s.enteredStateAt + Math.max(0, ...windows) * 60_000;
  }

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
