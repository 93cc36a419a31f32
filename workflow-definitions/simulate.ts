// Plays a script of ticket events against a definition and returns when each SLA warning, breach, escalation and automation would fire.
// It follows workflows/ticket.ts step for step with the same pure functions (sla.ts, calendar.ts, lifecycle.ts), so the
// console can show an admin what a definition will do before it is published; tests/workflows/simulate-crosscheck.test.ts
// runs the real workflow with the same script and compares the instants.
import { addBusinessMinutes, ROUND_THE_CLOCK } from './calendar';
import { initialState, refuseTransition, stateOf, type Fields } from './lifecycle';
import { PRIORITIES, type EscalationAction, type Priority, type Role, type SlaPolicy, type WorkflowDefinition } from './schema';
import { calendarOf, clockDeadlines, pauseClock, restartClock, resumeClock, retargetClock, startClocks, stopClock, viewClock, type SlaClock, type SlaClockView } from './sla';

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

interface Sim {
  def: WorkflowDefinition;
  state: string;
  enteredStateAt: number;
  priority: Priority;
  assigned: boolean;
  fields: Fields;
  clocks: SlaClock[];
  fired: Set<string>;
  unassignedSince: number | null;
  lastAgentUpdateAt: number;
  firstResponded: boolean;
  now: number;
  entries: SimulationEntry[];
}

interface Due {
  key: string;
  at: number;
  fire: () => void;
}

const isAgent = (role: Role) => role === 'agent' || role === 'admin';

/** The definition with every SLA policy counting on `calendar`. */
function withCalendar(def: WorkflowDefinition, calendar: string | undefined): WorkflowDefinition {
  const policies = def.sla?.policies as Record<string, SlaPolicy> | undefined;
  if (!calendar || !policies) return def;
  const swapped = Object.fromEntries(Object.entries(policies).map(([p, policy]) => [p, { ...policy, calendar }]));
  return { ...def, sla: { ...def.sla, policies: swapped } } as WorkflowDefinition;
}

