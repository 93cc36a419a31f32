// Baseline workflows for the benchmarks: they do nothing of their own, so their cost is Temporal's floor (no activity, no read model).
import { allHandlersFinished, condition, defineSignal, defineUpdate, setHandler, sleep } from '@temporalio/workflow';

/** Answers at once with the number of updates the workflow has taken so far. */
export const touchUpdate = defineUpdate<number, [string]>('touch');
/** Lets an echo workflow finish. */
export const doneSignal = defineSignal('done');

/** Starts and completes in its first workflow task. */
export async function emptyWorkflow(): Promise<void> {}

/**
 * Stays open taking `touch` updates until `done` is signalled, or until it has taken `exitAfterUpdates` of them.
 * The open kind is the bare counterpart of an open ticket; the exit-after-one kind keeps update-with-start baselines self-cleaning.
 */
export async function echoWorkflow(opts: { exitAfterUpdates?: number } = {}): Promise<number> {
  let touched = 0;
  let done = false;
  setHandler(touchUpdate, () => ++touched);
  setHandler(doneSignal, () => {
    done = true;
  });
  await condition(() => done || (opts.exitAfterUpdates !== undefined && touched >= opts.exitAfterUpdates));
  await condition(allHandlersFinished);
  return touched;
}

/** Sleeps until an absolute instant and reports how late its timer task ran, as the ticket workflow's SLA timers do. */
export async function timerWorkflow(deadlineMs: number): Promise<number> {
  await sleep(Math.max(1, deadlineMs - Date.now()));
  return Date.now() - deadlineMs;
}
