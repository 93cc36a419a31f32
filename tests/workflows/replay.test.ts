// Replays every recorded history against today's workflow code: a change that breaks determinism fails here, not in production.
import path from 'node:path';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { loadHistories } from './history-store';
import { workflowBundle } from '../support/workflow-env';

const histories = loadHistories();
const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } as never;

it('should have recorded histories for every default definition', () => {
  expect(histories.map((h) => h.name)).toEqual(
    expect.arrayContaining(['incident-main', 'service-request-approval', 'service-request-rejected', 'problem-main', 'maintenance-main', 'incident-sla-breach', 'incident-sla-pause', 'incident-auto-close', 'problem-resolves-incident', 'incident-resolved-by-problem', 'maintenance-migrated', 'parent-waits-for-children', 'incident-main-local-writes', 'incident-auto-close-local-writes', 'webhook-delivery-retries', 'maintenance-plan-monthly', 'maintenance-plan-pause', 'maintenance-plan-edit', 'maintenance-plan-interval', 'incident-customer-reply', 'incident-migrated-resumes-clocks', 'incident-tags', 'incident-macro-time', 'incident-merged-in', 'incident-anonymised', 'service-request-approval-round', 'service-request-approval-timeout', 'incident-rules-chain', 'incident-rules-idle', 'incident-rules-told']),
  );
});

it.each(histories.map((h) => [h.name, h.history]))('should replay %s without a determinism error', async (_name, history) => {
  await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, historyFromJSON(history));
});

it('should detect drift: the same histories fail against workflow code that decides differently', async () => {
  const drifted = await bundleWorkflowCode({ workflowsPath: path.resolve(import.meta.dirname, 'fixtures', 'drifted-workflows.ts'), logger: silent });
  const main = histories.find((h) => h.name === 'incident-main')!;
  await expect(Worker.runReplayHistory({ workflowBundle: drifted }, historyFromJSON(main.history))).rejects.toMatchObject({ name: 'DeterminismViolationError' });
});