export function simulate(input: SimulationInput): SimulationResult {
  const def = withCalendar(input.definition, input.calendar);
  const createdAt = Date.parse(input.createdAt);
  if (!Number.isFinite(createdAt)) throw new Error(`createdAt '${input.createdAt}' is not a date`);
  const first = initialState(def);
  const s: Sim = {
    def,
    state: first.name,
    enteredStateAt: createdAt,
    priority: input.priority,
    assigned: false,
    fields: {},
    clocks: startClocks(def, input.priority, createdAt, !first.slaPaused),
    fired: new Set(),
    unassignedSince: createdAt,
    lastAgentUpdateAt: createdAt,
    firstResponded: false,
    now: createdAt,
    entries: [],
  };
  const cal = (name: string) => calendarOf(def, name);
  const category = () => stateOf(def, s.state)?.category ?? 'open';
  const isFinished = () => category() === 'resolved' || category() === 'closed';
  const log = (kind: SimulationEntryKind, extra: Partial<SimulationEntry> = {}) =>
    s.entries.push({ at: new Date(s.now).toISOString(), kind, state: s.state, ...extra });

  function respondFirst(role: Role): void {
    if (s.firstResponded || !isAgent(role)) return;
    s.firstResponded = true;
    s.clocks = s.clocks.map((c) => (c.name === 'firstResponse' ? stopClock(c, s.now, cal(c.calendar)) : c));
  }

  function enterState(to: string): void {
    const from = stateOf(def, s.state);
    const target = stateOf(def, to)!;
    const at = s.now;
    s.state = to;
    s.enteredStateAt = at;
    if (target.category === 'resolved' || target.category === 'closed') {
      s.clocks = s.clocks.map((c) => stopClock(c, at, cal(c.calendar)));
      return;
    }
    if (from && (from.category === 'resolved' || from.category === 'closed')) {
      s.clocks = s.clocks.map((c) => (c.name === 'resolution' ? restartClock(c, at) : c));
    }
    s.clocks = s.clocks.map((c) => (target.slaPaused ? pauseClock(c, at, cal(c.calendar)) : resumeClock(c, at)));
  }

  function applyTransition(name: string, fields: Fields, role: Role, extra: Partial<SimulationEntry> = {}): void {
    const tr = def.transitions.find((x) => x.name === name)!;
    Object.assign(s.fields, fields);
    respondFirst(role);
    if (isAgent(role)) s.lastAgentUpdateAt = s.now;
    enterState(tr.to);
    log('transitioned', { transition: name, ...extra });
  }

  function setPriority(priority: Priority, reason?: string): void {
    s.priority = priority;
    s.clocks = s.clocks.map((c) => retargetClock(c, def, priority, s.now, cal(c.calendar)));
    log('priority_changed', { priority, ...(reason ? { escalation: reason } : {}) });
  }

  function runActions(escalation: string, actions: readonly EscalationAction[]): void {
    log('escalated', { escalation, actions: actions.map(describeAction) });
    for (const a of actions) {
      if (a.type === 'reassign') {
        s.assigned = false;
        s.unassignedSince = s.now;
      } else if (a.type === 'raisePriority') {
        const i = PRIORITIES.indexOf(s.priority);
        if (i < PRIORITIES.length - 1) setPriority(PRIORITIES[i + 1]!, escalation);
      }
    }
  }

  // The same timers, keys and once-only rule as dueTimers() in workflows/ticket.ts.
  function dueTimers(): Due[] {
    const due: Due[] = [];
    for (const clock of s.clocks) {
      const d = clockDeadlines(clock, cal(clock.calendar));
      if (!d) continue;
      for (const level of ['warning', 'breach'] as const) {
        const at = level === 'warning' ? d.warningAt : d.breachAt;
        const key = `sla:${clock.name}.${level}`;
        if (!s.fired.has(key)) {
          due.push({ key, at, fire: () => log(level === 'warning' ? 'sla_warning' : 'sla_breached', { clock: clock.name, deadline: new Date(at).toISOString() }) });
        }
        for (const e of def.escalations ?? []) {
          if (e.on !== `${clock.name}.${level}` || s.fired.has(`esc:${e.name}`)) continue;
          due.push({ key: `esc:${e.name}`, at: at + (e.afterMinutes ?? 0) * MINUTE, fire: () => runActions(e.name, e.actions) });
        }
      }
    }
    if (!isFinished()) {
      for (const e of def.escalations ?? []) {
        if (s.fired.has(`esc:${e.name}`)) continue;
        if (e.on === 'unassigned' && s.unassignedSince !== null) {
          due.push({ key: `esc:${e.name}`, at: s.unassignedSince + e.afterMinutes! * MINUTE, fire: () => runActions(e.name, e.actions) });
        }
        if (e.on === 'noAgentUpdate') {
          due.push({ key: `esc:${e.name}`, at: s.lastAgentUpdateAt + e.afterMinutes! * MINUTE, fire: () => runActions(e.name, e.actions) });
        }
      }
    }
    for (const a of def.automations ?? []) {
      if (a.inState !== s.state) continue;
      const key = `auto:${a.name}:${s.enteredStateAt}`;
      if (s.fired.has(key)) continue;
      const calendar = a.calendar && a.calendar !== ROUND_THE_CLOCK ? cal(a.calendar) : null;
      due.push({
        key,
        at: addBusinessMinutes(s.enteredStateAt, a.afterMinutes, calendar),
        fire: () => {
          if (a.remind) log('reminder', { automation: a.name, message: a.remind.en });
          if (a.transition && !refuseTransition(def, ctx('system'), a.transition, {})) applyTransition(a.transition, {}, 'system', { automation: a.name });
        },
      });
    }
    return due;
  }

  function finalAfter(): number | null {
    if (category() !== 'closed') return null;
    const windows = def.transitions.filter((x) => x.from.includes(s.state)).map((x) => x.withinMinutes ?? 0);
    return s.enteredStateAt + Math.max(0, ...windows) * MINUTE;
  }

  const ctx = (role: Role) => ({ state: s.state, role, fields: s.fields, enteredStateAt: s.enteredStateAt, now: s.now });

  /** Fires every timer due up to `until`, in time order, as the workflow's main loop does when it wakes. */
  function runUntil(until: number): boolean {
    for (let i = 0; i < SYSTEM_STEPS_LIMIT; i++) {
      const end = finalAfter();
      if (end !== null && end <= s.now) return false;
      const timers = dueTimers().sort((a, b) => a.at - b.at);
      const next = timers[0];
      if (!next || next.at > until) {
        s.now = Math.max(s.now, until);
        return true;
      }
      s.now = Math.max(s.now, next.at);
      for (const d of timers.filter((x) => x.at <= s.now)) {
        s.fired.add(d.key);
        d.fire();
      }
    }
    throw new Error('the simulation fires timers without end');
  }

  log('created', { priority: s.priority });
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

  function applyStep(step: Exclude<SimulationStep, { kind: 'wait' }>): void {
    const role = ('role' in step && step.role) || 'agent';
    if (step.kind === 'transition') {
      const refusal = refuseTransition(def, ctx(role), step.transition, step.fields ?? {});
      if (refusal) log('refused', { transition: step.transition, message: refusal.message });
      else applyTransition(step.transition, step.fields ?? {}, role);
    } else if (step.kind === 'comment') {
      if ((step.visibility ?? 'public') === 'public') respondFirst(role);
      if (isAgent(role)) s.lastAgentUpdateAt = s.now;
      log('commented');
    } else if (step.kind === 'assign') {
      s.assigned = step.assigned;
      s.unassignedSince = step.assigned ? null : s.now;
      s.lastAgentUpdateAt = s.now;
      log('assigned');
    } else if (step.kind === 'priority') {
      if (step.priority === s.priority || isFinished()) log('refused', { priority: step.priority, message: `the priority cannot change to ${step.priority} now` });
      else {
        s.lastAgentUpdateAt = s.now;
        setPriority(step.priority);
      }
    }
  }

  return {
    entries: s.entries,
    clocks: s.clocks.map((c) => viewClock(c, s.now, cal(c.calendar))),
    state: s.state,
    endedAt: new Date(s.now).toISOString(),
  };
}

function describeAction(a: EscalationAction): string {
  if (a.type === 'notify') return `notify ${a.role ?? a.group ?? a.user ?? ''}`.trim();
  if (a.type === 'reassign') return `reassign ${a.queue ?? a.group ?? ''}`.trim();
  if (a.type === 'emit') return `emit ${a.event}`;
  return a.type;
}
