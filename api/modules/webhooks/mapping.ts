// Turns an inbound JSON document into one ticket action by an endpoint's declarative mapping: the first rule whose conditions hold wins.
import type { FieldError } from '../../http/problem';
import type { Mapping, MappingAction } from './schemas';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** RFC 6901: "" is the whole document; undefined when the pointer leads nowhere. */
export function resolvePointer(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  let cur: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur) && /^(0|[1-9][0-9]*)$/.test(key)) cur = cur[Number(key)];
    else if (cur && typeof cur === 'object' && !Array.isArray(cur) && Object.prototype.hasOwnProperty.call(cur, key)) cur = (cur as Record<string, unknown>)[key];
    else return undefined;
  }
  return cur;
}

const PLACEHOLDER = /\{\{\s*(\/?[^}]*?)\s*\}\}/g;
const WHOLE = /^\{\{\s*(\/?[^}]*?)\s*\}\}$/;

export class MappingError extends Error {
  constructor(
    message: string,
    readonly errors: FieldError[],
  ) {
    super(message);
  }
}

/** Fills {{/pointer}} placeholders; a template that is only a placeholder keeps the value's own type (numbers, booleans). */
export function render(template: string, doc: unknown, where: string, required = true): unknown {
  const whole = WHOLE.exec(template);
  if (whole) {
    const v = resolvePointer(doc, whole[1]);
    if (v === undefined && !required) return undefined;
    if (v === undefined) throw new MappingError(`${where}: nothing at ${whole[1]}`, [{ pointer: whole[1] || '/', message: `${where} needs a value here` }]);
    return v;
  }
  return template.replace(PLACEHOLDER, (_m, p: string) => {
    const v = resolvePointer(doc, p);
    if (v === undefined || v === null) return '';
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
}

/** Title, priority and references are required: a missing value fails the mapping; descriptions and fields may be absent. */
function renderText(template: string | undefined, doc: unknown, where: string, required = true): string | undefined {
  if (template === undefined) return undefined;
  const v = render(template, doc, where, required);
  if (v === undefined) return undefined;
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v ?? '');
}

type Condition = NonNullable<Mapping['rules'][number]['when']>[number];

function holds(c: Condition, doc: unknown): boolean {
  const v = resolvePointer(doc, c.pointer);
  if (c.exists !== undefined && (v !== undefined) !== c.exists) return false;
  if (c.equals !== undefined && v !== c.equals) return false;
  if (c.notEquals !== undefined && v === c.notEquals) return false;
  if (c.in !== undefined && !c.in.includes(v as never)) return false;
  return true;
}

export type PlannedAction =
  | { type: 'create'; ticketType: string; title: string; description: string; priority: 'low' | 'medium' | 'high' | 'critical'; requester?: string; fields: Record<string, string | number | boolean>; externalRef?: string }
  | { type: 'comment'; externalRef: string; body: string; visibility: 'public' | 'internal' }
  | { type: 'transition'; externalRef: string; transition: string; fields: Record<string, string | number | boolean> };

const PRIORITIES = new Set(['low', 'medium', 'high', 'critical']);

function renderFields(spec: Record<string, string> | undefined, doc: unknown): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, t] of Object.entries(spec ?? {})) {
    const v = render(t, doc, `field ${k}`, false);
    if (v === undefined || v === null || v === '') continue;
    out[k] = typeof v === 'object' ? JSON.stringify(v) : (v as string | number | boolean);
  }
  return out;
}

function requiredRef(t: string, doc: unknown): string {
  const ref = renderText(t, doc, 'externalRef')!.trim();
  if (!ref) throw new MappingError('the external reference is empty', [{ pointer: '/externalRef', message: 'empty external reference' }]);
  if (ref.length > 500) throw new MappingError('the external reference is longer than 500 characters', [{ pointer: '/externalRef', message: 'too long' }]);
  return ref;
}

function plan(action: MappingAction, doc: unknown): PlannedAction {
  if (action.type === 'create') {
    const title = renderText(action.title, doc, 'title')!.trim().slice(0, 200);
    if (!title) throw new MappingError('the title is empty', [{ pointer: '/title', message: 'empty title' }]);
    let priority = renderText(action.priority ?? 'medium', doc, 'priority')!.trim();
    if (action.priorityMap && Object.prototype.hasOwnProperty.call(action.priorityMap, priority)) priority = action.priorityMap[priority];
    if (!PRIORITIES.has(priority)) throw new MappingError(`'${priority}' is not a priority (low, medium, high, critical); add it to priorityMap`, [{ pointer: '/priority', message: 'unknown priority' }]);
    const externalRef = action.externalRef !== undefined ? requiredRef(action.externalRef, doc) : undefined;
    return {
      type: 'create',
      ticketType: action.ticketType,
      title,
      description: (renderText(action.description, doc, 'description', false) ?? '').slice(0, 20000),
      priority: priority as 'low',
      requester: renderText(action.requester, doc, 'requester', false)?.trim() || undefined,
      fields: renderFields(action.fields as Record<string, string> | undefined, doc),
      ...(externalRef ? { externalRef } : {}),
    };
  }
  if (action.type === 'comment') {
    const body = renderText(action.body, doc, 'body')!.slice(0, 50000);
    if (!body.trim()) throw new MappingError('the comment is empty', [{ pointer: '/body', message: 'empty comment' }]);
    return { type: 'comment', externalRef: requiredRef(action.externalRef, doc), body, visibility: action.visibility ?? 'internal' };
  }
  return { type: 'transition', externalRef: requiredRef(action.externalRef, doc), transition: action.transition, fields: renderFields(action.fields as Record<string, string> | undefined, doc) };
}

/** The action the first matching rule asks for, or a MappingError naming what failed. */
export function planAction(mapping: Mapping, doc: unknown): { rule: number; action: PlannedAction } {
  const index = mapping.rules.findIndex((r) => (r.when ?? []).every((c) => holds(c, doc)));
  if (index < 0) throw new MappingError('no rule of the mapping matches this request', [{ pointer: '/', message: 'no rule matched' }]);
  return { rule: index, action: plan(mapping.rules[index].action, doc) };
}

/** The sender's event id from the mapping's pointer (when it sends no webhook-id header). */
export function mappedEventId(mapping: Mapping, doc: unknown): string | undefined {
  if (mapping.eventId === undefined) return undefined;
  const v = resolvePointer(doc, mapping.eventId);
  return typeof v === 'string' || typeof v === 'number' ? String(v).slice(0, 200) : undefined;
}
