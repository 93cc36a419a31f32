// The retention run's activity: every enabled policy (or the ones named), anonymising in batches with a heartbeat between
// them, so a long first run survives a worker restart and resumes where it stopped.
import { heartbeat } from '@temporalio/activity';
import type { EntityManager } from '@mikro-orm/postgresql';
import { RetentionPolicy } from '../platform/db/entities/index';
import { applyRetention } from '../platform/privacy/retention';
import type { TellWorkflows } from '../platform/privacy/tell-workflows';
import type { RetentionInput, RetentionResult } from '../workflows/retention';

/** `tell` reaches the anonymised tickets' workflows; without it (tests of the activity alone) nobody is told. */
export function retentionActivitiesWith(em: EntityManager, tell: TellWorkflows = async () => {}) {
  return {
    async applyRetentionPolicies(input: RetentionInput): Promise<RetentionResult> {
      const policies = await em.fork().find(RetentionPolicy, input.policyIds ? { id: { $in: input.policyIds } } : { enabled: true }, { fields: ['id'], orderBy: { createdAt: 'asc' } });
      const results: RetentionResult = [];
      for (const p of policies) results.push({ policyId: p.id, anonymised: await applyRetention(em, p.id, input.trigger, tell, () => heartbeat()) });
      return results;
    },
  };
}
