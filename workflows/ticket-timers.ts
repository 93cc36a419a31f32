// The ticket workflow's timers: SLA warnings and breaches, the escalations that follow them (or an unassigned or
// untouched ticket), and the definition's automations; each fires once, by its key.
import { addBusinessMinutes, clockDeadlines, PRIORITIES, refuseTransition, ROUND_THE_CLOCK, type EscalationAction } from '../workflow-definitions/engine';
import { SYSTEM, type TicketRun } from './ticket-run';

export interface Due {
  key: string;
  at: number;
  fire: () => void;
}

export function ticketTimers(run: TicketRun) {
  const { s, emit, applyTransition, setPriority, ctx, now, cal, category, isFinished, fired } = run;

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
        for (const e of run.def.escalations ?? []) {
          if (e.on !== `${clock.name}.${level}` || fired.has(`esc:${e.name}`)) continue;
          due.push({ key: `esc:${e.name}`, at: at + (e.afterMinutes ?? 0) * 60_000, fire: () => runActions(e.name, e.actions) });
        }
      }
    }
    if (!isFinished()) {
      for (const e of run.def.escalations ?? []) {
        if (fired.has(`esc:${e.name}`)) continue;
        if (e.on === 'unassigned' && s.unassignedSince !== null) {
          due.push({ key: `esc:${e.name}`, at: s.unassignedSince + e.afterMinutes! * 60_000, fire: () => runActions(e.name, e.actions) });
        }
        if (e.on === 'noAgentUpdate') {
          due.push({ key: `esc:${e.name}`, at: s.lastAgentUpdateAt + e.afterMinutes! * 60_000, fire: () => runActions(e.name, e.actions) });
        }
      }
    }
    for (const a of run.def.automations ?? []) {
      if (a.inState !== s.state) continue;
      const key = `auto:${a.name}:${s.enteredStateAt}`;
      if (fired.has(key)) continue;
      const calendar = a.calendar && a.calendar !== ROUND_THE_CLOCK ? cal(a.calendar) : null;
      due.push({
        key,
        at: addBusinessMinutes(s.enteredStateAt, a.afterMinutes, calendar),
        fire: () => {
          if (a.remind) emit('reminder', SYSTEM, { automation: a.name, text: a.remind.en, textFr: a.remind.fr }, 'public');
          if (a.transition && !refuseTransition(run.def, ctx('system'), a.transition, {})) applyTransition(a.transition, {}, SYSTEM);
        },
      });
    }
    return due;
  }

  /** A closed ticket whose reopen windows have all passed can never change again. */
  function finalAfter(): number | null {
    if (category() !== 'closed') return null;
    const windows = run.def.transitions.filter((x) => x.from.includes(s.state)).map((x) => x.withinMinutes ?? 0);
    return s.enteredStateAt + Math.max(0, ...windows) * 60_000;
  }

  return { dueTimers, finalAfter };
}
