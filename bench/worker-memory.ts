// Benchmark 4: resident memory of the desk's worker process as open tickets accumulate, beside a worker process hosting bare open echo workflows.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { spawnTs, type Child } from '../platform/processes';
import { workerOptions } from '../worker/options';
import type { BenchContext } from './lib/context';
import { closedLoop, log, ratio, round, sleep, table, writeResult } from './lib/load';
import { echoWorkflow, touchUpdate } from './empty-workflow';
import { seedTickets } from './transition';

/** VmRSS and VmHWM of a process, in KiB, from /proc/<pid>/status. */
export function rssKiB(pid: number): { rss: number; hwm: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/** CPU time (user + system) a process has used, in ms, from /proc/<pid>/stat (clock ticks of 10 ms on Linux). */
export function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export const GC_HOOK_OPTIONS = `--expose-gc --import=${pathToFileURL(path.resolve(import.meta.dirname, 'gc-hook.mjs')).href}`;

let gcRequests = 0;

interface Collected {
  /** V8 heap in use on the main thread after GC. */
  mainHeapUsed: number;
  /** V8 heap in use per worker thread after GC: the Temporal SDK runs the workflow sandboxes there. */
  threadHeaps: Array<{ threadId: number; heapUsed: number }>;
}

/** Asks a child preloaded with bench/gc-hook.mjs to collect garbage in every isolate; resolves with their live heaps, or undefined without the hook. */
function collect(child: ChildProcess): Promise<Collected | undefined> {
  const id = ++gcRequests;
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(undefined), 15_000);
    const onMessage = (m: { benchGcDone?: number } & Collected) => {
      if (m?.benchGcDone === id) done(m);
    };
    const done = (v: Collected | undefined) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(v);
    };
    child.on('message', onMessage);
    child.send?.({ benchGc: id });
  });
}

/** RSS after two full GCs a moment apart (freed pages go back to the OS asynchronously), with the live V8 heaps. */
async function settledRss(child: ChildProcess): Promise<{ rss: number; heapUsedKiB: number; workflowHeapKiB: number }> {
  await collect(child);
  await sleep(700);
  const mem = await collect(child);
  await sleep(700);
  const kib = (b: number | undefined) => (b === undefined ? NaN : Math.round(b / 1024));
  return {
    rss: rssKiB(child.pid!).rss,
    heapUsedKiB: kib(mem?.mainHeapUsed),
    workflowHeapKiB: mem?.threadHeaps.length ? kib(mem.threadHeaps.reduce((t, h) => t + h.heapUsed, 0)) : NaN,
  };
}

interface Sample {
  open: number;
  rssKiB: number;
  /** V8 heap in use on the process's main thread after GC (workflow sandboxes live in the worker threads, counted in RSS only). */
  heapUsedKiB: number;
  /** V8 heap in use in the workflow worker thread(s) after GC: the tickets' live workflow state. */
  workflowHeapKiB: number;
  deltaKiB: number;
  perTicketKiB: number;
  /** Live workflow-thread heap added per ticket since before. */
  perTicketHeapKiB: number;
  /** RSS added per ticket since the previous checkpoint (the slope, without start-up effects). */
  marginalKiB: number;
  /** Worker CPU time spent per ticket opened since the previous checkpoint. */
  cpuMsPerTicket: number;
}

