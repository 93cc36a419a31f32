// Worker settings shared by the worker process and the tests: where the workflow code is and how it is bundled.
import path from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';

export const WORKFLOWS_PATH = path.resolve(import.meta.dirname, '..', 'workflows', 'index.ts');

export function workerOptions(): Pick<WorkerOptions, 'workflowsPath' | 'bundlerOptions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows'> {
  return {
    workflowsPath: WORKFLOWS_PATH,
    // Workflow sources import JSON defaults only through types; node: modules must never enter the sandbox.
    bundlerOptions: { ignoreModules: [] },
    maxConcurrentWorkflowTaskExecutions: 200,
    // A cached ticket keeps about 115 KiB of workflow heap and, with the SDK's native state, 250–300 KiB of RSS
    // (bench/worker-memory.ts). 2000 keeps the worker under 1.5 GiB however many tickets are open; the others replay
    // from history when their next task comes, which for a ticket touched a few times a day costs little.
    maxCachedWorkflows: Number(process.env.WORKER_MAX_CACHED_WORKFLOWS) || 2000,
  };
}
