// Retention policies: closed tickets of an organisation or a type (or all) are anonymised a set number of days after
// closing. The same queries count what a policy would do (its dry run) and do it, so the count shown is the work done.
import type { EntityManager } from '@mikro-orm/postgresql';
import { anonymiseTickets } from './anonymise';
import type { TellWorkflows } from './tell-workflows';

export interface RetentionScope {
  organisationId: string | null;
  ticketType: string | null;
  afterDays: number;
}

/** Small transactions: a policy over a long history never holds locks for long, and a stopped run resumes where it was. */
const BATCH = 200;

function dueWhere(scope: RetentionScope): { sql: string; params: unknown[] } {
  return {
    sql: `t.closed_at is not null and t.anonymised_at is null and t.closed_at <= now() - make_interval(days => ?)
          and (?::uuid is null or t.organisation_id = ?::uuid) and (?::text is null or t.type = ?::text)`,
    params: [scope.afterDays, scope.organisationId, scope.organisationId, scope.ticketType, scope.ticketType],
  };
}

/** How many tickets the policy would anonymise now. */
export async function countDue(em: EntityManager, scope: RetentionScope): Promise<number> {
  const where = dueWhere(scope);
  const [row] = await em.fork().execute<Array<{ n: number }>>(`select count(*)::int as n from tickets t where ${where.sql}`, where.params);
  return row?.n ?? 0;
}

/**
 * Anonymises what the policy finds due, a batch per transaction, and records the run. `beat` is called between
 * batches (an activity's heartbeat). Running it twice anonymises nothing twice: done tickets no longer match.
 */
export async function applyRetention(em: EntityManager, policyId: string, trigger: 'schedule' | 'manual', tell: TellWorkflows, beat: () => void = () => {}): Promise<number> {
  const [policy] = await em.fork().execute<Array<{ organisation_id: string | null; ticket_type: string | null; after_days: number }>>(
    'select organisation_id, ticket_type, after_days from retention_policies where id = ?',
    [policyId],
  );
  if (!policy) return 0;
  const where = dueWhere({ organisationId: policy.organisation_id, ticketType: policy.ticket_type, afterDays: policy.after_days });
  let total = 0;
  for (;;) {
    const done = await em.fork().transactional(async (tx) => {
      const due = await tx.execute<Array<{ id: string }>>(`select t.id from tickets t where ${where.sql} order by t.closed_at limit ${BATCH} for update skip locked`, where.params);
      return anonymiseTickets(tx, due.map((d) => d.id));
    });
    await tell(done);
    total += done.length;
    beat();
    if (done.length < BATCH) break;
  }
  await em.fork().execute('insert into retention_runs (policy_id, trigger, anonymised) values (?, ?, ?)', [policyId, trigger, total]);
  return total;
}
