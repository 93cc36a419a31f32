// Whether what a rule names exists now: states, fields, queues, types, people, groups, macros and transitions. Each
// error names the element at fault, so the console can point at it; nothing is saved while any remains.
import type { EntityManager } from '@mikro-orm/postgresql';
import { fieldOf, fieldValueError } from '../../../workflow-definitions/lifecycle';
import { WATCHED_ATTRIBUTES, type RuleBody } from '../../../workflow-definitions/rules/schema';
import type { WorkflowDefinition } from '../../../workflow-definitions/schema';
import type { FieldError } from '../../http/problem';
import { BUILT_IN_TYPES } from '../ticket-types/schemas';

interface Known {
  queues: Set<string>;
  types: Set<string>;
  groups: Set<string>;
  organisations: Set<string>;
  agents: Set<string>;
  users: Set<string>;
  macros: Set<string>;
}

async function known(em: EntityManager, rule: Pick<RuleBody, 'if' | 'then'>): Promise<Known> {
  const ids = new Set<string>();
  for (const c of rule.if ?? []) if (['requester', 'assignee', 'organisation'].includes(c.subject)) for (const v of [c.value].flat()) if (typeof v === 'string') ids.add(v);
  for (const a of rule.then) if (a.action === 'assign' && a.assigneeId) ids.add(a.assigneeId);
  const uuids = [...ids].filter((v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v));
  // SQL: every list a rule may name, in one round trip (aggregates over seven tables).
  const [row] = await em.execute<Array<Record<keyof Known, string[] | null>>>(
    `select (select json_agg(key) from queues) as queues, (select json_agg(key) from ticket_types) as types, (select json_agg(key) from groups) as groups,
            (select json_agg(id) from organisations where id in (select value::uuid from jsonb_array_elements_text(?::jsonb))) as organisations,
            (select json_agg(id) from users where id in (select value::uuid from jsonb_array_elements_text(?::jsonb)) and role in ('agent', 'admin') and not disabled) as agents,
            (select json_agg(id) from users where id in (select value::uuid from jsonb_array_elements_text(?::jsonb))) as users,
            (select json_agg(id) from macros where owner_id is null) as macros`,
    [JSON.stringify(uuids), JSON.stringify(uuids), JSON.stringify(uuids)],
  );
  const set = (k: keyof Known) => new Set(row?.[k] ?? []);
  return { queues: set('queues'), types: new Set([...BUILT_IN_TYPES, ...set('types')]), groups: set('groups'), organisations: set('organisations'), agents: set('agents'), users: set('users'), macros: set('macros') };
}

/** The rule's references that the desk does not know (against the published definitions and the directory). */
/** The problems of a plug-in action a rule names, each at its pointer below `at`. */
export type PluginProblems = (request: { plugin: string; run: string; with?: Record<string, unknown> }, at: string) => FieldError[];

export async function referenceErrors(
  em: EntityManager,
  rule: Pick<RuleBody, 'when' | 'if' | 'then'>,
  definitions: readonly WorkflowDefinition[],
  pluginProblems: PluginProblems,
): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  const k = await known(em, rule);
  const states = new Set(definitions.flatMap((d) => d.states.map((s) => s.name)));
  const transitions = new Set(definitions.flatMap((d) => d.transitions.map((t) => t.name)));
  const declares = (field: string) => definitions.filter((d) => fieldOf(d, field));
  if (rule.when.event === 'state_entered' && rule.when.state && !states.has(rule.when.state)) errors.push({ pointer: '/when/state', message: `no published definition has a state '${rule.when.state}'` });
  if (rule.when.event === 'field_changed' && rule.when.field && !(WATCHED_ATTRIBUTES as readonly string[]).includes(rule.when.field) && !declares(rule.when.field).length) {
    errors.push({ pointer: '/when/field', message: `no published definition has a field '${rule.when.field}'` });
  }
  (rule.if ?? []).forEach((c, i) => {
    const at = `/if/${i}/value`;
    const values = [c.value].flat().filter((v) => v !== undefined && v !== null);
    const unknown = (set: Set<string>, what: string) => values.filter((v) => !set.has(String(v))).forEach((v) => errors.push({ pointer: at, message: `no ${what} '${String(v)}'` }));
    if (c.subject === 'field' && c.field && !declares(c.field).length) errors.push({ pointer: `/if/${i}/field`, message: `no published definition has a field '${c.field}'` });
    if (c.op === 'contains' || c.op === 'not_contains' || c.op === 'is_set' || c.op === 'is_not_set') return;
    if (c.subject === 'queue') unknown(k.queues, 'queue');
    else if (c.subject === 'type') unknown(k.types, 'ticket type');
    else if (c.subject === 'group') unknown(k.groups, 'group');
    else if (c.subject === 'state') unknown(states, 'state in any published definition');
    else if (c.subject === 'organisation') unknown(k.organisations, 'organisation');
    else if (c.subject === 'requester' || c.subject === 'assignee') unknown(k.users, 'user');
    else if (c.subject === 'priority') unknown(new Set(['low', 'medium', 'high', 'critical']), 'priority');
  });
  rule.then.forEach((a, i) => {
    const at = `/then/${i}`;
    if (a.action === 'assign' && a.assigneeId && !k.agents.has(a.assigneeId)) errors.push({ pointer: `${at}/assigneeId`, message: 'not an active agent' });
    else if (a.action === 'set_queue' && !k.queues.has(a.queue)) errors.push({ pointer: `${at}/queue`, message: `no queue '${a.queue}'` });
    else if (a.action === 'apply_macro' && !k.macros.has(a.macroId)) errors.push({ pointer: `${at}/macroId`, message: 'no shared macro with this id' });
    else if (a.action === 'transition' && !transitions.has(a.transition)) errors.push({ pointer: `${at}/transition`, message: `no published definition has a transition '${a.transition}'` });
    else if (a.action === 'plugin') errors.push(...pluginProblems(a, at));
    else if (a.action === 'set_field') {
      const defs = declares(a.field);
      if (!defs.length) errors.push({ pointer: `${at}/field`, message: `no published definition has a field '${a.field}' (was it deleted?)` });
      else {
        const problems = defs.map((d) => fieldValueError(fieldOf(d, a.field)!, a.value));
        if (problems.every((p) => p !== null)) errors.push({ pointer: `${at}/value`, message: `${a.field} ${problems[0]}` });
      }
    }
  });
  return errors;
}
