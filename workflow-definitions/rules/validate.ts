// What a rule's JSON Schema cannot say: which trigger options go with which event, which operators with which
// subject, and the shape of each condition's value. Each error names its element; the console and the API share it.
import type { RuleBody, RuleCondition } from './schema';

export interface RuleError {
  pointer: string;
  message: string;
}

const TRIGGER_OPTIONS: Record<string, string[]> = {
  field: ['field_changed'],
  by: ['commented'],
  state: ['state_entered'],
  clock: ['sla_warning', 'sla_breached'],
  minutes: ['idle'],
  businessHours: ['idle'],
};
const SCALAR_OPS = new Set(['is', 'is_not', 'contains', 'not_contains']);
const LIST_OPS = new Set(['in', 'not_in']);
const PRESENCE_OPS = new Set(['is_set', 'is_not_set']);
const ORDER_OPS = new Set(['greater_than', 'less_than']);
const TIME_OPS = new Set(['within', 'outside']);

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function conditionErrors(c: RuleCondition, at: string): RuleError[] {
  const errors: RuleError[] = [];
  const err = (pointer: string, message: string) => errors.push({ pointer: `${at}${pointer}`, message });
  if (c.subject === 'field' && !c.field) err('/field', 'name the custom field the condition reads');
  if (c.subject !== 'field' && c.field !== undefined) err('/field', `only a field condition names a field, not a ${c.subject} condition`);
  if (c.subject === 'time') {
    if (!TIME_OPS.has(c.op)) err('/op', 'a time condition is within or outside given hours');
    if (c.value !== undefined) err('/value', 'a time condition takes days, from, to and timeZone, not a value');
    if (!c.timeZone) err('/timeZone', 'say which time zone the hours are in');
    else if (!validZone(c.timeZone)) err('/timeZone', `unknown time zone '${c.timeZone}'`);
    if (c.from && c.to && c.from >= c.to) err('/to', 'must be after from');
    return errors;
  }
  for (const k of ['days', 'from', 'to', 'timeZone'] as const) if (c[k] !== undefined) err(`/${k}`, 'only a time condition takes hours');
  if (TIME_OPS.has(c.op)) err('/op', `${c.op} is for time conditions`);
  else if (PRESENCE_OPS.has(c.op)) {
    if (c.value !== undefined) err('/value', `${c.op} takes no value`);
  } else if (LIST_OPS.has(c.op)) {
    if (!Array.isArray(c.value) || c.value.length === 0) err('/value', `${c.op} takes a non-empty list of values`);
    else if (c.value.length > 100) err('/value', 'at most 100 values');
  } else if (SCALAR_OPS.has(c.op)) {
    if (c.value === undefined || c.value === null || typeof c.value === 'object') err('/value', `${c.op} takes one value (text, number or true/false)`);
  } else if (ORDER_OPS.has(c.op)) {
    if (!(typeof c.value === 'number' || (typeof c.value === 'string' && !Number.isNaN(Date.parse(c.value))))) err('/value', `${c.op} takes a number or a date`);
    if (c.subject !== 'field') err('/op', `${c.op} compares numbers or dates: use it on a field`);
  }
  if (c.subject === 'tags' && (c.op === 'greater_than' || c.op === 'less_than')) err('/op', 'tags are not ordered');
  return errors;
}

/** The rule's errors beyond its JSON Schema: empty when its shape is sound (references are checked by the desk). */
export function ruleShapeErrors(rule: Pick<RuleBody, 'when' | 'if' | 'then'>): RuleError[] {
  const errors: RuleError[] = [];
  const w = rule.when as Record<string, unknown>;
  for (const [option, events] of Object.entries(TRIGGER_OPTIONS)) {
    if (w[option] !== undefined && !events.includes(rule.when.event)) errors.push({ pointer: `/when/${option}`, message: `${option} goes with ${events.join(' or ')}, not ${rule.when.event}` });
  }
  if (rule.when.event === 'idle' && rule.when.minutes === undefined) errors.push({ pointer: '/when/minutes', message: 'say how long the ticket must be idle' });
  (rule.if ?? []).forEach((c, i) => errors.push(...conditionErrors(c, `/if/${i}`)));
  rule.then.forEach((a, i) => {
    if (a.action === 'set_field' && a.value === undefined) errors.push({ pointer: `/then/${i}/value`, message: 'give the value to set' });
  });
  return errors;
}
