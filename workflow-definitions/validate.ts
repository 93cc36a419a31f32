// Validates a workflow definition: the JSON Schema first, then the semantic rules; every error carries a JSON pointer.
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { hasBusinessHours, isValidTimeZone, ROUND_THE_CLOCK } from './calendar';
import { requiredFieldsOf } from './lifecycle';
import { definitionSchema, type ApprovalDef, type WorkflowDefinition } from './schema';

export interface DefinitionError {
  pointer: string;
  message: string;
}

export type DefinitionValidation = { valid: true; definition: WorkflowDefinition; errors: [] } | { valid: false; errors: DefinitionError[] };

/** A compiled JSON Schema check in ajv's shape: true when valid, else the errors on the function. */
export type SchemaCheck = ((input: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** The ajv options the definition schema is compiled with, here and in the console's build-time (standalone) compile. */
export const DEFINITION_AJV_OPTIONS = { allErrors: true, strict: false } as const;

// Compiled on first use: ajv compiles to code run through `new Function`, which the console's Content-Security-Policy
// refuses, so importing this module must not compile. The console validates with the same schema compiled at build time.
let compiled: SchemaCheck | undefined;
function schemaCheck(): SchemaCheck {
  if (!compiled) {
    const ajv = new Ajv2020(DEFINITION_AJV_OPTIONS);
    addFormats(ajv);
    compiled = ajv.compile(definitionSchema);
  }
  return compiled;
}

export function validateDefinition(input: unknown): DefinitionValidation {
  return validateDefinitionWith(schemaCheck(), input);
}

/** The JSON Schema through `checkSchema`, then the semantic rules. */
export function validateDefinitionWith(checkSchema: SchemaCheck, input: unknown): DefinitionValidation {
  if (!checkSchema(input)) {
    const errors = (checkSchema.errors ?? []).map((e) => ({
      pointer: e.instancePath || '/',
      message: e.keyword === 'additionalProperties' ? `unknown property '${(e.params as { additionalProperty: string }).additionalProperty}'` : (e.message ?? 'is invalid'),
    }));
    return { valid: false, errors: dedupe(errors) };
  }
  const definition = input as WorkflowDefinition;
  const errors = semanticErrors(definition);
  return errors.length ? { valid: false, errors } : { valid: true, definition, errors: [] };
}

function dedupe(errors: DefinitionError[]): DefinitionError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.pointer}|${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function duplicates<T>(items: T[], keyOf: (t: T) => string, pointer: (i: number) => string, what: string): DefinitionError[] {
  const seen = new Set<string>();
  const out: DefinitionError[] = [];
  items.forEach((item, i) => {
    const k = keyOf(item);
    if (seen.has(k)) out.push({ pointer: pointer(i), message: `duplicate ${what} '${k}'` });
    seen.add(k);
  });
  return out;
}

/** Rules the schema cannot express: references resolve, one initial state, every state reachable, terminal states stay terminal. */
export function semanticErrors(def: WorkflowDefinition): DefinitionError[] {
  const errors: DefinitionError[] = [];
  const states = new Map(def.states.map((s) => [s.name, s]));
  const fields = new Set((def.fields ?? []).map((f) => f.name));
  const calendars = new Set(Object.keys(def.calendars ?? {}));
  const transitions = new Set(def.transitions.map((t) => t.name));

  errors.push(...duplicates(def.states, (s) => s.name, (i) => `/states/${i}/name`, 'state'));
  errors.push(...duplicates(def.transitions, (t) => t.name, (i) => `/transitions/${i}/name`, 'transition'));
  errors.push(...duplicates(def.fields ?? [], (f) => f.name, (i) => `/fields/${i}/name`, 'field'));
  errors.push(...duplicates(def.escalations ?? [], (e) => e.name, (i) => `/escalations/${i}/name`, 'escalation'));
  errors.push(...duplicates(def.automations ?? [], (a) => a.name, (i) => `/automations/${i}/name`, 'automation'));

  const initials = def.states.map((s, i) => [s, i] as const).filter(([s]) => s.initial);
  if (initials.length !== 1) {
    errors.push({ pointer: '/states', message: initials.length ? `exactly one initial state is allowed, found ${initials.length}` : 'one state must be marked initial' });
  }

  def.states.forEach((s, i) =>
    (s.requiredFields ?? []).forEach((f, j) => {
      if (!fields.has(f)) errors.push({ pointer: `/states/${i}/requiredFields/${j}`, message: `unknown field '${f}'` });
    }),
  );

  def.transitions.forEach((t, i) => {
    t.from.forEach((f, j) => {
      if (!states.has(f)) errors.push({ pointer: `/transitions/${i}/from/${j}`, message: `unknown state '${f}'` });
    });
    if (!states.has(t.to)) errors.push({ pointer: `/transitions/${i}/to`, message: `unknown state '${t.to}'` });
    (t.requiredFields ?? []).forEach((f, j) => {
      if (!fields.has(f)) errors.push({ pointer: `/transitions/${i}/requiredFields/${j}`, message: `unknown field '${f}'` });
    });
    if (t.guard && !fields.has(t.guard.field)) errors.push({ pointer: `/transitions/${i}/guard/field`, message: `unknown field '${t.guard.field}'` });
    // Terminal (closed) states accept only transitions that are explicit reopenings, i.e. bounded by a window.
    t.from.forEach((f, j) => {
      if (states.get(f)?.category === 'closed' && t.withinMinutes === undefined) {
        errors.push({ pointer: `/transitions/${i}/from/${j}`, message: `'${f}' is a closed state: only a reopen transition with withinMinutes may leave it` });
      }
    });
  });

  const initial = initials[0]?.[0];
  if (initial) {
    const reached = new Set([initial.name]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const t of def.transitions) {
        if (!reached.has(t.to) && t.from.some((f) => reached.has(f))) {
          reached.add(t.to);
          grew = true;
        }
      }
    }
    def.states.forEach((s, i) => {
      if (!reached.has(s.name)) errors.push({ pointer: `/states/${i}`, message: `state '${s.name}' is unreachable from the initial state '${initial.name}'` });
    });
  }

  for (const [name, cal] of Object.entries(def.calendars ?? {})) {
    if (!isValidTimeZone(cal.timeZone)) errors.push({ pointer: `/calendars/${name}/timeZone`, message: `unknown time zone '${cal.timeZone}'` });
    else if (!hasBusinessHours(cal)) errors.push({ pointer: `/calendars/${name}/weekly`, message: 'the calendar has no business hours' });
    for (const [day, windows] of Object.entries(cal.weekly)) {
      ((windows ?? []) as Array<[string, string]>).forEach(([from, to], k) => {
        if (from >= to) errors.push({ pointer: `/calendars/${name}/weekly/${day}/${k}`, message: `window ${from}-${to} must end after it starts` });
      });
    }
  }

  for (const [priority, policy] of Object.entries(def.sla?.policies ?? {})) {
    const p = policy as { calendar: string; firstResponseMinutes?: number; resolutionMinutes?: number };
    if (p.calendar !== ROUND_THE_CLOCK && !calendars.has(p.calendar)) {
      errors.push({ pointer: `/sla/policies/${priority}/calendar`, message: `unknown calendar '${p.calendar}' (define it under calendars or use '24x7')` });
    }
    if (p.firstResponseMinutes === undefined && p.resolutionMinutes === undefined) {
      errors.push({ pointer: `/sla/policies/${priority}`, message: 'a policy needs firstResponseMinutes or resolutionMinutes' });
    }
  }

  (def.escalations ?? []).forEach((e, i) => {
    if ((e.on === 'unassigned' || e.on === 'noAgentUpdate') && e.afterMinutes === undefined) {
      errors.push({ pointer: `/escalations/${i}/afterMinutes`, message: `'${e.on}' escalations need afterMinutes` });
    }
  });

  (def.automations ?? []).forEach((a, i) => {
    if (!states.has(a.inState)) errors.push({ pointer: `/automations/${i}/inState`, message: `unknown state '${a.inState}'` });
    if (a.calendar && a.calendar !== ROUND_THE_CLOCK && !calendars.has(a.calendar)) {
      errors.push({ pointer: `/automations/${i}/calendar`, message: `unknown calendar '${a.calendar}'` });
    }
    if (!a.transition && !a.remind) errors.push({ pointer: `/automations/${i}`, message: 'an automation needs a transition or a remind text' });
    if (a.transition) {
      const t = def.transitions.find((x) => x.name === a.transition);
      if (!transitions.has(a.transition)) errors.push({ pointer: `/automations/${i}/transition`, message: `unknown transition '${a.transition}'` });
      else if (t && !t.from.includes(a.inState)) errors.push({ pointer: `/automations/${i}/transition`, message: `'${a.transition}' cannot be taken from '${a.inState}'` });
      else if (t && !(t.roles as readonly string[]).includes('system')) errors.push({ pointer: `/automations/${i}/transition`, message: `'${a.transition}' must allow the role 'system'` });
    }
  });

  def.states.forEach((s, i) => {
    if (s.approval) errors.push(...approvalErrors(def, s.name, s.approval, `/states/${i}/approval`, fields));
  });

  const opr = def.onProblemResolved;
  if (opr?.transition) {
    const t = def.transitions.find((x) => x.name === opr.transition);
    if (!t) errors.push({ pointer: '/onProblemResolved/transition', message: `unknown transition '${opr.transition}'` });
    else if (!(t.roles as readonly string[]).includes('system')) errors.push({ pointer: '/onProblemResolved/transition', message: `'${opr.transition}' must allow the role 'system'` });
  }
  if (opr?.setField && !fields.has(opr.setField)) errors.push({ pointer: '/onProblemResolved/setField', message: `unknown field '${opr.setField}'` });

  const ocd = def.onChildrenDone;
  if (ocd) {
    const t = def.transitions.find((x) => x.name === ocd.transition);
    if (!t) errors.push({ pointer: '/onChildrenDone/transition', message: `unknown transition '${ocd.transition}'` });
    else if (!(t.roles as readonly string[]).includes('system')) errors.push({ pointer: '/onChildrenDone/transition', message: `'${ocd.transition}' must allow the role 'system'` });
  }

  return errors;
}

/** An approval's outcomes are transitions the desk takes from its state, and its timer settings fit together. */
function approvalErrors(def: WorkflowDefinition, state: string, a: ApprovalDef, at: string, fields: Set<string>): DefinitionError[] {
  const errors: DefinitionError[] = [];
  const category = def.states.find((x) => x.name === state)?.category;
  if (category === 'resolved' || category === 'closed') errors.push({ pointer: at, message: `a ${category} state cannot wait for approval` });
  for (const outcome of ['approved', 'rejected'] as const) {
    const { transition, commentField } = a[outcome];
    const t = def.transitions.find((x) => x.name === transition);
    if (!t) errors.push({ pointer: `${at}/${outcome}/transition`, message: `unknown transition '${transition}'` });
    else if (!t.from.includes(state)) errors.push({ pointer: `${at}/${outcome}/transition`, message: `'${transition}' cannot be taken from '${state}'` });
    else if (!(t.roles as readonly string[]).includes('system')) errors.push({ pointer: `${at}/${outcome}/transition`, message: `'${transition}' must allow the role 'system'` });
    if (commentField && !fields.has(commentField)) errors.push({ pointer: `${at}/${outcome}/commentField`, message: `unknown field '${commentField}'` });
    // The desk fills only the comment field: a transition needing any other would be refused when the round closes.
    const missing = t ? requiredFieldsOf(def, t).filter((f) => f !== commentField) : [];
    if (missing.length) errors.push({ pointer: `${at}/${outcome}`, message: `'${transition}' requires ${missing.join(', ')}: name it as the commentField, or drop the requirement` });
  }
  if (a.policy === 'atLeast' && a.count === undefined) errors.push({ pointer: `${at}/count`, message: "the 'atLeast' policy needs a count" });
  if (a.policy !== 'atLeast' && a.count !== undefined) errors.push({ pointer: `${at}/count`, message: "a count goes with the 'atLeast' policy only" });
  if (a.timeoutMinutes === undefined) {
    if (a.onTimeout) errors.push({ pointer: `${at}/onTimeout`, message: 'onTimeout needs timeoutMinutes' });
    if (a.remindBeforeMinutes !== undefined) errors.push({ pointer: `${at}/remindBeforeMinutes`, message: 'a reminder needs timeoutMinutes' });
  } else if (a.remindBeforeMinutes !== undefined && a.remindBeforeMinutes >= a.timeoutMinutes) {
    errors.push({ pointer: `${at}/remindBeforeMinutes`, message: 'the reminder must come before the timeout' });
  }
  if (a.escalate && (a.onTimeout ?? 'escalate') !== 'escalate') errors.push({ pointer: `${at}/escalate`, message: "escalation actions go with onTimeout 'escalate'" });
  return errors;
}
