// Worker settings shared by the worker process and the tests: where the workflow code is and how it is bundled.
import path from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';
import { workflowSlotLanes } from './workflow-slots';

export const WORKFLOWS_PATH = path.resolve(import.meta.dirname, '..', 'workflows', 'index.ts');

function wholeSetting(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^[1-9]\d*$/.test(raw)) throw new Error(`${name} must be a whole number above 0, got '${raw}'`);
  return Number(raw);
}

export function workerOptions(): Pick<WorkerOptions, 'workflowsPath' | 'bundlerOptions' | 'tuner' | 'maxCachedWorkflows'> {
  return {
    workflowsPath: WORKFLOWS_PATH,
    // Workflow sources import JSON defaults only through types; node: modules must never enter the sandbox.
    bundlerOptions: { ignoreModules: [] },
    tuner: {
      // Few tasks from the shared queue at once (fewer still while cached tickets' tasks run): a burst's backlog waits at
      // the server, where any worker replica can take it and backpressure sees its age, while cached tickets' updates
      // and timers have their own slots and come first.
      workflowTaskSlotSupplier: workflowSlotLanes({
        shared: wholeSetting('WORKER_NEW_WORKFLOW_TASK_SLOTS', 10),
        sticky: wholeSetting('WORKER_CACHED_WORKFLOW_TASK_SLOTS', 40),
      }),
      activityTaskSlotSupplier: { type: 'fixed-size', numSlots: 100 },
      localActivityTaskSlotSupplier: { type: 'fixed-size', numSlots: 100 },
      nexusTaskSlotSupplier: { type: 'fixed-size', numSlots: 10 },
    },
    // A cached ticket keeps about 115 KiB of workflow heap and, with the SDK's native state, 250–300 KiB of RSS
    // (bench/worker-memory.ts). 2000 keeps the worker under 1.5 GiB however many tickets are open; the others replay
    // from history when their next task comes, which for a ticket touched a few times a day costs little.
    maxCachedWorkflows: Number(process.env.WORKER_MAX_CACHED_WORKFLOWS) || 2000,
  };
}
