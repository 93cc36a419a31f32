// Which rules a batch of ticket events fires: pure, so the worker runs it on each batch, the dry run over past events
// and the unit tests all decide alike. Events are taken in the order they happened and, for each, the rules in their
// list order; a rule fires at most once per event, if its trigger matches the event and all its conditions hold.
import type { RuleFiring, RuleRef, RuleStep, TicketEvent } from '../ticket-machine/contract';
import { MAX_RULE_DEPTH, WEEKDAYS, type RuleCondition, type RuleTrigger } from './schema';

/** What conditions read of the ticket: its row in the read model after the batch. */
export interface RuleTicket {
  priority: string;
  queue: string | null;
  type: string;
  state: string;
  organisationId: string | null;
  requesterId: string;
  assigneeId: string | null;
  assignedGroup: string | null;
  tags: readonly string[];
  fields: Record<string, unknown>;
}

/** An enabled rule, its references resolved to the steps a ticket runs. */
export interface LiveRule {
  ref: RuleRef;
  when: RuleTrigger;
  if: readonly RuleCondition[];
  steps: RuleStep[];
}

/**
 * Conditions are judged on the ticket as it stood right after the event (a customer's reply is judged before the
 * transition their reply then caused): `ticket` is the ticket after the whole batch, `after` can give each event's.
 */
export function evaluateRules(rules: readonly LiveRule[], events: readonly TicketEvent[], ticket: RuleTicket, after?: readonly RuleTicket[]): RuleFiring[] {
  const firings: RuleFiring[] = [];
  for (const [i, e] of events.entries()) {
    // Walked back only once a rule is triggered: most batches trigger none.
    const t = () => (after ??= ticketAfterEach(ticket, events))[i]!;
    const depth = ((e.data.byRule as { depth?: number } | undefined)?.depth ?? 0) + 1;
    for (const rule of rules) {
      if (!triggers(rule, e)) continue;
      if (rule.if.length && !rule.if.every((c) => holds(c, t(), Date.parse(e.at)))) continue;
      if (depth <= MAX_RULE_DEPTH) firings.push({ rule: rule.ref, trigger: e.seq, depth, steps: rule.steps });
      // Said once per rule and batch: the chain stops here whichever of the batch's events would have carried it on.
      else if (!firings.some((f) => f.stopped && f.rule.id === rule.ref.id)) firings.push({ rule: rule.ref, trigger: e.seq, depth, steps: [], stopped: true });
    }
  }
  return firings;
}

/** The ticket as it stood just before `e`, from the ticket just after it. */
export function undo(t: RuleTicket, e: TicketEvent): RuleTicket {
  const d = e.data as { from?: unknown; before?: Record<string, unknown>; added?: string[]; removed?: string[] };
  // An assignment's or a migration's `from` is an object; a priority's or a transition's, a name.
  const moved = (typeof d.from === 'object' && d.from !== null ? d.from : {}) as { assigneeId?: string | null; queue?: string | null; group?: string | null; state?: string };
  switch (e.type) {
    case 'priority_changed':
      return { ...t, priority: typeof d.from === 'string' ? d.from : t.priority };
    case 'assigned':
      return { ...t, assigneeId: moved.assigneeId ?? null, queue: moved.queue !== undefined ? moved.queue : t.queue, assignedGroup: moved.group !== undefined ? moved.group : t.assignedGroup };
    case 'fields_changed': {
      const fields = { ...t.fields };
      for (const [k, v] of Object.entries((d.before ?? {}) as Record<string, unknown>)) {
        if (v === null) delete fields[k];
        else fields[k] = v;
      }
      return { ...t, fields };
    }
    case 'tags_changed': {
      const added: string[] = d.added ?? [];
      const removed: string[] = d.removed ?? [];
      return { ...t, tags: [...t.tags.filter((x) => !added.includes(x)), ...removed].sort() };
    }
    case 'transitioned':
      return { ...t, state: typeof d.from === 'string' ? d.from : t.state };
    case 'migrated':
      return { ...t, state: moved.state ?? t.state };
    default:
      return t;
  }
}

/** The ticket right after each of `events`, walking back from the ticket after the last of them. */
export function ticketAfterEach(last: RuleTicket, events: readonly TicketEvent[]): RuleTicket[] {
  const after: RuleTicket[] = new Array(events.length);
  let t = last;
  for (let i = events.length - 1; i >= 0; i--) {
    after[i] = t;
    t = undo(t, events[i]!);
  }
  return after;
}

