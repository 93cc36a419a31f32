// Plays a script of ticket events against a definition and returns when each SLA warning, breach, escalation and automation would fire.
// It drives the ticket machine (ticket-machine/) that the workflow runs, with a virtual clock: the console shows an admin
// what a definition will do before it is published, and it cannot disagree with the running ticket.
// tests/workflows/simulate-crosscheck.test.ts runs the real workflow with the same script and compares the instants.
import type { Fields } from './lifecycle';
import type { EscalationAction, Priority, Role, SlaPolicy, WorkflowDefinition } from './schema';
import { calendarOf, viewClock, type SlaClockView } from './sla';
import type { Actor, TicketEvent } from './ticket-machine/contract';
import { openingState } from './ticket-machine/core';
import type { TicketCommand } from './ticket-machine/commands';
import { ticketMachine } from './ticket-machine/machine';
import type { DueTimer } from './ticket-machine/timers';

/** One scripted step; it happens at `at` (ISO) when given, else at the current time of the script. */
export type SimulationStep =
  | { kind: 'wait'; minutes: number }
  | { kind: 'transition'; transition: string; role?: Role; fields?: Fields; at?: string }
  | { kind: 'comment'; role?: Role; visibility?: 'public' | 'internal'; at?: string }
  | { kind: 'assign'; assigned: boolean; at?: string }
  | { kind: 'priority'; priority: Priority; at?: string };

export interface SimulationInput {
  definition: WorkflowDefinition;
  priority: Priority;
  /** ISO instant of creation. */
  createdAt: string;
  /** Replaces the calendar of every SLA policy (a calendar name or '24x7'); the definition's own when absent. */
  calendar?: string;
  steps: SimulationStep[];
  /** How long to keep the clocks running after the last step (default 60 days). */
  horizonMinutes?: number;
}

export type SimulationEntryKind =
  | 'created'
  | 'transitioned'
  | 'refused'
  | 'commented'
  | 'assigned'
  | 'priority_changed'
  | 'sla_warning'
  | 'sla_breached'
  | 'escalated'
  | 'reminder';

export interface SimulationEntry {
  at: string;
  kind: SimulationEntryKind;
  /** State after the entry. */
  state: string;
  clock?: 'firstResponse' | 'resolution';
  /** For warnings and breaches: the deadline the timer was armed for. */
  deadline?: string;
  escalation?: string;
  automation?: string;
  transition?: string;
  priority?: Priority;
  actions?: string[];
  message?: string;
}

export interface SimulationResult {
  entries: SimulationEntry[];
  /** The clocks when the simulation stopped. */
  clocks: SlaClockView[];
  state: string;
  endedAt: string;
}

const MINUTE = 60_000;
const SYSTEM_STEPS_LIMIT = 10_000;
const SIMULATED = { id: 'simulated', number: 'SIM-1' };
const SIMULATED_APPROVER = 'simulated-approver';

/** The definition with every SLA policy counting on `calendar`. */
function withCalendar(def: WorkflowDefinition, calendar: string | undefined): WorkflowDefinition {
  const policies = def.sla?.policies as Record<string, SlaPolicy> | undefined;
  if (!calendar || !policies) return def;
  const swapped = Object.fromEntries(Object.entries(policies).map(([p, policy]) => [p, { ...policy, calendar }]));
  return { ...def, sla: { ...def.sla, policies: swapped } } as WorkflowDefinition;
}

const actorFor = (role: Role): Actor => ({ id: role === 'system' ? null : `simulated-${role}`, role });

