// The ticket's timers: SLA warnings and breaches, the escalations that follow them (or an unassigned or untouched
// ticket), and the definition's automations. Each fires once, by its key; the driver sleeps until the earliest.
import { addBusinessMinutes, ROUND_THE_CLOCK } from '../calendar';
import { PRIORITIES, type EscalationAction } from '../schema';
import { clockDeadlines, type ClockName } from '../sla';
import { approvalTimers, fireApprovalTimer, type ApprovalTimer } from './approvals';
import { SYSTEM, type TicketCore } from './core';
import { fireIdleTimer, idleTimers, type IdleTimer } from './rules';

const MINUTE = 60_000;

/** A timer due at `at`; it carries what it was armed for, so firing it does not depend on what changed since. */
export type DueTimer = { key: string; at: number } & (
  | { kind: 'sla'; clock: ClockName; level: 'warning' | 'breach' }
  | { kind: 'escalation'; escalation: string }
  | { kind: 'automation'; automation: string }
) | ApprovalTimer | IdleTimer;

export function dueTimers(m: TicketCore): DueTimer[] {
  const { s, def, fired } = m;
  const due: DueTimer[] = [];
  for (const clock of s.clocks) {
    const d = clockDeadlines(clock, m.cal(clock.calendar));
    if (!d) continue;
    for (const level of ['warning', 'breach'] as const) {
      const at = level === 'warning' ? d.warningAt : d.breachAt;
      const key = `sla:${clock.name}.${level}`;
      if (!fired.has(key)) due.push({ key, at, kind: 'sla', clock: clock.name, level });
      for (const e of def.escalations ?? []) {
        if (e.on !== `${clock.name}.${level}` || fired.has(`esc:${e.name}`)) continue;
        due.push({ key: `esc:${e.name}`, at: at + (e.afterMinutes ?? 0) * MINUTE, kind: 'escalation', escalation: e.name });
      }
    }
  }
  if (!m.isFinished()) {
    for (const e of def.escalations ?? []) {
      if (fired.has(`esc:${e.name}`)) continue;
      if (e.on === 'unassigned' && s.unassignedSince !== null) {
        due.push({ key: `esc:${e.name}`, at: s.unassignedSince + e.afterMinutes! * MINUTE, kind: 'escalation', escalation: e.name });
      }
      if (e.on === 'noAgentUpdate') {
        due.push({ key: `esc:${e.name}`, at: s.lastAgentUpdateAt + e.afterMinutes! * MINUTE, kind: 'escalation', escalation: e.name });
      }
    }
  }
  for (const a of def.automations ?? []) {
    if (a.inState !== s.state) continue;
    const key = `auto:${a.name}:${s.enteredStateAt}`;
    if (fired.has(key)) continue;
    const calendar = a.calendar && a.calendar !== ROUND_THE_CLOCK ? m.cal(a.calendar) : null;
    due.push({ key, at: addBusinessMinutes(s.enteredStateAt, a.afterMinutes, calendar), kind: 'automation', automation: a.name });
  }
  due.push(...approvalTimers(m));
  due.push(...idleTimers(m));
  return due;
}

/** Marks the timer fired and does what it was armed for. */
export function fireTimer(m: TicketCore, due: DueTimer): void {
  m.fired.add(due.key);
  if (due.kind === 'idle') fireIdleTimer(m, due);
  else if (due.kind === 'approval') fireApprovalTimer(m, due, (name, actions) => runEscalation(m, name, actions));
  else if (due.kind === 'sla') {
    m.emit(due.level === 'warning' ? 'sla_warning' : 'sla_breached', SYSTEM, { clock: due.clock, deadline: new Date(due.at).toISOString() });
  } else if (due.kind === 'escalation') {
    const e = (m.def.escalations ?? []).find((x) => x.name === due.escalation);
    if (e) runEscalation(m, e.name, e.actions);
  } else {
    const a = (m.def.automations ?? []).find((x) => x.name === due.automation);
    if (!a) return;
    if (a.remind) m.emit('reminder', SYSTEM, { automation: a.name, text: a.remind.en, textFr: a.remind.fr }, 'public');
    if (a.transition) m.applyIfAllowed(a.transition);
  }
}

function runEscalation(m: TicketCore, escalation: string, actions: readonly EscalationAction[]): void {
  const s = m.s;
  m.emit('escalated', SYSTEM, { escalation });
  for (const a of actions) {
    if (a.type === 'notify') m.emit('notification', SYSTEM, { escalation, role: a.role ?? null, group: a.group ?? null, user: a.user ?? null });
    else if (a.type === 'reassign') {
      const from = { assigneeId: s.assigneeId, queue: s.queue };
      if (a.queue) s.queue = a.queue;
      if (a.group) s.group = a.group;
      s.assigneeId = null;
      s.unassignedSince = m.now();
      m.emit('assigned', SYSTEM, { from, to: { assigneeId: null, queue: s.queue }, escalation, group: a.group ?? null });
    } else if (a.type === 'raisePriority') {
      const i = PRIORITIES.indexOf(s.priority);
      if (i < PRIORITIES.length - 1) m.setPriority(PRIORITIES[i + 1]!, SYSTEM, escalation);
    } else if (a.type === 'addNote') m.emit('commented', SYSTEM, { body: a.text.en, bodyFr: a.text.fr, escalation }, 'internal');
    else if (a.type === 'emit') m.emit('event_emitted', SYSTEM, { event: a.event, escalation });
    else if (a.type === 'plugin') m.emit('plugin_action', SYSTEM, { plugin: a.plugin, run: a.run, with: a.with ?? {}, escalation });
  }
}

/** A closed ticket whose reopen windows have all passed can never change again: the instant that happens, else null. */
export function finalAfter(m: TicketCore): number | null {
  if (m.category() !== 'closed') return null;
  const windows = m.def.transitions.filter((x) => x.from.includes(m.s.state)).map((x) => x.withinMinutes ?? 0);
  return m.s.enteredStateAt + Math.max(0, ...windows) * MINUTE;
}
