// Answers every lifecycle question about a definition (initial state, allowed transitions, why one is refused), as pure functions.
import type { Role, StateDef, TransitionDef, WorkflowDefinition, FieldDef } from './schema';

export type FieldValue = string | number | boolean;
export type Fields = Record<string, FieldValue>;

export interface TransitionRefusal {
  /** conflict: not possible now (state, role, guard, window); invalid: fields missing or malformed. */
  kind: 'conflict' | 'invalid';
  code: string;
  message: string;
  errors?: Array<{ pointer: string; message: string }>;
}

export function initialState(def: WorkflowDefinition): StateDef {
  return def.states.find((s) => s.initial) ?? def.states[0]!;
}

export function stateOf(def: WorkflowDefinition, name: string): StateDef | undefined {
  return def.states.find((s) => s.name === name);
}

export function fieldOf(def: WorkflowDefinition, name: string): FieldDef | undefined {
  return def.fields?.find((f) => f.name === name);
}

/** Fields a transition needs: its own plus those the target state requires. */
export function requiredFieldsOf(def: WorkflowDefinition, t: TransitionDef): string[] {
  const target = stateOf(def, t.to);
  return [...new Set([...(t.requiredFields ?? []), ...(target?.requiredFields ?? [])])];
}

/** Checks one value against its field's declared schema (the subset the definition schema allows). */
export function fieldValueError(field: FieldDef, value: unknown): string | null {
  const s = field.schema as Record<string, unknown>;
  const type = s.type as string;
  if (type === 'string') {
    if (typeof value !== 'string') return 'must be a string';
    if (typeof s.minLength === 'number' && value.length < s.minLength) return `must have at least ${s.minLength} characters`;
    if (typeof s.maxLength === 'number' && value.length > s.maxLength) return `must have at most ${s.maxLength} characters`;
    if (Array.isArray(s.enum) && !s.enum.includes(value)) return `must be one of ${s.enum.join(', ')}`;
    return null;
  }
  if (type === 'number' || type === 'integer') {
    if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
    if (type === 'integer' && !Number.isInteger(value)) return 'must be an integer';
    if (typeof s.minimum === 'number' && value < s.minimum) return `must be >= ${s.minimum}`;
    if (typeof s.maximum === 'number' && value > s.maximum) return `must be <= ${s.maximum}`;
    return null;
  }
  if (type === 'boolean') return typeof value === 'boolean' ? null : 'must be a boolean';
  return 'has an unsupported type';
}

/** Validates submitted field values against the definition: unknown fields and bad values are errors. */
export function fieldErrors(def: WorkflowDefinition, values: Record<string, unknown>): Array<{ pointer: string; message: string }> {
  const errors: Array<{ pointer: string; message: string }> = [];
  for (const [name, value] of Object.entries(values)) {
    const field = fieldOf(def, name);
    if (!field) {
      errors.push({ pointer: `/fields/${name}`, message: `unknown field '${name}'` });
      continue;
    }
    const error = fieldValueError(field, value);
    if (error) errors.push({ pointer: `/fields/${name}`, message: `${name} ${error}` });
  }
  return errors;
}