export function simulate(input: SimulationInput): SimulationResult {
  const def = withCalendar(input.definition, input.calendar);
  const createdAt = Date.parse(input.createdAt);
  if (!Number.isFinite(createdAt)) throw new Error(`createdAt '${input.createdAt}' is not a date`);
  let now = createdAt;
  let recorded: TicketEvent[] = [];
  const machine = ticketMachine(
    { definition: def, version: 1, ticket: SIMULATED, state: openingState(def, { priority: input.priority, queue: null, fields: {}, title: '', description: '' }, createdAt) },
    { now: () => now, patched: () => true, record: (e) => recorded.push(e), signal: () => undefined },
  );
  // Opened as the workflow opens it: an approval round its first state requires starts now.
  machine.created(actorFor('customer'), { title: '', type: def.types[0] ?? '', priority: input.priority });
  recorded = [];
  const entries: SimulationEntry[] = [{ at: new Date(now).toISOString(), kind: 'created', state: machine.state.state, priority: input.priority }];

  /** Runs `change` and writes what the machine recorded meanwhile as timeline entries. */
  function logged(change: () => void, automation?: string): void {
    let state = machine.state.state;
    recorded = [];
    change();
    for (const e of recorded) {
      if (e.type === 'transitioned') state = String(e.data.to);
      const entry = entryOf(def, e, state, automation);
      if (entry) entries.push(entry);
    }
  }

  function refused(extra: Partial<SimulationEntry>, message: string): void {
    entries.push({ at: new Date(now).toISOString(), kind: 'refused', state: machine.state.state, ...extra, message });
  }

  /** Fires every timer due up to `until`, in time order, as the workflow's main loop does when it wakes. */
  function runUntil(until: number): boolean {
    for (let i = 0; i < SYSTEM_STEPS_LIMIT; i++) {
      // An approval round waits for one stand-in approver who never decides: its reminder and deadline play out.
      const asking = machine.awaitingApprovers();
      if (asking) logged(() => machine.apply({ kind: 'approvers', round: asking.round, approvers: [SIMULATED_APPROVER] }));
      const end = machine.finalAfter();
      if (end !== null && end <= now) return false;
      const timers = machine.dueTimers().sort((a, b) => a.at - b.at);
      const next = timers[0];
      if (!next || next.at > until) {
        now = Math.max(now, until);
        return true;
      }
      now = Math.max(now, next.at);
      for (const d of timers.filter((x) => x.at <= now)) logged(() => machine.fire(d), automationOf(d));
    }
    throw new Error('the simulation fires timers without end');
  }

  function applyStep(step: Exclude<SimulationStep, { kind: 'wait' }>): void {
    const actor = actorFor(('role' in step && step.role) || 'agent');
    const cmd: TicketCommand =
      step.kind === 'transition'
        ? { kind: 'transition', transition: step.transition, fields: step.fields ?? {}, actor }
        : step.kind === 'comment'
          ? { kind: 'comment', body: '', visibility: step.visibility ?? 'public', actor }
          : step.kind === 'assign'
            ? { kind: 'assign', assigneeId: step.assigned ? actor.id : null, actor }
            : { kind: 'priority', priority: step.priority, actor };
    const refusal = machine.refuse(cmd);
    if (refusal) refused(step.kind === 'transition' ? { transition: step.transition } : step.kind === 'priority' ? { priority: step.priority } : {}, refusal.message);
    else logged(() => machine.apply(cmd));
  }

  let cursor = createdAt;
  let running = true;
  for (const step of input.steps) {
    if (step.kind === 'wait') {
      cursor += step.minutes * MINUTE;
      continue;
    }
    if (step.at !== undefined) {
      const at = Date.parse(step.at);
      if (!Number.isFinite(at)) throw new Error(`step time '${step.at}' is not a date`);
      cursor = Math.max(cursor, at);
    }
    running = runUntil(cursor);
    if (!running) break;
    applyStep(step);
  }
  if (running) runUntil(cursor + (input.horizonMinutes ?? 60 * 24 * 60) * MINUTE);

  return {
    entries,
    clocks: machine.state.clocks.map((c) => viewClock(c, now, calendarOf(machine.def, c.calendar))),
    state: machine.state.state,
    endedAt: new Date(now).toISOString(),
  };
}

const automationOf = (d: DueTimer): string | undefined => (d.kind === 'automation' ? d.automation : d.kind === 'approval' ? `approval ${d.step}` : undefined);

/**
 * The timeline entry for one recorded event, or null for what the timeline leaves out: an escalation's own actions are
 * listed on its entry, and notifications, notes and emitted events change nothing the simulation measures.
 */
function entryOf(def: WorkflowDefinition, e: TicketEvent, state: string, automation: string | undefined): SimulationEntry | null {
  const base = { at: e.at, state };
  const d = e.data;
  switch (e.type) {
    case 'transitioned':
      return { ...base, kind: 'transitioned', transition: String(d.transition), ...(automation ? { automation } : {}) };
    case 'commented':
      return e.actor.role === 'system' ? null : { ...base, kind: 'commented' };
    case 'assigned':
      return d.escalation ? null : { ...base, kind: 'assigned' };
    case 'priority_changed':
      return { ...base, kind: 'priority_changed', priority: d.to as Priority, ...(d.reason ? { escalation: String(d.reason) } : {}) };
    case 'sla_warning':
    case 'sla_breached':
      return { ...base, kind: e.type, clock: d.clock as SimulationEntry['clock'], deadline: String(d.deadline) };
    case 'escalated': {
      const escalation = String(d.escalation);
      const actions = (def.escalations ?? []).find((x) => x.name === escalation)?.actions ?? [];
      return { ...base, kind: 'escalated', escalation, actions: actions.map(describeAction) };
    }
    case 'reminder':
      return { ...base, kind: 'reminder', automation: String(d.automation), message: String(d.text) };
    case 'approval_reminder':
      return { ...base, kind: 'reminder', automation: automation ?? 'approval reminder', message: 'the approvers who have not decided are reminded' };
    default:
      return null;
  }
}

function describeAction(a: EscalationAction): string {
  if (a.type === 'notify') return `notify ${a.role ?? a.group ?? a.user ?? ''}`.trim();
  if (a.type === 'reassign') return `reassign ${a.queue ?? a.group ?? ''}`.trim();
  if (a.type === 'emit') return `emit ${a.event}`;
  if (a.type === 'plugin') return `plug-in ${a.plugin}: ${a.run}`;
  return a.type;
}
