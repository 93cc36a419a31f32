// The ticket workflow: the Temporal shell around the pure ticket machine (workflow-definitions/ticket-machine), which
// decides every command and timer of a ticket pinned to one definition version. The shell brings Temporal's clock,
// messages, timers and activities: it records the machine's events in the read model, sends its signals to other
// tickets, sleeps until the next timer and continues as new before the history grows long.
import {
  condition,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
  allHandlersFinished,
} from '@temporalio/workflow';
import { calendarOf, openingState, ticketMachine, viewClock, type OutboundSignal, type SlaClock } from '../workflow-definitions/engine';
import type { Activities } from '../activities/index';
import { problemResolvedSignal, childFinishedSignal, rulesChangedSignal, ticketWorkflowId, type TicketEvent, type TicketProjection, type TicketWorkflowInput } from './ticket-messages';
import { slaSummary } from './ticket-initial';
import { registerTicketHandlers } from './ticket-handlers';
import { continueOnCurrentVersion, newWorkerVersionSignal, newerVersionIsCurrent } from './deployment-messages';

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
// Who approves: asked of the directory once per round, inside the worker (a short read); the idle rules, likewise,
// when the desk says they changed.
const { findApprovers, currentIdleRules } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});
const LOCAL_READ_MODEL_WRITES = 'read-model-local-activity';
/** Continue-as-new well before Temporal's own warning so replays stay short. */
const MAX_HISTORY_EVENTS = 4000;

export async function ticketWorkflow(input: TicketWorkflowInput): Promise<TicketProjection> {
  const t = input.ticket;
  const createdAtMs = Date.parse(t.createdAt);
  const pending: TicketEvent[] = [];
  /** Signals to other tickets, sent by the main loop (handlers stay synchronous where they can). */
  const outbox: OutboundSignal[] = [];
  let updatedAt = input.carried ? Date.now() : createdAtMs;

  const machine = ticketMachine(
    { definition: input.definition, version: input.definitionVersion, ticket: { id: t.id, number: t.number }, state: input.carried ?? openingState(input.definition, t, createdAtMs) },
    {
      now: () => Date.now(),
      patched,
      record: (event) => {
        updatedAt = Date.now();
        pending.push(event);
      },
      signal: (out) => outbox.push(out),
    },
  );
  const s = machine.state;
  let persistedSeq = s.seq;

  function projection(): TicketProjection {
    const at = Date.now();
    const views = s.clocks.map((c) => viewClock(c, at, calendarOf(machine.def, c.calendar)));
    const { slaStatus, slaDueAt } = slaSummary(views);
    return {
      id: t.id,
      number: t.number,
      type: t.type,
      title: s.title,
      description: s.description,
      priority: s.priority,
      state: s.state,
      stateCategory: machine.category(),
      queue: s.queue,
      assigneeId: s.assigneeId,
      assignedGroup: s.group ?? null,
      requesterId: t.requesterId,
      organisationId: t.organisationId ?? null,
      definitionKey: machine.def.key,
      definitionVersion: machine.version,
      fields: s.fields,
      links: [...s.links],
      tags: [...s.tags],
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

  // Record the creation before any handler is registered: a message delivered with the start (update-with-start, or
  // the first task retried after a worker died) runs as soon as its handler is set, and must come after `created`.
  if (!input.carried) machine.created(t.createdBy, t);
  registerTicketHandlers(machine, { projection, persisted });
  let nudged = false;
  setHandler(newWorkerVersionSignal, () => void (nudged = true));
  let rulesStale = false;
  setHandler(rulesChangedSignal, ({ generation }) => void (rulesStale ||= generation > (s.rules?.generation ?? 0)));

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
      const rules = await record({ ticketId: t.id, events: batch, row: projection(), rulesGeneration: s.rules?.generation ?? 0 });
      persistedSeq = batch[batch.length - 1].seq;
      // The rules' firings are recorded in history with the write that decided them: a replay runs the same ones.
      if (rules) machine.apply({ kind: 'rules', ...rules });
      continue;
    }
    // Only definitions with approvals get here: older histories never asked, so they replay unchanged.
    const asking = machine.awaitingApprovers();
    if (asking) {
      const found = await findApprovers({ ticketId: t.id, requesterId: t.requesterId, fields: s.fields, approvers: asking.approvers });
      machine.apply({ kind: 'approvers', round: asking.round, ...found });
      continue;
    }
    // Only tickets told that the idle rules changed get here: older histories never were, so they replay unchanged.
    if (rulesStale) {
      rulesStale = false;
      const known = await currentIdleRules({ generation: s.rules?.generation ?? 0 });
      if (known) machine.apply({ kind: 'rules', generation: known.generation, idle: known.idle, firings: [] });
      continue;
    }
    const current = Date.now();
    const timers = machine.dueTimers().sort((a, b) => a.at - b.at);
    const ready = timers.filter((d) => d.at <= current);
    if (ready.length) {
      for (const d of ready) machine.fire(d);
      continue;
    }
    const end = machine.finalAfter();
    // Handlers wait for their events to be persisted, so a pending event must wake this wait too.
    if (end !== null && end <= current) {
      await condition(() => allHandlersFinished() || pending.length > 0);
      if (pending.length === 0) return projection();
      continue;
    }
    // A newer worker version is current: move to it now, between two commands, rather than at the next long history.
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > (input.historyLimit ?? MAX_HISTORY_EVENTS) || newerVersionIsCurrent()) {
      await condition(() => allHandlersFinished() || pending.length > 0);
      if (pending.length) continue;
      const carried = machine.carried();
      // The next run's input must not carry the original words of an anonymised ticket either.
      await continueOnCurrentVersion<typeof ticketWorkflow>()({
        ...input,
        definition: machine.def,
        definitionVersion: machine.version,
        ...(carried.anonymised ? { ticket: { ...t, title: carried.title, description: '' } } : {}),
        carried,
      });
    }
    const wakeAt = Math.min(timers[0]?.at ?? Infinity, end ?? Infinity);
    const seqBefore = s.seq;
    const timeout = Number.isFinite(wakeAt) ? Math.max(1, wakeAt - current) : undefined;
    const woken = () => s.seq !== seqBefore || pending.length > 0 || outbox.length > 0 || nudged || rulesStale;
    if (timeout === undefined) await condition(woken);
    else await condition(woken, timeout);
    nudged = false;
  }
}

export type { SlaClock };
