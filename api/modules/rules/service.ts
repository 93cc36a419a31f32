// Automation rules (admin): kept in the order they run, each change a new numbered version with who made it. A change
// moves the rule set's generation, which every worker reads before each batch of ticket events: it applies at once.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { MAX_RULES, type RuleBody } from '../../../workflow-definitions/rules/schema';
import { ruleShapeErrors } from '../../../workflow-definitions/rules/validate';
import { conflict, notFound, unprocessable } from '../../http/problem';
import type { AuthUser } from '../auth/types';
import type { DefinitionService } from '../definitions/service';
import { dryRun } from './dry-run';
import { referenceErrors, type PluginProblems } from './references';

export type RulePatch = Partial<RuleBody> & { position?: number };

interface Row {
  id: string;
  name: string;
  position: number;
  enabled: boolean;
  body: Pick<RuleBody, 'when' | 'if' | 'then' | 'description'>;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

const iso = (d: Date | string) => new Date(d).toISOString();
const present = (r: Row) => ({
  id: r.id,
  name: r.name,
  ...(r.body.description ? { description: r.body.description } : {}),
  enabled: r.enabled,
  position: r.position,
  version: r.version,
  when: r.body.when,
  if: r.body.if ?? [],
  then: r.body.then,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});
export type PresentedRule = ReturnType<typeof present>;

/** Tells open tickets the idle rules changed (generation: the change's number); best effort, tickets also learn at their next event. */
export type BroadcastIdleRules = (generation: number) => Promise<void>;

const isIdle = (body: { when?: { event?: string } } | undefined) => body?.when?.event === 'idle';

export class RuleService {
  constructor(
    private readonly em: EntityManager,
    private readonly defs: DefinitionService,
    private readonly broadcast?: BroadcastIdleRules,
    /** What a plug-in action the rule names lacks (unknown plug-in or action, values its schema refuses); none: no plug-in. */
    private readonly pluginProblems: PluginProblems = (req, at) => [{ pointer: `${at}/plugin`, message: `no plug-in named '${req.plugin}' is loaded` }],
  ) {}

  async list() {
    const rows = await this.em.fork().execute<Row[]>('select * from automation_rules order by position, created_at');
    return { items: rows.map(present) };
  }

  async get(id: string) {
    const [row] = await this.em.fork().execute<Row[]>('select * from automation_rules where id = ?', [id]);
    if (!row) throw notFound(`no rule ${id}`);
    return present(row);
  }

