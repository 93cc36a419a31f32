// Benchmark 2: Workflow Update round trips through the API — the 'start' transition on open tickets and public comments — beside a bare update on an echo workflow.
import { randomUUID } from 'node:crypto';
import type { BenchContext } from './lib/context';
import { closedLoop, expectStatus, log, ratio, round, table, writeResult } from './lib/load';
import { cpuRows, measureCpu } from './lib/cpu';
import { waitRecorded } from './lib/recorded';
import { doneSignal, echoWorkflow, touchUpdate } from './empty-workflow';
import { ticketBody } from './ticket-creation';

/** Opens `n` tickets through the API (not measured as a figure; concurrency 32 seeds fastest on 2 cores) and returns their ids. */
export async function seedTickets(ctx: BenchContext, n: number, tag: string, concurrency = 32): Promise<{ ids: string[]; ms: number }> {
  const ids: string[] = new Array(n);
  const t0 = performance.now();
  let done = 0;
  const r = await closedLoop({
    count: n,
    concurrency,
    op: async (i) => {
      const res = await ctx.admin.post('/api/tickets', ticketBody(i, tag));
      expectStatus(res, 201, 'POST /api/tickets (seeding)');
      ids[i] = res.body.id;
      if (++done % 1000 === 0) log(`  seeded ${done}/${n}`);
    },
  });
  if (r.errors) throw new Error(`seeding ${tag} tickets: ${r.errors} failures, first: ${r.firstError}`);
  // The worker records more slowly than the API answers: allow 50 ms per ticket of catching up.
  await waitRecorded(ctx.pool, ids, Math.max(300_000, n * 50));
  return { ids, ms: performance.now() - t0 };
}

export async function transition(ctx: BenchContext) {
  const n = Number(process.env.BENCH_TRANSITION_TICKETS ?? (ctx.full ? 10_000 : 500));
  const concurrency = 8;
  const warmup = Math.min(50, Math.floor(n / 10));
  const comments = Number(process.env.BENCH_COMMENTS ?? (ctx.full ? 5000 : 500));
  log(`transition: seeding ${n} open tickets through the API`);
  const seeded = await seedTickets(ctx, n, 'transition');
  log(`  seeded in ${(seeded.ms / 1000).toFixed(1)} s`);

  // Each ticket takes 'start' once (new → in_progress): warm-up on the first ones, measure the rest.
  const { result: start, cpu: startCpu } = await measureCpu(ctx.cpuRoots, n, () => closedLoop({
    count: n - warmup,
    concurrency,
    warmup,
    op: async (i) => expectStatus(await ctx.admin.post(`/api/tickets/${seeded.ids[i]}/transitions`, { transition: 'start' }), 200, "transition 'start'"),
  }));
  log(`  start transition: ${start.throughput}/s p50 ${start.p50} ms`);
  const { result: comment, cpu: commentCpu } = await measureCpu(ctx.cpuRoots, comments + 20, () => closedLoop({
    count: comments,
    concurrency,
    warmup: 20,
    op: async (i) =>
      expectStatus(await ctx.admin.post(`/api/tickets/${seeded.ids[i % n]}/comments`, { body: `Bench comment ${i}`, visibility: 'public' }), 201, 'public comment'),
  }));
  log(`  public comment: ${comment.throughput}/s p50 ${comment.p50} ms`);

  // Baseline: the same number of updates on open echo workflows, spread over as many workflows as the API run used tickets (capped).
  const run = randomUUID().slice(0, 8);
  const echoes = Math.min(n, 500);
  const handles = await Promise.all(
    Array.from({ length: echoes }, (_, i) => ctx.temporal.workflow.start(echoWorkflow, { taskQueue: ctx.baselineTaskQueue, workflowId: `bench-echo-${run}-${i}`, args: [{}] })),
  );
  const { result: bare, cpu: bareCpu } = await measureCpu(ctx.cpuRoots, n, () => closedLoop({
    count: n - warmup,
    concurrency,
    warmup,
    op: async (i) => {
      await handles[i % echoes].executeUpdate(touchUpdate, { args: ['start'] });
    },
  }));
  log(`  bare update: ${bare.throughput}/s p50 ${bare.p50} ms`);
  await closedLoop({ count: echoes, concurrency: 16, op: (i) => handles[i].signal(doneSignal) });

  const rows = [
    ["API transition 'start'", start],
    ['API public comment', comment],
    ['bare executeUpdate (echo)', bare],
  ] as const;
  const ratios = {
    p50TransitionOverBare: ratio(start.p50, bare.p50),
    p95TransitionOverBare: ratio(start.p95, bare.p95),
    p99TransitionOverBare: ratio(start.p99, bare.p99),
    throughputTransitionOverBare: ratio(start.throughput, bare.throughput),
    p50CommentOverBare: ratio(comment.p50, bare.p50),
    p99CommentOverBare: ratio(comment.p99, bare.p99),
  };
  const cpu = cpuRows([["transition 'start'", startCpu], ['public comment', commentCpu], ['bare executeUpdate (echo)', bareCpu]]);
  process.stdout.write(
    `\n== transition (${n} open tickets, concurrency ${concurrency}; latencies in ms) ==\n` +
      table(['operation', 'n', 'ops/s', 'p50', 'p95', 'p99', 'errors'], rows.map(([l, r]) => [l, r.count, r.throughput, r.p50, r.p95, r.p99, r.errors])) +
      '\n\n' +
      table(
        ['ratio vs bare update', 'p50', 'p95', 'p99', 'throughput'],
        [
          ["transition 'start'", ratios.p50TransitionOverBare, ratios.p95TransitionOverBare, ratios.p99TransitionOverBare, ratios.throughputTransitionOverBare],
          ['public comment', ratios.p50CommentOverBare, ratio(comment.p95, bare.p95), ratios.p99CommentOverBare, ratio(comment.throughput, bare.throughput)],
        ],
      ) +
      '\n\nWhere the CPU goes (user+system ms per operation in each process tree; "cores busy" = CPU time ÷ wall time, 2 = both cores):\n' +
      table(cpu.headers, cpu.rows) +
      `\nseeding ${n} tickets through the API took ${(seeded.ms / 1000).toFixed(1)} s (${round((n / seeded.ms) * 1000)} tickets/s at concurrency 32, not part of the figures)\n`,
  );
  const file = writeResult(
    'transition',
    { benchmark: 'transition', scale: ctx.scale, machine: ctx.machine, openTickets: n, concurrency, seedingMs: round(seeded.ms), transition: start, comment, bareUpdate: bare, ratios, cpu: { transition: startCpu, comment: commentCpu, bareUpdate: bareCpu } },
    ctx.startedAt,
  );
  log(`transition written to ${file}`);
  return { start, comment, bare, ratios };
}