/** The attributes an event changed, as `field_changed` triggers name them. */
export function changedAttributes(e: TicketEvent): string[] {
  switch (e.type) {
    case 'fields_changed':
      return Object.keys((e.data.fields as Record<string, unknown>) ?? {});
    case 'priority_changed':
      return ['priority'];
    case 'tags_changed':
      return ['tags'];
    case 'assigned': {
      const from = (e.data.from ?? {}) as Record<string, unknown>;
      const to = (e.data.to ?? {}) as Record<string, unknown>;
      const changed: string[] = [];
      if ((from.assigneeId ?? null) !== (to.assigneeId ?? null)) changed.push('assignee');
      if ((from.queue ?? null) !== (to.queue ?? null)) changed.push('queue');
      if ((from.group ?? null) !== (to.group ?? null)) changed.push('group');
      return changed;
    }
    default:
      return [];
  }
}

function triggers(rule: LiveRule, e: TicketEvent): boolean {
  const w = rule.when;
  switch (w.event) {
    case 'created':
      return e.type === 'created';
    case 'field_changed': {
      const changed = changedAttributes(e);
      return w.field ? changed.includes(w.field) : changed.length > 0;
    }
    case 'commented': {
      // The desk's own comments (a rule's, an escalation's) and comments copied by a merge are nobody's new words.
      if (e.type !== 'commented' || e.actor.role === 'system' || e.data.mergedFrom !== undefined) return false;
      const by = w.by ?? 'any';
      return by === 'any' || (by === 'customer') === (e.actor.role === 'customer');
    }
    case 'state_entered':
      return e.type === 'transitioned' && (!w.state || e.data.to === w.state);
    case 'sla_warning':
    case 'sla_breached':
      return e.type === w.event && (!w.clock || e.data.clock === w.clock);
    case 'idle':
      return e.type === 'idle_elapsed' && e.data.rule === rule.ref.id;
  }
}

function subjectValue(c: RuleCondition, t: RuleTicket): unknown {
  switch (c.subject) {
    case 'priority':
      return t.priority;
    case 'queue':
      return t.queue;
    case 'type':
      return t.type;
    case 'state':
      return t.state;
    case 'organisation':
      return t.organisationId;
    case 'requester':
      return t.requesterId;
    case 'assignee':
      return t.assigneeId;
    case 'group':
      return t.assignedGroup;
    case 'tags':
      return t.tags;
    case 'field':
      return t.fields[c.field ?? ''] ?? null;
    case 'time':
      return null;
  }
}

const same = (a: unknown, b: unknown) => (typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : JSON.stringify(a) === JSON.stringify(b));
const isSet = (v: unknown) => v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);
const comparable = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN);

/** Whether one condition holds for the ticket at `at` (the time of the event). */
export function holds(c: RuleCondition, t: RuleTicket, at: number): boolean {
  if (c.subject === 'time') {
    const inside = withinHours(c, at);
    return c.op === 'outside' ? !inside : inside;
  }
  const v = subjectValue(c, t);
  const list = Array.isArray(c.value) ? c.value : [c.value];
  switch (c.op) {
    case 'is':
      return Array.isArray(v) ? v.some((x) => same(x, c.value)) : same(v, c.value);
    case 'is_not':
      return Array.isArray(v) ? !v.some((x) => same(x, c.value)) : !same(v, c.value);
    case 'in':
      return Array.isArray(v) ? v.some((x) => list.some((y) => same(x, y))) : list.some((y) => same(v, y));
    case 'not_in':
      return Array.isArray(v) ? !v.some((x) => list.some((y) => same(x, y))) : !list.some((y) => same(v, y));
    case 'contains':
      return Array.isArray(v) ? v.some((x) => same(x, c.value)) : typeof v === 'string' && v.toLowerCase().includes(String(c.value ?? '').toLowerCase());
    case 'not_contains':
      return !(Array.isArray(v) ? v.some((x) => same(x, c.value)) : typeof v === 'string' && v.toLowerCase().includes(String(c.value ?? '').toLowerCase()));
    case 'is_set':
      return isSet(v);
    case 'is_not_set':
      return !isSet(v);
    case 'greater_than':
      return comparable(v) > comparable(c.value);
    case 'less_than':
      return comparable(v) < comparable(c.value);
    default:
      return false;
  }
}

const localParts = new Map<string, Intl.DateTimeFormat>();

/** Whether `at`, in the condition's time zone, falls on one of its days between from and to. */
function withinHours(c: RuleCondition, at: number): boolean {
  const zone = c.timeZone ?? 'UTC';
  let f = localParts.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    localParts.set(zone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  const day = String(parts.weekday ?? '').toLowerCase().slice(0, 3) as (typeof WEEKDAYS)[number];
  const minute = Number(parts.hour) * 60 + Number(parts.minute);
  const toMinutes = (hhmm: string | undefined, fallback: number) => (hhmm ? Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5)) : fallback);
  const days = c.days ?? WEEKDAYS;
  return days.includes(day) && minute >= toMinutes(c.from, 0) && minute < toMinutes(c.to, 24 * 60);
}