  async versions(id: string) {
    const rows = await this.em.fork().execute<Array<{ version: number; change: string; rule: object; changed_by: string | null; changed_by_name: string | null; changed_at: Date }>>(
      `select c.version, c.change, c.rule, c.changed_by, u.name as changed_by_name, c.changed_at from automation_rule_changes c left join users u on u.id = c.changed_by
        where c.rule_id = ? order by c.version desc`,
      [id],
    );
    if (!rows.length) throw notFound(`no rule ${id}`);
    return { items: rows.map((r) => ({ version: r.version, change: r.change, rule: r.rule, changedBy: r.changed_by ? { id: r.changed_by, name: r.changed_by_name ?? '' } : null, changedAt: iso(r.changed_at) })) };
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
      await tx.execute('lock table automation_rules in share row exclusive mode');
      const [count] = await tx.execute<Array<{ n: number; last: number }>>('select count(*)::int as n, coalesce(max(position), 0)::int as last from automation_rules');
      if (count!.n >= MAX_RULES) throw conflict(`a desk holds at most ${MAX_RULES} rules`, 'too-many-rules');
      const [row] = await tx.execute<Row[]>(
        `insert into automation_rules (id, name, position, enabled, body) values (?, ?, ?, ?, ?::jsonb) on conflict do nothing returning *`,
        [id, body.name.trim(), count!.last + 1, body.enabled ?? false, JSON.stringify({ when: body.when, if: body.if ?? [], then: body.then, ...(body.description ? { description: body.description } : {}) })],
      );
      if (!row) throw conflict(`a rule named '${body.name.trim()}' exists already`, 'rule-name-taken');
      const generation = await this.recordChange(tx, row, 'created', user);
      return { row, generation };
    }).then(({ row, generation }) => this.told(isIdle(row.body) && row.enabled, generation, present(row)));
  }

  async update(user: AuthUser, id: string, patch: RulePatch) {
    return this.em.fork().transactional(async (tx) => {
      await tx.execute('lock table automation_rules in share row exclusive mode');
      const [old] = await tx.execute<Row[]>('select * from automation_rules where id = ? for update', [id]);
      if (!old) throw notFound(`no rule ${id}`);
      const body = { when: patch.when ?? old.body.when, if: patch.if ?? old.body.if ?? [], then: patch.then ?? old.body.then, ...(patch.description ?? old.body.description ? { description: patch.description ?? old.body.description } : {}) };
      if (patch.when || patch.if || patch.then) await this.check(body);
      if (patch.name !== undefined) {
        const [taken] = await tx.execute('select 1 from automation_rules where lower(name) = lower(?) and id <> ?', [patch.name.trim(), id]);
        if (taken) throw conflict(`a rule named '${patch.name.trim()}' exists already`, 'rule-name-taken');
      }
      if (patch.position !== undefined && patch.position !== old.position) await this.move(tx, old, patch.position);
      const [row] = await tx.execute<Row[]>(
        `update automation_rules set name = ?, enabled = ?, body = ?::jsonb, version = version + 1, updated_at = now() where id = ? returning *`,
        [patch.name?.trim() ?? old.name, patch.enabled ?? old.enabled, JSON.stringify(body), id],
      );
      const generation = await this.recordChange(tx, row!, 'updated', user);
      return { before: old, row: row!, generation };
    }).then(({ before, row, generation }) => this.told((isIdle(before.body) && before.enabled) || (isIdle(row.body) && row.enabled), generation, present(row)));
  }

  async remove(user: AuthUser, id: string): Promise<void> {
    const gone = await this.em.fork().transactional(async (tx) => {
      await tx.execute('lock table automation_rules in share row exclusive mode');
      const [row] = await tx.execute<Row[]>('delete from automation_rules where id = ? returning *', [id]);
      if (!row) throw notFound(`no rule ${id}`);
      await tx.execute('update automation_rules set position = position - 1 where position > ?', [row.position]);
      return { row, generation: await this.recordChange(tx, { ...row, version: row.version + 1 }, 'deleted', user) };
    });
    await this.told(isIdle(gone.row.body) && gone.row.enabled, gone.generation, undefined);
  }

  /** After a committed change that touched an enabled idle rule, open tickets are told; then `answer` is returned. */
  private async told<T>(idle: boolean, generation: number, answer: T): Promise<T> {
    if (idle && this.broadcast) await this.broadcast(generation);
    return answer;
  }

  /** Puts the rule at `to` (1-based, clamped to the list) and closes the gap it left. */
  private async move(tx: EntityManager, rule: Row, to: number): Promise<void> {
    const [{ n }] = (await tx.execute<Array<{ n: number }>>('select count(*)::int as n from automation_rules')) as [{ n: number }];
    const target = Math.min(Math.max(1, to), n);
    if (target === rule.position) return;
    if (target < rule.position) await tx.execute('update automation_rules set position = position + 1 where position >= ? and position < ?', [target, rule.position]);
    else await tx.execute('update automation_rules set position = position - 1 where position > ? and position <= ?', [rule.position, target]);
    await tx.execute('update automation_rules set position = ? where id = ?', [target, rule.id]);
  }

  /** Records the change; its number is the rule set's new generation. */
  private async recordChange(tx: EntityManager, row: Row, change: 'created' | 'updated' | 'deleted', user: AuthUser): Promise<number> {
    const [made] = await tx.execute<Array<{ id: string }>>('insert into automation_rule_changes (rule_id, version, change, rule, changed_by) values (?, ?, ?, ?::jsonb, ?) returning id', [
      row.id,
      row.version,
      change,
      JSON.stringify({ name: row.name, enabled: row.enabled, position: row.position, ...row.body }),
      user.id,
    ]);
    return Number(made!.id);
  }
}
