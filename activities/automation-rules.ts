// The automation rules' side of recording a batch: which enabled rules the batch fires, with what they name resolved
// (a macro's parts, the words of a comment filled in for this ticket). The rule set is cached per worker and reloaded
// when its generation (the highest change number) moves, so each batch costs one indexed read when no rule changed.
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../platform/db/entities/index';
import { evaluateRules, type LiveRule } from '../workflow-definitions/rules/evaluate';
import type { RuleActionBody, RuleBody } from '../workflow-definitions/rules/schema';
import type { IdleRule, RuleFiring, RuleStep, RulesOutcome } from '../workflow-definitions/ticket-machine/contract';
import { renderText } from '../mail/templates';
import type { RecordTicketEventsInput } from './record-ticket-events';

/** The enabled rules of one generation, ready to evaluate. */
export interface RuleSet {
  generation: number;
  rules: LiveRule[];
  idle: IdleRule[];
}

export interface MacroRow {
  id: string;
  name: string;
  body: {
    reply?: { en?: string; fr?: string; visibility?: 'public' | 'internal' };
    priority?: 'low' | 'medium' | 'high' | 'critical';
    fields?: Record<string, unknown>;
    addTags?: string[];
    removeTags?: string[];
    assignTo?: string;
    transition?: string;
  };
}

/** A shared macro as rule steps; its reply is kept in both languages until the ticket's requester is known. */
function macroSteps(m: MacroRow): RuleStep[] {
  const b = m.body;
  const steps: RuleStep[] = [];
  for (const [field, value] of Object.entries(b.fields ?? {})) steps.push({ action: 'set_field', field, value });
  if (b.priority) steps.push({ action: 'set_priority', priority: b.priority });
  if (b.addTags?.length) steps.push({ action: 'add_tags', tags: b.addTags });
  if (b.removeTags?.length) steps.push({ action: 'remove_tags', tags: b.removeTags });
  // 'me' names the agent applying the macro: a rule has none, so that part is left out.
  if (b.assignTo === 'nobody') steps.push({ action: 'assign', assigneeId: null });
  else if (b.assignTo && b.assignTo !== 'me') steps.push({ action: 'assign', assigneeId: b.assignTo });
  if (b.reply && (b.reply.en || b.reply.fr)) steps.push({ action: 'comment', body: '', replies: { en: b.reply.en ?? null, fr: b.reply.fr ?? null }, visibility: b.reply.visibility ?? 'public' });
  if (b.transition) steps.push({ action: 'transition', transition: b.transition });
  return steps;
}

function stepsOf(actions: readonly RuleActionBody[], macros: Map<string, MacroRow>): RuleStep[] {
  return actions.map((a): RuleStep => {
    if (a.action === 'apply_macro') {
      const m = macros.get(a.macroId);
      return { action: 'apply_macro', macro: m ? { id: m.id, name: m.name } : null, steps: m ? macroSteps(m) : [] };
    }
    return a as RuleStep;
  });
}

async function loadRuleSet(em: EntityManager): Promise<RuleSet> {
  // SQL: one statement, so the generation and the rules come from the same snapshot (two reads could pair a generation
  // with rules changed in between, and the cache would keep them).
  const [row] = await em.execute<Array<{ generation: string; rules: Array<{ id: string; name: string; version: number; body: RuleBody }> | null; macros: MacroRow[] | null }>>(
    `select (select coalesce(max(id), 0) from automation_rule_changes)::text as generation,
            (select json_agg(json_build_object('id', r.id, 'name', r.name, 'version', r.version, 'body', r.body) order by r.position, r.created_at)
               from automation_rules r where r.enabled) as rules,
            (select json_agg(json_build_object('id', m.id, 'name', m.name, 'body', m.body)) from macros m where m.owner_id is null) as macros`,
  );
  return ruleSetOf(Number(row!.generation), row!.rules ?? [], row!.macros ?? []);
}

/** Stored rules (enabled, in order) and the shared macros they may apply, as one generation's rule set. */
export function ruleSetOf(generation: number, stored: ReadonlyArray<{ id: string; name: string; version: number; body: Pick<RuleBody, 'when' | 'if' | 'then'> }>, shared: readonly MacroRow[] = []): RuleSet {
  const macros = new Map(shared.map((m) => [m.id, m]));
  const rules: LiveRule[] = stored.map((r) => ({ ref: { id: r.id, name: r.name, version: r.version }, when: r.body.when, if: r.body.if ?? [], steps: stepsOf(r.body.then, macros) }));
  const idle = rules.filter((r) => r.when.event === 'idle').map((r) => ({ id: r.ref.id, minutes: r.when.minutes!, businessHours: r.when.businessHours ?? true }));
  return { generation, rules, idle };
}

