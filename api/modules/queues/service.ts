// Queues and routing: admin-defined queues, ordered rules that pick the queue of a new ticket (first match wins), open counts per queue.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, notFound, unprocessable } from '../../http/problem';
import type { QueueBody, QueuePatch, RoutingConditions, RoutingRulesBody } from './schemas';

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

  async list() {
    return this.em.fork().execute<Array<{ key: string; name: string; description: string; groups: string[]; open: number; breached: number; assignment: string; maxOpenPerAgent: number | null }>>(
      `select q.key, q.name, q.description, q.assignment, q.max_open_per_agent as "maxOpenPerAgent",
              coalesce((select array_agg(qg.group_key order by qg.group_key) from queue_groups qg where qg.queue = q.key), '{}') as groups,
              count(t.id) filter (where t.state_category not in ('resolved', 'closed'))::int as open,
              count(t.id) filter (where t.state_category not in ('resolved', 'closed') and t.sla_status = 'breached')::int as breached
       from queues q left join tickets t on t.queue = q.key group by q.key order by q.name`,
    );
  }

  async create(body: QueueBody) {
    const rows = await this.em
      .fork()
      .execute<Array<{ key: string }>>(`insert into queues (key, name, description) values (?, ?, ?) on conflict (key) do nothing returning key`, [
        body.key,
        body.name,
        body.description ?? '',
      ]);
    if (!rows.length) throw conflict(`queue '${body.key}' already exists`, 'queue-exists');
    return { key: body.key, name: body.name, description: body.description ?? '', groups: [], open: 0, breached: 0, assignment: 'off', maxOpenPerAgent: null };
  }

  async update(key: string, patch: QueuePatch) {
    const sets: string[] = [];
    const params: unknown[] = [];
    const column = { name: 'name', description: 'description', assignment: 'assignment', maxOpenPerAgent: 'max_open_per_agent' } as const;
    for (const [k, v] of Object.entries(patch) as Array<[keyof typeof column, unknown]>) {
      sets.push(`${column[k]} = ?`);
      params.push(v);
    }
    const rows = await this.em.fork().execute(`update queues set ${sets.join(', ')} where key = ? returning key`, [...params, key]);
    if (!rows.length) throw notFound(`no queue '${key}'`);
    return (await this.list()).find((q) => q.key === key)!;
  }

  async exists(key: string): Promise<boolean> {
    return (await this.em.fork().execute('select 1 from queues where key = ?', [key])).length > 0;
  }

  async rules(): Promise<RoutingRule[]> {
    if (!this.cache || Date.now() - this.cache.at > CACHE_MS) {
      const rows = await this.em.fork().execute<RoutingRule[]>(`select name, conditions, queue from routing_rules order by position`);
      this.cache = { at: Date.now(), rules: rows };
    }
    return this.cache.rules;
  }

  /** Replaces the whole ordered rule list in one transaction. */
  async replaceRules(body: RoutingRulesBody): Promise<RoutingRule[]> {
    const known = new Set((await this.em.fork().execute<Array<{ key: string }>>('select key from queues')).map((q) => q.key));
    const errors = body.items.flatMap((r, i) => (known.has(r.queue) ? [] : [{ pointer: `/items/${i}/queue`, message: `unknown queue '${r.queue}'` }]));
    if (errors.length) throw unprocessable('routing rules name unknown queues', errors, 'unknown-queue');
    await this.em.fork().transactional(async (tx) => {
      await tx.execute('delete from routing_rules');
      for (const [i, r] of body.items.entries()) {
        await tx.execute('insert into routing_rules (id, position, name, conditions, queue) values (?, ?, ?, ?::jsonb, ?)', [randomUUID(), i, r.name, JSON.stringify(r.conditions), r.queue]);
      }
    });
    this.cache = null;
    return this.rules();
  }

  /** The queue of a new ticket: the first matching rule, else the definition's default. */
  async route(t: RoutingInput, fallback: string | null): Promise<string | null> {
    return (await this.rules()).find((r) => matches(r.conditions, t))?.queue ?? fallback;
  }
}
