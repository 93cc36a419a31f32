// Retention policies: closed tickets of an organisation or a type (or all) are anonymised a set number of days after
// closing. The same queries count what a policy would do (its dry run) and do it, so the count shown is the work done.
import { LockMode, raw, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { RetentionPolicy, RetentionRun, Ticket } from '../db/entities/index';
import { anonymiseTickets } from './anonymise';
import type { TellWorkflows } from './tell-workflows';

export type RetentionScope = Pick<InferEntity<typeof RetentionPolicy>, 'organisationId' | 'ticketType' | 'afterDays'>;

/** Small transactions: a policy over a long history never holds locks for long, and a stopped run resumes where it was. */
const BATCH = 200;

function due(scope: RetentionScope) {
  return {
    // now(): the database's clock, not this process's.
    closedAt: { $ne: null, $lte: raw<Date>('now() - make_interval(days => ?)', [scope.afterDays]) },
    anonymisedAt: null,
    ...(scope.organisationId != null ? { organisationId: scope.organisationId } : {}),
    ...(scope.ticketType != null ? { type: scope.ticketType } : {}),
  };
}

/** How many tickets the policy would anonymise now. */
export async function countDue(em: EntityManager, scope: RetentionScope): Promise<number> {
  return em.fork().count(Ticket, due(scope));
}

/**
 * Anonymises what the policy finds due, a batch per transaction, and records the run. `beat` is called between
 * batches (an activity's heartbeat). Running it twice anonymises nothing twice: done tickets no longer match.
 */
export async function applyRetention(em: EntityManager, policyId: string, trigger: 'schedule' | 'manual', tell: TellWorkflows, beat: () => void = () => {}): Promise<number> {
  const policy = await em.fork().findOne(RetentionPolicy, policyId, { fields: ['organisationId', 'ticketType', 'afterDays'] });
  if (!policy) return 0;
  const where = due(policy);
  let total = 0;
  for (;;) {
    const done = await em.fork().transactional(async (tx) => {
      const batch = await tx
        .createQueryBuilder(Ticket)
        .select('id')
        .where(where)
        .orderBy({ closedAt: 'asc' })
        .limit(BATCH)
        .setLockMode(LockMode.PESSIMISTIC_PARTIAL_WRITE)
        .execute<Array<Pick<InferEntity<typeof Ticket>, 'id'>>>();
      return anonymiseTickets(tx, batch.map((t) => t.id));
    });
    await tell(done);
    total += done.length;
    beat();
    if (done.length < BATCH) break;
  }
  await em.fork().insert(RetentionRun, { policyId, trigger, anonymised: total });
  return total;
}
