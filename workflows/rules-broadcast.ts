// When the idle rules change, the API starts this workflow (one per rule-set generation) to tell every open ticket,
// durably: the activity retries until every page is told, resuming from its last heartbeat.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index';

const { tellOpenTicketsRulesChanged } = proxyActivities<Activities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute' },
});

export async function rulesBroadcastWorkflow(input: { generation: number }): Promise<{ told: number }> {
  return tellOpenTicketsRulesChanged(input);
}