/** Opens workflows in steps up to each checkpoint, sampling the process's RSS before and at every checkpoint. */
async function measure(child: () => ChildProcess, checkpoints: number[], open: (from: number, n: number) => Promise<void>) {
  const first = await settledRss(child());
  const before = first.rss;
  const samples: Sample[] = [];
  let opened = 0;
  let prevRss = before;
  for (const target of checkpoints) {
    const cpuBefore = cpuMs(child().pid!);
    await open(opened, target - opened);
    const cpuSpent = cpuMs(child().pid!) - cpuBefore;
    const { rss, heapUsedKiB, workflowHeapKiB } = await settledRss(child());
    // Per ticket opened in this step: computed once, before `opened` moves on to `target` (the log used to divide by zero).
    const step = target - opened;
    const cpuMsPerTicket = round(cpuSpent / step);
    samples.push({
      open: target,
      rssKiB: rss,
      heapUsedKiB,
      workflowHeapKiB,
      deltaKiB: rss - before,
      perTicketKiB: round((rss - before) / target),
      perTicketHeapKiB: round((workflowHeapKiB - first.workflowHeapKiB) / target),
      marginalKiB: round((rss - prevRss) / step),
      cpuMsPerTicket,
    });
    opened = target;
    prevRss = rss;
    log(`    ${target} open: RSS ${(rss / 1024).toFixed(1)} MiB (${((rss - before) / 1024).toFixed(1)} MiB since before, ${round((rss - before) / target)} KiB each); workflow heap ${(workflowHeapKiB / 1024).toFixed(1)} MiB; CPU ${cpuMsPerTicket} ms per ticket opened`);
  }
  return { beforeKiB: before, beforeHeapUsedKiB: first.heapUsedKiB, beforeWorkflowHeapKiB: first.workflowHeapKiB, samples, hwmKiB: rssKiB(child().pid!).hwm };
}

