// The definition being designed: one editable document, its live validation (the server's own validator) and the edits the graph and forms make.
import { computed, inject, provide, ref, type InjectionKey, type Ref } from 'vue';
import checkSchema from 'virtual:definition-schema-check';
import { validateDefinitionWith, type DefinitionError, type WorkflowDefinition } from '../../../../../workflow-definitions/index';

export type Label = { en: string; fr: string };
export interface StateDoc {
  name: string;
  category: 'new' | 'open' | 'pending' | 'resolved' | 'closed';
  label: Label;
  initial?: boolean;
  slaPaused?: boolean;
  requiredFields?: string[];
}
export interface TransitionDoc {
  name: string;
  label: Label;
  from: string[];
  to: string;
  roles: string[];
  requiredFields?: string[];
  guard?: { field: string; equals?: string | number | boolean; notEquals?: string | number | boolean };
  withinMinutes?: number;
  requiresTimeSpent?: boolean;
}
/** The document as the designer edits it: loosely typed on purpose, since it is often invalid while being edited. */
export interface DesignDoc {
  key: string;
  name: Label;
  states: StateDoc[];
  transitions: TransitionDoc[];
  fields?: Array<{ name: string; label: Label; schema: { type: string } & Record<string, unknown>; customerEditable?: boolean; requiredOnCreate?: boolean }>;
  calendars?: Record<string, { timeZone: string; weekly: Record<string, Array<[string, string]>>; holidays?: string[] }>;
  sla?: { policies?: Record<string, { calendar: string; firstResponseMinutes?: number; resolutionMinutes?: number; warnAtPercent?: number }> };
  escalations?: Array<{ name: string; on: string; afterMinutes?: number; actions: Array<Record<string, unknown>> }>;
  automations?: Array<{ name: string; inState: string; afterMinutes: number; calendar?: string; transition?: string; remind?: Label }>;
  layout?: { states?: Record<string, { x: number; y: number }> };
  [other: string]: unknown;
}

export type Selection = { kind: 'state'; name: string } | { kind: 'transition'; index: number } | null;

const NAME = /^[a-z][a-z0-9_]{0,62}$/;

function uniqueName(base: string, taken: Set<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}

export function createDesigner() {
  const doc = ref<DesignDoc | null>(null) as Ref<DesignDoc | null>;
  const selection = ref<Selection>(null);
  /** The JSON tab's text does not parse: what is on screen is not the document, so nothing may be saved or published. */
  const jsonError = ref('');
  const savable = computed(() => !jsonError.value && validation.value.valid);

  const validation = computed(() => (doc.value ? validateDefinitionWith(checkSchema, doc.value) : { valid: false as const, errors: [] as DefinitionError[] }));
  const errors = computed<DefinitionError[]>(() => validation.value.errors);

  /** Errors for one element: `/states/3` covers `/states/3/label/fr`. */
  function errorsUnder(prefix: string): DefinitionError[] {
    return errors.value.filter((e) => e.pointer === prefix || e.pointer.startsWith(`${prefix}/`));
  }
  function stateErrors(name: string): DefinitionError[] {
    const i = doc.value?.states.findIndex((s) => s.name === name) ?? -1;
    return i < 0 ? [] : errorsUnder(`/states/${i}`);
  }
  function transitionErrors(index: number): DefinitionError[] {
    return errorsUnder(`/transitions/${index}`);
  }

  function load(document: Record<string, unknown>): void {
    doc.value = structuredClone(document) as DesignDoc;
    selection.value = null;
  }

  function positionOf(name: string, index: number): { x: number; y: number } {
    return doc.value?.layout?.states?.[name] ?? { x: 60 + (index % 4) * 230, y: 40 + Math.floor(index / 4) * 150 };
  }

  function move(name: string, x: number, y: number): void {
    const d = doc.value;
    if (!d) return;
    d.layout ??= {};
    d.layout.states ??= {};
    d.layout.states[name] = { x: Math.round(x), y: Math.round(y) };
  }

  function addState(): string {
    const d = doc.value!;
    const name = uniqueName('new_state', new Set(d.states.map((s) => s.name)));
    const at = d.states.length;
    d.states.push({ name, category: 'open', label: { en: 'New state', fr: 'Nouvel état' } });
    move(name, 60 + (at % 4) * 230, 40 + Math.floor(at / 4) * 150 + 60);
    selection.value = { kind: 'state', name };
    return name;
  }

  /** Renames a state and every reference to it (transitions, automations, layout), so the graph stays connected. */
  function renameState(from: string, to: string): boolean {
    const d = doc.value!;
    if (from === to || !NAME.test(to) || d.states.some((s) => s.name === to)) return false;
    const state = d.states.find((s) => s.name === from);
    if (!state) return false;
    state.name = to;
    for (const t of d.transitions) {
      t.from = t.from.map((f) => (f === from ? to : f));
      if (t.to === from) t.to = to;
    }
    for (const a of d.automations ?? []) if (a.inState === from) a.inState = to;
    const pos = d.layout?.states?.[from];
    if (pos && d.layout?.states) {
      delete d.layout.states[from];
      d.layout.states[to] = pos;
    }
    if (selection.value?.kind === 'state' && selection.value.name === from) selection.value = { kind: 'state', name: to };
    return true;
  }

  function removeState(name: string): void {
    const d = doc.value!;
    d.states = d.states.filter((s) => s.name !== name);
    d.transitions = d.transitions
      .map((t) => ({ ...t, from: t.from.filter((f) => f !== name) }))
      .filter((t) => t.to !== name && t.from.length > 0);
    if (d.layout?.states) delete d.layout.states[name];
    selection.value = null;
  }

  /** A connection drawn from one state to another becomes a new transition, selected so the admin can name it. */
  function connect(source: string, target: string): number {
    const d = doc.value!;
    const targetLabel = d.states.find((s) => s.name === target)?.label ?? { en: target, fr: target };
    const name = uniqueName(`to_${target}`.slice(0, 63), new Set(d.transitions.map((t) => t.name)));
    d.transitions.push({ name, label: { en: `To ${targetLabel.en}`, fr: `Vers ${targetLabel.fr}` }, from: [source], to: target, roles: ['agent', 'admin'] });
    const index = d.transitions.length - 1;
    selection.value = { kind: 'transition', index };
    return index;
  }

  /** Removes one arrow: the source state from its transition, or the whole transition when it was the last source. */
  function removeEdge(index: number, from: string): void {
    const d = doc.value!;
    const t = d.transitions[index];
    if (!t) return;
    t.from = t.from.filter((f) => f !== from);
    if (!t.from.length) removeTransition(index);
  }

  function removeTransition(index: number): void {
    doc.value!.transitions.splice(index, 1);
    selection.value = null;
  }

  /** The document as a definition, for the simulator (layout included: the schema allows it and the workflow ignores it). */
  const definition = computed(() => doc.value as unknown as WorkflowDefinition | null);

  return {
    doc,
    definition,
    selection,
    jsonError,
    savable,
    validation,
    errors,
    errorsUnder,
    stateErrors,
    transitionErrors,
    load,
    positionOf,
    move,
    addState,
    renameState,
    removeState,
    connect,
    removeEdge,
    removeTransition,
  };
}

export type Designer = ReturnType<typeof createDesigner>;
const KEY: InjectionKey<Designer> = Symbol('designer');

export function provideDesigner(): Designer {
  const designer = createDesigner();
  provide(KEY, designer);
  return designer;
}

export function useDesigner(): Designer {
  const designer = inject(KEY);
  if (!designer) throw new Error('useDesigner() outside the designer page');
  return designer;
}