/** What one generation of rules decides about a batch, before the words are filled in; undefined: nothing to tell. */
export function decideRules(set: RuleSet, input: RecordTicketEventsInput): RulesOutcome | undefined {
  const known = input.rulesGeneration ?? 0;
  const firings = set.rules.length ? evaluateRules(set.rules, input.events, input.row) : [];
  if (!firings.length && known === set.generation) return undefined;
  return { generation: set.generation, ...(known !== set.generation ? { idle: set.idle } : {}), firings };
}

const PRIORITY_WORDS: Record<string, { en: string; fr: string }> = { low: { en: 'low', fr: 'basse' }, medium: { en: 'medium', fr: 'moyenne' }, high: { en: 'high', fr: 'haute' }, critical: { en: 'critical', fr: 'critique' } };

/** The firings' words filled in for this ticket: {{ticket.*}}, {{fields.*}} and, when asked for, {{requester.*}}. */
async function fillWords(em: EntityManager, firings: RuleFiring[], input: RecordTicketEventsInput): Promise<RuleFiring[]> {
  const row = input.row;
  const comments = (steps: RuleStep[]): RuleStep[] => steps.flatMap((s) => (s.action === 'comment' ? [s] : s.action === 'apply_macro' ? comments(s.steps) : []));
  const all = firings.flatMap((f) => comments(f.steps));
  if (!all.length) return firings;
  const requester = await em.findOne(User, row.requesterId, { fields: ['name', 'email', 'locale'] });
  const locale: 'en' | 'fr' = requester?.locale === 'fr' ? 'fr' : 'en';
  const vars = {
    ticket: { number: row.number, title: row.title, priority: PRIORITY_WORDS[row.priority]?.[locale] ?? row.priority, state: row.state, queue: row.queue ?? '' },
    fields: row.fields,
    requester: { name: requester?.name ?? '', firstName: (requester?.name ?? '').trim().split(/\s+/)[0] ?? '', email: requester?.email ?? '' },
    agent: { name: 'Guichet', email: '' },
  };
  const fill = (steps: RuleStep[]): RuleStep[] =>
    steps.map((s) => {
      if (s.action === 'apply_macro') return { ...s, steps: fill(s.steps) };
      if (s.action !== 'comment') return s;
      // A macro's reply comes in both languages: the requester's is used, the other when it is missing.
      const { replies, ...step } = s;
      const body = replies ? ((locale === 'fr' ? (replies.fr ?? replies.en) : (replies.en ?? replies.fr)) ?? '') : s.body;
      return { ...step, body: renderText(body, vars) };
    });
  return firings.map((f) => ({ ...f, steps: fill(f.steps) }));
}

/** The idle rules of the set, when the ticket knows an older generation; undefined when it is up to date. */
export function idleRulesOf(set: RuleSet, known: number): { generation: number; idle: IdleRule[] } | undefined {
  return set.generation === known ? undefined : { generation: set.generation, idle: set.idle };
}

/** What the rules decide about one recorded batch, or undefined when there is nothing to tell the ticket. */
export function automationRulesWith(em: EntityManager) {
  let cache: RuleSet | null = null;
  let reload: Promise<RuleSet> | null = null;
  async function current(db: EntityManager): Promise<RuleSet> {
    // SQL: every recorded batch asks (bench/rules.ts), one aggregate over the change log's primary key.
    const [g] = await db.execute<Array<{ generation: string }>>('select coalesce(max(id), 0)::text as generation from automation_rule_changes');
    if (cache && cache.generation === Number(g!.generation)) return cache;
    // Concurrent batches share one reload.
    reload ??= loadRuleSet(db).finally(() => (reload = null));
    const loaded = await reload;
    if (!cache || loaded.generation >= cache.generation) cache = loaded;
    return cache;
  }
  return {
    rulesFor: async (input: RecordTicketEventsInput): Promise<RulesOutcome | undefined> => {
      const db = em.fork();
      const outcome = decideRules(await current(db), input);
      return outcome && { ...outcome, firings: await fillWords(db, outcome.firings, input) };
    },
    /** For a ticket told the rules changed: the idle rules it should arm now. */
    currentIdleRules: async (input: { generation: number }) => idleRulesOf(await current(em.fork()), input.generation),
  };
}
