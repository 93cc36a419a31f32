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
    maxCachedWorkflows: 10_000,
  };
}