function isPresent(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

export interface TransitionContext {
  state: string;
  role: Role;
  fields: Fields;
  enteredStateAt: number;
  now: number;
  /** Minutes the agent records with the command (time tracking), when they give any. */
  timeSpent?: number;
}

/**
 * The submitted fields this role may not write: customers only those the definition marks customerEditable. The one
 * rule for every path that writes fields (creation, field edits, transitions, and through them mail, integrations
 * and mass actions).
 */
export function lockedFields(def: WorkflowDefinition, role: Role, submitted: Record<string, unknown>): string[] {
  if (role !== 'customer') return [];
  return Object.keys(submitted).filter((name) => !fieldOf(def, name)?.customerEditable);
}

/** Why a transition cannot be taken now, or null when it can (the submitted fields merged over the ticket's). */
export function refuseTransition(def: WorkflowDefinition, ctx: TransitionContext, name: string, submitted: Record<string, unknown>): TransitionRefusal | null {
  const t = def.transitions.find((x) => x.name === name);
  if (!t) return { kind: 'conflict', code: 'unknown-transition', message: `'${name}' is not a transition of ${def.key}` };
  if (!t.from.includes(ctx.state)) {
    return { kind: 'conflict', code: 'wrong-state', message: `'${name}' is not allowed from state '${ctx.state}'` };
  }
  if (!(t.roles as readonly string[]).includes(ctx.role)) {
    return { kind: 'conflict', code: 'role-not-allowed', message: `role '${ctx.role}' may not take '${name}'` };
  }
  if (t.withinMinutes !== undefined && ctx.now - ctx.enteredStateAt > t.withinMinutes * 60_000) {
    return { kind: 'conflict', code: 'window-closed', message: `'${name}' was only possible within ${t.withinMinutes} minutes` };
  }
  if (t.requiresTimeSpent && (ctx.role === 'agent' || ctx.role === 'admin') && !(ctx.timeSpent !== undefined && ctx.timeSpent > 0)) {
    return { kind: 'invalid', code: 'time-required', message: `'${name}' asks for the time you spent`, errors: [{ pointer: '/timeSpent', message: 'required' }] };
  }
  const locked = lockedFields(def, ctx.role, submitted);
  if (locked.length) {
    return { kind: 'conflict', code: 'field-not-editable', message: `customers cannot change ${locked.join(', ')}`, errors: locked.map((f) => ({ pointer: `/fields/${f}`, message: `${f} is set by agents only` })) };
  }
  const invalid = fieldErrors(def, submitted);
  if (invalid.length) return { kind: 'invalid', code: 'invalid-fields', message: invalid.map((e) => e.message).join('; '), errors: invalid };
  const merged = { ...ctx.fields, ...submitted };
  const missing = requiredFieldsOf(def, t).filter((f) => !isPresent(merged[f]));
  if (missing.length) {
    return {
      kind: 'invalid',
      code: 'missing-fields',
      message: `'${name}' requires ${missing.join(', ')}`,
      errors: missing.map((f) => ({ pointer: `/fields/${f}`, message: `${f} is required` })),
    };
  }
  if (t.guard) {
    const v = merged[t.guard.field];
    if (t.guard.equals !== undefined && v !== t.guard.equals) {
      return { kind: 'conflict', code: 'guard-failed', message: `'${name}' needs ${t.guard.field} = ${String(t.guard.equals)}` };
    }
    if (t.guard.notEquals !== undefined && v === t.guard.notEquals) {
      return { kind: 'conflict', code: 'guard-failed', message: `'${name}' needs ${t.guard.field} ≠ ${String(t.guard.notEquals)}` };
    }
  }
  return null;
}

export interface AvailableTransition {
  name: string;
  label: { en: string; fr: string };
  to: string;
  requiredFields: Array<{ name: string; label: { en: string; fr: string }; type: string }>;
  /** Agents record the time they spent with it. */
  requiresTimeSpent: boolean;
}

/** Transitions a role may take from the current state (guards on fields not yet given are left to the form). */
export function availableTransitions(def: WorkflowDefinition, ctx: TransitionContext): AvailableTransition[] {
  return def.transitions
    .filter((t) => t.from.includes(ctx.state) && (t.roles as readonly string[]).includes(ctx.role))
    .filter((t) => t.withinMinutes === undefined || ctx.now - ctx.enteredStateAt <= t.withinMinutes * 60_000)
    .map((t) => ({
      name: t.name,
      label: t.label,
      to: t.to,
      requiresTimeSpent: t.requiresTimeSpent === true,
      requiredFields: requiredFieldsOf(def, t).map((f) => {
        const field = fieldOf(def, f);
        return { name: f, label: field?.label ?? { en: f, fr: f }, type: (field?.schema as { type: string } | undefined)?.type ?? 'string' };
      }),
    }));
}

/**
 * The transition a definition names `customer_replied` is taken by the desk itself when the customer answers in
 * public (portal, mail or integration): a ticket waiting on them comes back to the agents and its clocks resume.
 */
export const CUSTOMER_REPLY_TRANSITION = 'customer_replied';

/** Whether a customer's public reply moves the ticket now: its definition has the transition and allows it from here. */
export function customerReplyTransition(def: WorkflowDefinition, ctx: TransitionContext): string | null {
  if (!def.transitions.some((t) => t.name === CUSTOMER_REPLY_TRANSITION)) return null;
  return refuseTransition(def, { ...ctx, role: 'system' }, CUSTOMER_REPLY_TRANSITION, {}) ? null : CUSTOMER_REPLY_TRANSITION;
}