export async function workerMemory(ctx: BenchContext) {
  const checkpoints = (process.env.BENCH_MEMORY_CHECKPOINTS ?? (ctx.full ? '1000,10000,50000' : '250,500,1000')).split(',').map(Number);
  if (!checkpoints.every((c, i) => Number.isInteger(c) && c > (checkpoints[i - 1] ?? 0))) throw new Error(`BENCH_MEMORY_CHECKPOINTS must be increasing whole numbers, got ${checkpoints.join(',')}`);
  const cache = workerOptions().maxCachedWorkflows ?? 0;
  log(`worker-memory: checkpoints ${checkpoints.join(', ')} open tickets (worker cache holds ${cache} workflows)`);

  // A fresh desk worker, so earlier benchmarks' cached tickets do not count; a few tickets warm its workflow V8 context first.
  // It is started with bench/gc-hook.mjs preloaded, so samples are taken after a full GC.
  log('  restarting the desk worker');
  const nodeOptions = ctx.desk.env.NODE_OPTIONS;
  ctx.desk.env.NODE_OPTIONS = [nodeOptions, GC_HOOK_OPTIONS].filter(Boolean).join(' ');
  await ctx.desk.worker.stop();
  try {
    await ctx.desk.startWorker();
  } finally {
    ctx.desk.env.NODE_OPTIONS = nodeOptions;
  }
  await seedTickets(ctx, 20, 'memory-warmup');
  log('  desk worker (ticket workflows):');
  const desk = await measure(
    () => ctx.desk.worker.process,
    checkpoints,
    async (from, n) => {
      await seedTickets(ctx, n, `memory-${from}`);
    },
  );

  // Baseline: a worker process with the same cache settings hosting open echo workflows, opened the way tickets are (update-with-start).
  const taskQueue = `bench-echo-memory-${process.pid}`;
  const run = randomUUID().slice(0, 8);
  const echo: Child = spawnTs('echo-worker', 'bench/echo-worker.ts', { ...process.env, BENCH_TASK_QUEUE: taskQueue, NODE_OPTIONS: [process.env.NODE_OPTIONS, GC_HOOK_OPTIONS].filter(Boolean).join(' ') }, { stdio: process.env.BENCH_SERVER_LOGS ? 'inherit' : 'ignore' });
  let bare;
  try {
    await echo.ready;
    const openEcho = (from: number, n: number) =>
      closedLoop({
        count: n,
        concurrency: 32,
        op: async (i) => {
          const start = new WithStartWorkflowOperation(echoWorkflow, { workflowId: `bench-mem-${run}-${from + i}`, taskQueue, args: [{}], workflowIdConflictPolicy: 'USE_EXISTING' });
          await ctx.temporal.workflow.executeUpdateWithStart(touchUpdate, { startWorkflowOperation: start, args: ['open'] });
        },
      }).then((r) => {
        if (r.errors) throw new Error(`opening echo workflows: ${r.errors} failures, first: ${r.firstError}`);
      });
    await openEcho(-20, 20);
    log('  echo worker (bare open workflows):');
    bare = await measure(() => echo.process, checkpoints, openEcho);
  } finally {
    await echo.stop();
  }
  // The echo workflows stay open on the bench's own dev server, which is thrown away at the end.

  // Start-up leaves memory behind that the process only hands back later (RSS can fall after the first tickets), so the
  // slope between the first and the last checkpoint is the steadier RSS cost of one more open ticket.
  const slope = (m: typeof desk) => {
    const a = m.samples[0];
    const b = m.samples[m.samples.length - 1];
    return b.open > a.open ? round((b.rssKiB - a.rssKiB) / (b.open - a.open)) : NaN;
  };
  const slopes = { deskKiBPerTicket: slope(desk), echoKiBPerWorkflow: slope(bare), ratio: ratio(slope(desk), slope(bare)) };
  const ratios = checkpoints.map((c, i) => ({
    open: c,
    perTicketDeskOverBare: ratio(desk.samples[i].perTicketKiB, bare.samples[i].perTicketKiB),
    perTicketHeapDeskOverBare: ratio(desk.samples[i].perTicketHeapKiB, bare.samples[i].perTicketHeapKiB),
  }));
  process.stdout.write(
    `\n== worker-memory (RSS of the worker process; worker cache ${cache} workflows) ==\n` +
      table(
        ['process', 'open', 'RSS MiB', 'since before MiB', 'RSS KiB/ticket', 'marginal KiB/ticket', 'wf heap MiB', 'wf heap KiB/ticket', 'main heap MiB', 'CPU ms/ticket'],
        [
          ['desk worker (before)', 0, desk.beforeKiB / 1024, 0, NaN, NaN, desk.beforeWorkflowHeapKiB / 1024, NaN, desk.beforeHeapUsedKiB / 1024, NaN],
          ...desk.samples.map((s) => ['desk worker', s.open, s.rssKiB / 1024, s.deltaKiB / 1024, s.perTicketKiB, s.marginalKiB, s.workflowHeapKiB / 1024, s.perTicketHeapKiB, s.heapUsedKiB / 1024, s.cpuMsPerTicket]),
          ['echo worker (before)', 0, bare.beforeKiB / 1024, 0, NaN, NaN, bare.beforeWorkflowHeapKiB / 1024, NaN, bare.beforeHeapUsedKiB / 1024, NaN],
          ...bare.samples.map((s) => ['echo worker', s.open, s.rssKiB / 1024, s.deltaKiB / 1024, s.perTicketKiB, s.marginalKiB, s.workflowHeapKiB / 1024, s.perTicketHeapKiB, s.heapUsedKiB / 1024, s.cpuMsPerTicket]),
        ],
      ) +
      `\n\nRSS slope ${checkpoints[0]}→${checkpoints[checkpoints.length - 1]} open: desk ${slopes.deskKiBPerTicket} KiB/ticket, echo ${slopes.echoKiBPerWorkflow} KiB/workflow, desk/echo ${slopes.ratio}\n` +
      table(
        ['open', 'RSS/ticket desk/echo', 'wf heap/ticket desk/echo'],
        ratios.map((r) => [String(r.open), r.perTicketDeskOverBare, r.perTicketHeapDeskOverBare]),
      ) +
      `\nwf heap = live V8 heap of the workflow worker thread after a forced GC; peak RSS (VmHWM) desk ${(desk.hwmKiB / 1024).toFixed(1)} MiB, echo ${(bare.hwmKiB / 1024).toFixed(1)} MiB\n`,
  );
  const file = writeResult('worker-memory', { benchmark: 'worker-memory', scale: ctx.scale, machine: ctx.machine, workerCache: cache, desk, bare, slopes, ratios }, ctx.startedAt);
  log(`worker-memory written to ${file}`);
  return { desk, bare, slopes, ratios };
}
