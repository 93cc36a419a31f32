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
    // An open ticket held in cache costs about 350 KiB of RSS (bench/worker-memory.ts); 3000 bounds the worker near
    // 1.5 GiB however many tickets are open, the rest replaying from history when their next task comes.
    maxCachedWorkflows: Number(process.env.WORKER_MAX_CACHED_WORKFLOWS) || 3000,
  };
}
