// Automation rules (admin): kept in the order they run, each change a new numbered version with who made it. A change
// moves the rule set's generation, which every worker reads before each batch of ticket events: it applies at once.
import { randomUUID } from 'node:crypto';
import { LockMode, raw, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AutomationRule, AutomationRuleChange, User } from '../../../platform/db/entities/index';
import { MAX_RULES, type RuleBody } from '../../../workflow-definitions/rules/schema';
import { ruleShapeErrors } from '../../../workflow-definitions/rules/validate';
import { conflict, notFound, unprocessable } from '../../http/problem';
import type { AuthUser } from '../auth/types';
import type { DefinitionService } from '../definitions/service';
import { dryRun } from './dry-run';
import { referenceErrors, type PluginProblems } from './references';
import { unlessTaken } from '../../http/unique-conflict';

export type RulePatch = Partial<RuleBody> & { position?: number };

type Row = InferEntity<typeof AutomationRule>;
type StoredBody = Pick<RuleBody, 'when' | 'if' | 'then' | 'description'>;

/** The stored rule (the JSON column is untyped on the entity; `create` and `update` wrote it). */
const bodyOf = (r: Pick<Row, 'body'>) => r.body as StoredBody;
const present = (r: Row) => {
  const body = bodyOf(r);
  return {
    id: r.id,
    name: r.name,
    ...(body.description ? { description: body.description } : {}),
    enabled: r.enabled,
    position: r.position,
    version: r.version,
    when: body.when,
    if: body.if ?? [],
    then: body.then,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
};
export type PresentedRule = ReturnType<typeof present>;

/** Tells open tickets the idle rules changed (generation: the change's number); best effort, tickets also learn at their next event. */
export type BroadcastIdleRules = (generation: number) => Promise<void>;

const isIdle = (body: { when?: { event?: string } } | undefined) => body?.when?.event === 'idle';
/** Whether open tickets hear of a change to this rule: it is an enabled idle rule. */
const idleEnabled = (r: Pick<Row, 'body' | 'enabled'>) => isIdle(bodyOf(r)) && r.enabled;

export class RuleService {
  constructor(
    private readonly em: EntityManager,
    private readonly defs: DefinitionService,
    private readonly broadcast?: BroadcastIdleRules,
    /** What a plug-in action the rule names lacks (unknown plug-in or action, values its schema refuses); none: no plug-in. */
    private readonly pluginProblems: PluginProblems = (req, at) => [{ pointer: `${at}/plugin`, message: `no plug-in named '${req.plugin}' is loaded` }],
  ) {}

  async list() {
    const rows = await this.em.fork().findAll(AutomationRule, { orderBy: { position: 'asc', createdAt: 'asc' } });
    return { items: rows.map(present) };
  }

  async get(id: string) {
    const row = await this.em.fork().findOne(AutomationRule, id);
    if (!row) throw notFound(`no rule ${id}`);
    return present(row);
  }

  async versions(id: string) {
    const em = this.em.fork();
    const rows = await em.find(AutomationRuleChange, { ruleId: id }, { orderBy: { version: 'desc' } });
    if (!rows.length) throw notFound(`no rule ${id}`);
    const by = [...new Set(rows.flatMap((r) => (r.changedBy ? [r.changedBy] : [])))];
    const names = new Map((by.length ? await em.find(User, { id: { $in: by } }, { fields: ['id', 'name'] }) : []).map((u) => [u.id, u.name]));
    return {
      items: rows.map((r) => ({
        version: r.version,
        change: r.change,
        rule: r.rule as object,
        changedBy: r.changedBy ? { id: r.changedBy, name: names.get(r.changedBy) ?? '' } : null,
        changedAt: r.changedAt.toISOString(),
      })),
    };
  }

  /** Every error of the rule (its shape, then what it names), each at its element; throws 422 if any. */
  async check(rule: Pick<RuleBody, 'when' | 'if' | 'then'>): Promise<void> {
    const shape = ruleShapeErrors(rule);
    const errors = shape.length ? shape : await referenceErrors(this.em.fork(), rule, (await this.defs.published()).map((d) => d.body), this.pluginProblems);
    if (errors.length) throw unprocessable(`the rule is not valid: ${errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}`, errors, 'invalid-rule');
  }

  /** What the rule would have done over the last `days` days of events; checked like a rule being saved. */
  async dryRun(rule: RuleBody, days: number) {
    await this.check(rule);
    return dryRun(this.em.fork(), async (key, version) => (await this.defs.find(key, version))?.body ?? null, rule, days);
  }

  async create(user: AuthUser, body: RuleBody) {
    await this.check(body);
    const id = randomUUID();
    return this.em.fork().transactional(async (tx) => {
      // Serialises changes to the order, so two rules added at once get distinct places.
      await lockRules(tx);
      const count = await tx
        .createQueryBuilder(AutomationRule)
        .select([raw('count(*)::int as n'), raw('coalesce(max(position), 0)::int as last')])
        .execute<{ n: number; last: number }>('get');
      if (count.n >= MAX_RULES) throw conflict(`a desk holds at most ${MAX_RULES} rules`, 'too-many-rules');
      const row = tx.create(AutomationRule, {
        id,
        name: body.name.trim(),
        position: count.last + 1,
        enabled: body.enabled ?? false,
        body: { when: body.when, if: body.if ?? [], then: body.then, ...(body.description ? { description: body.description } : {}) },
      });
      await nameTaken(tx.flush(), body.name);
      const generation = await this.recordChange(tx, row, 'created', user);
      return { row, generation };
    }).then(({ row, generation }) => this.told(idleEnabled(row), generation, present(row)));
  }

  async update(user: AuthUser, id: string, patch: RulePatch) {
    return this.em.fork().transactional(async (tx) => {
      await lockRules(tx);
      const old = await tx.findOne(AutomationRule, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!old) throw notFound(`no rule ${id}`);
      const was = { ...bodyOf(old), idle: idleEnabled(old) };
      const body = { when: patch.when ?? was.when, if: patch.if ?? was.if ?? [], then: patch.then ?? was.then, ...(patch.description ?? was.description ? { description: patch.description ?? was.description } : {}) };
      if (patch.when || patch.if || patch.then) await this.check(body);
      if (patch.position !== undefined && patch.position !== old.position) await this.move(tx, old, patch.position);
      // now(): the database's clock, as created_at's default, not this process's.
      await nameTaken(tx.nativeUpdate(AutomationRule, { id }, { name: patch.name?.trim() ?? old.name, enabled: patch.enabled ?? old.enabled, body, version: old.version + 1, updatedAt: raw('now()') }), patch.name ?? old.name);
      const row = await tx.refreshOrFail(old);
      const generation = await this.recordChange(tx, row, 'updated', user);
      return { wasIdle: was.idle, row, generation };
    }).then(({ wasIdle, row, generation }) => this.told(wasIdle || idleEnabled(row), generation, present(row)));
  }

  async remove(user: AuthUser, id: string): Promise<void> {
    const gone = await this.em.fork().transactional(async (tx) => {
      await lockRules(tx);
      const row = await tx.findOne(AutomationRule, id);
      if (!row) throw notFound(`no rule ${id}`);
      await tx.nativeDelete(AutomationRule, { id });
      await tx.nativeUpdate(AutomationRule, { position: { $gt: row.position } }, { position: raw('position - 1') });
      return { row, generation: await this.recordChange(tx, row, 'deleted', user) };
    });
    await this.told(idleEnabled(gone.row), gone.generation, undefined);
  }

  /** After a committed change that touched an enabled idle rule, open tickets are told; then `answer` is returned. */
  private async told<T>(idle: boolean, generation: number, answer: T): Promise<T> {
    if (idle && this.broadcast) await this.broadcast(generation);
    return answer;
  }

  /** Puts the rule at `to` (1-based, clamped to the list) and closes the gap it left. */
  private async move(tx: EntityManager, rule: Row, to: number): Promise<void> {
    const target = Math.min(Math.max(1, to), await tx.count(AutomationRule));
    if (target === rule.position) return;
    if (target < rule.position) await tx.nativeUpdate(AutomationRule, { position: { $gte: target, $lt: rule.position } }, { position: raw('position + 1') });
    else await tx.nativeUpdate(AutomationRule, { position: { $gt: rule.position, $lte: target } }, { position: raw('position - 1') });
    await tx.nativeUpdate(AutomationRule, { id: rule.id }, { position: target });
  }

  /** Records the change (a deletion is the rule's next version); its number is the rule set's new generation. */
  private async recordChange(tx: EntityManager, row: Row, change: 'created' | 'updated' | 'deleted', user: AuthUser): Promise<number> {
    const made = await tx.insert(AutomationRuleChange, {
      ruleId: row.id,
      version: change === 'deleted' ? row.version + 1 : row.version,
      change,
      rule: { name: row.name, enabled: row.enabled, position: row.position, ...bodyOf(row) },
      changedBy: user.id,
    });
    return Number(made);
  }
}

/** Locks the rules against other changes until the transaction ends; stays SQL: the ORM locks rows, not tables. */
async function lockRules(tx: EntityManager): Promise<void> {
  await tx.execute('lock table automation_rules in share row exclusive mode');
}

/** The write, or 409 when another rule has the name already (names are unique whatever their case). */
function nameTaken<T>(write: Promise<T>, name: string): Promise<T> {
  return unlessTaken(write, () => conflict(`a rule named '${name.trim()}' exists already`, 'rule-name-taken'));
}
