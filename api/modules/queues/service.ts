// Queues and routing: admin-defined queues, ordered rules that pick the queue of a new ticket (first match wins), open counts per queue.
import { randomUUID } from 'node:crypto';
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Queue, QueueGroup, RoutingRule as RoutingRuleEntity, Ticket } from '../../../platform/db/entities/index';
import { conflict, notFound, unprocessable } from '../../http/problem';
import type { QueueBody, QueuePatch, RoutingConditions, RoutingRulesBody } from './schemas';
import { unlessTaken } from '../../http/unique-conflict';

export interface RoutingRule {
  name: string;
  conditions: RoutingConditions;
  queue: string;
}

export interface RoutingInput {
  type: string;
  priority: string;
  organisationId: string | null;
  fields: Record<string, unknown>;
}

const CACHE_MS = 2000;

/** Whether a rule's every condition holds for the ticket (conditions are ANDed). */
export function matches(c: RoutingConditions, t: RoutingInput): boolean {
  if (c.type !== undefined && c.type !== t.type) return false;
  if (c.priority !== undefined && c.priority !== t.priority) return false;
  if (c.organisationId !== undefined && c.organisationId !== t.organisationId) return false;
  if (c.field !== undefined && t.fields[c.field.name] !== c.field.equals) return false;
  return true;
}

export class QueueService {
  private cache: { at: number; rules: RoutingRule[] } | null = null;

  constructor(private readonly em: EntityManager) {}

  /** Every queue by name, with the groups that work it and its open and breached tickets. */
  async list() {
    const em = this.em.fork();
    const queues = await em.findAll(Queue, { orderBy: { name: 'asc' } });
    const keys = queues.map((q) => q.key);
    const groups = await em.find(QueueGroup, { queue: { $in: keys } }, { orderBy: { groupKey: 'asc' } });
    const counts = await em
      .createQueryBuilder(Ticket)
      .select(['queue', raw('count(*)::int as open'), raw("(count(*) filter (where sla_status = 'breached'))::int as breached")])
      .where({ queue: { $in: keys }, stateCategory: { $nin: ['resolved', 'closed'] } })
      .groupBy('queue')
      .execute<Array<{ queue: string; open: number; breached: number }>>();
    const countOf = new Map(counts.map((c) => [c.queue, c]));
    return queues.map((q) => ({
      key: q.key,
      name: q.name,
      description: q.description,
      assignment: q.assignment,
      maxOpenPerAgent: q.maxOpenPerAgent ?? null,
      groups: groups.filter((g) => g.queue === q.key).map((g) => g.groupKey),
      open: countOf.get(q.key)?.open ?? 0,
      breached: countOf.get(q.key)?.breached ?? 0,
    }));
  }

  async create(body: QueueBody) {
    const queue = { key: body.key, name: body.name, description: body.description ?? '' };
    await unlessTaken(this.em.fork().insert(Queue, queue), () => conflict(`queue '${body.key}' already exists`, 'queue-exists'));
    return { ...queue, groups: [], open: 0, breached: 0, assignment: 'off', maxOpenPerAgent: null };
  }

  async update(key: string, patch: QueuePatch) {
    if (!(await this.em.fork().nativeUpdate(Queue, { key }, patch))) throw notFound(`no queue '${key}'`);
    return (await this.list()).find((q) => q.key === key)!;
  }

  async exists(key: string): Promise<boolean> {
    return (await this.em.fork().count(Queue, { key })) > 0;
  }

  async rules(): Promise<RoutingRule[]> {
    if (!this.cache || Date.now() - this.cache.at > CACHE_MS) {
      const rows = await this.em.fork().findAll(RoutingRuleEntity, { orderBy: { position: 'asc' } });
      this.cache = { at: Date.now(), rules: rows.map((r) => ({ name: r.name, conditions: r.conditions as RoutingConditions, queue: r.queue })) };
    }
    return this.cache.rules;
  }

  /** Replaces the whole ordered rule list in one transaction. */
  async replaceRules(body: RoutingRulesBody): Promise<RoutingRule[]> {
    const known = new Set((await this.em.fork().findAll(Queue, { fields: ['key'] })).map((q) => q.key));
    const errors = body.items.flatMap((r, i) => (known.has(r.queue) ? [] : [{ pointer: `/items/${i}/queue`, message: `unknown queue '${r.queue}'` }]));
    if (errors.length) throw unprocessable('routing rules name unknown queues', errors, 'unknown-queue');
    await this.em.fork().transactional(async (tx) => {
      await tx.nativeDelete(RoutingRuleEntity, {});
      if (body.items.length) await tx.insertMany(RoutingRuleEntity, body.items.map((r, position) => ({ id: randomUUID(), position, name: r.name, conditions: r.conditions, queue: r.queue })));
    });
    this.cache = null;
    return this.rules();
  }

  /** The queue of a new ticket: the first matching rule, else the definition's default. */
  async route(t: RoutingInput, fallback: string | null): Promise<string | null> {
    return (await this.rules()).find((r) => matches(r.conditions, t))?.queue ?? fallback;
  }
}
