// Automation rules in the ticket: the firings the desk decided for a batch of events (see workflow-definitions/rules),
// run in order, each all or none; and the idle timers of the rules triggered by a quiet ticket.
import { addBusinessMinutes } from '../calendar';
import { fieldErrors, refuseTransition } from '../lifecycle';
import { MAX_RULE_DEPTH } from '../rules/schema';
import type { RuleFiring, RuleStep, RulesOutcome } from './contract';
import { finishingParent, incompleteChecklist, tagsChange } from './commands';
import { SYSTEM, TicketCore } from './core';

export interface IdleTimer {
  key: string;
  at: number;
  kind: 'idle';
  rule: string;
  minutes: number;
  since: number;
}

/** Runs what the rules decided; returns the last seq. Refused firings are recorded as such and change nothing else. */
export function applyRulesOutcome(m: TicketCore, outcome: RulesOutcome): number {
  if (outcome.idle) m.s.rules = { generation: outcome.generation, idle: outcome.idle };
  for (const f of outcome.firings) {
    if (f.stopped) m.emit('rule_chain_stopped', SYSTEM, { rule: f.rule, trigger: f.trigger, depth: f.depth, maxDepth: MAX_RULE_DEPTH });
    else applyFiring(m, f);
  }
  return m.s.seq;
}

function applyFiring(m: TicketCore, f: RuleFiring): void {
  // A rehearsal on a copy finds the first step that would be refused, so a rule runs all of its steps or none.
  const copy = JSON.parse(JSON.stringify(m.carried())) as ReturnType<TicketCore['carried']>;
  const trial = new TicketCore(m.def, m.version, m.ticket, copy, { now: () => m.now(), patched: (c) => m.host.patched(c), record: () => undefined, signal: () => undefined });
  const refusal = runSteps(trial, f.steps);
  if (refusal) {
    m.emit('rule_failed', SYSTEM, { rule: f.rule, trigger: f.trigger, depth: f.depth, step: refusal.step, action: refusal.action, reason: refusal.reason });
    return;
  }
  // A rule whose steps would change nothing leaves no trace: it cannot loop, and the timeline stays readable.
  if (trial.s.seq === m.s.seq) return;
  m.emit('rule_applied', SYSTEM, { rule: f.rule, trigger: f.trigger, depth: f.depth });
  m.cause = { id: f.rule.id, name: f.rule.name, depth: f.depth };
  try {
    runSteps(m, f.steps);
  } finally {
    m.cause = null;
  }
}

interface StepRefusal {
  step: number;
  action: RuleStep['action'];
  reason: string;
}

function runSteps(m: TicketCore, steps: readonly RuleStep[]): StepRefusal | null {
  for (const [i, step] of steps.entries()) {
    const reason = runStep(m, step);
    if (reason) return { step: i, action: step.action, reason };
  }
  return null;
}

/** Runs one step, or says why it cannot run on the ticket as it is now. */
function runStep(m: TicketCore, step: RuleStep): string | null {
  const s = m.s;
  const closed = m.category() === 'closed';
  switch (step.action) {
    case 'assign':
      if (step.assigneeId === s.assigneeId) return null;
      if (closed) return 'the ticket is closed';
      m.assignTo(step.assigneeId, SYSTEM);
      return null;
    case 'set_queue': {
      if (step.queue === s.queue) return null;
      if (closed) return 'the ticket is closed';
      // Moving the ticket keeps whoever holds it, and an unassigned ticket's wait keeps counting.
      const since = s.unassignedSince;
      m.assignTo(s.assigneeId, SYSTEM, { queue: step.queue });
      s.unassignedSince = since;
      return null;
    }
    case 'set_priority':
      if (step.priority === s.priority) return null;
      if (m.isFinished()) return 'the ticket is resolved or closed: its priority cannot change';
      m.setPriority(step.priority, SYSTEM);
      return null;
    case 'set_field': {
      const errors = fieldErrors(m.def, { [step.field]: step.value });
      if (errors.length) return errors.map((e) => e.message).join('; ');
      if (JSON.stringify(s.fields[step.field] ?? null) === JSON.stringify(step.value)) return null;
      if (closed) return 'the ticket is closed';
      m.setFields({ [step.field]: step.value }, SYSTEM);
      return null;
    }
    case 'add_tags':
    case 'remove_tags': {
      const add = step.action === 'add_tags' ? step.tags : [];
      const remove = step.action === 'remove_tags' ? step.tags : [];
      const change = tagsChange(m, add, remove);
      if (!change.changes) return null;
      if (change.tooMany) return 'a ticket holds at most 20 tags';
      m.changeTags(add, remove, SYSTEM);
      return null;
    }
    case 'apply_macro': {
      if (!step.macro) return 'the macro was deleted';
      m.emit('macro_applied', SYSTEM, { macro: step.macro });
      const inner = runSteps(m, step.steps);
      return inner ? `macro ${step.macro.name}: ${inner.reason}` : null;
    }
    case 'send_mail':
      m.emit('notification', SYSTEM, { rule: m.cause?.name ?? null, mail: { to: step.to, subject: step.subject, body: step.body } });
      return null;
    case 'comment':
      if (closed && !m.def.transitions.some((x) => x.from.includes(s.state))) return 'the ticket is closed';
      m.addComment(step.body, step.visibility, SYSTEM);
      return null;
    case 'webhook':
      m.emit('event_emitted', SYSTEM, { event: step.event, rule: m.cause?.name ?? null });
      return null;
    case 'plugin':
      m.emit('plugin_action', SYSTEM, { plugin: step.plugin, run: step.run, with: step.with ?? {}, rule: m.cause?.name ?? null });
      return null;
    case 'transition': {
      const t = m.def.transitions.find((x) => x.name === step.transition);
      // A rule acts with the desk's rights where the definition names them, else with an agent's.
      const role = t && (t.roles as readonly string[]).includes('system') ? 'system' : 'agent';
      const refusal = refuseTransition(m.def, m.ctx(role), step.transition, {}) ?? finishingParent(m, step.transition) ?? incompleteChecklist(m, step.transition);
      if (refusal) return refusal.message;
      m.applyTransition(step.transition, {}, SYSTEM);
      return null;
    }
  }
}

/** One timer per idle rule, counted from the last time a person touched the ticket; an open ticket only. */
export function idleTimers(m: TicketCore): IdleTimer[] {
  const idle = m.s.rules?.idle ?? [];
  if (!idle.length || m.isFinished()) return [];
  const since = m.s.lastActivityAt ?? m.s.enteredStateAt;
  const first = Object.keys(m.def.calendars ?? {})[0];
  return idle
    .filter((r) => !m.fired.has(`idle:${r.id}:${since}`))
    .map((r) => ({
      key: `idle:${r.id}:${since}`,
      at: addBusinessMinutes(since, r.minutes, r.businessHours && first ? m.cal(first) : null),
      kind: 'idle' as const,
      rule: r.id,
      minutes: r.minutes,
      since,
    }));
}

export function fireIdleTimer(m: TicketCore, due: IdleTimer): void {
  // The rules evaluated with this event decide what happens; the rule may have been disabled meanwhile.
  m.emit('idle_elapsed', SYSTEM, { rule: due.rule, minutes: due.minutes, since: new Date(due.since).toISOString() });
}
