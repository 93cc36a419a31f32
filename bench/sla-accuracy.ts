// SLA timer accuracy: many open tickets whose resolution deadlines fall within the same minute; how late each breach and its escalation actions are recorded, against bare Temporal timers due at the same instants.
import { randomUUID } from 'node:crypto';
import type { BenchContext } from './lib/context';
import { closedLoop, log, round, sleep, table, writeResult } from './lib/load';
import { breachLateness, latenessStats as stats, publishCriticalResolution } from './lib/sla';
import { timerWorkflow } from './empty-workflow';

export async function slaAccuracy(ctx: BenchContext) {
  const n = Number(process.env.BENCH_SLA_TICKETS ?? (ctx.full ? 5000 : 300));
  const minutes = Number(process.env.BENCH_SLA_MINUTES ?? (ctx.full ? 10 : 2));
  await publishCriticalResolution(ctx, minutes);

  const tag = `sla-${randomUUID().slice(0, 8)}`;
  const ids: string[] = [];
  // The density: 5,000 breaches within one minute. Opening is paced to it, since the deadlines follow the openings.
  const perSecond = Number(process.env.BENCH_SLA_PER_SECOND ?? 5000 / 60);
  log(`sla-accuracy: opening ${n} critical problems due in ${minutes} min, ${perSecond.toFixed(1)} per second`);
  const paceFrom = performance.now();
  const opened = await closedLoop({
    count: n,
    concurrency: 16,
    warmup: 0,
    op: async (i) => {
      const at = paceFrom + (i * 1000) / perSecond;
      if (at > performance.now()) await sleep(at - performance.now());
      const r = await ctx.admin.post('/api/tickets', { type: 'problem', title: `${tag} ${i}`, priority: 'critical' });
      if (r.status !== 201) throw new Error(`create answered ${r.status}`);
      ids.push(r.body.id);
    },
  });
  log(`  opened in ${(opened.wallMs / 1000).toFixed(1)} s; breaches spread over the same span`);

  // Baseline: bare timers due at the same spread of instants, on the same Temporal server.
  const firstDue = Date.now() + minutes * 60_000 - opened.wallMs;
  const spread = opened.wallMs;
  const baseline = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      ctx.temporal.workflow.start(timerWorkflow, { taskQueue: ctx.baselineTaskQueue, workflowId: `${tag}-timer-${i}`, args: [Math.round(firstDue + (spread * i) / n)] }),
    ),
  );

  const deadline = Date.now() + (minutes + 4) * 60_000 + spread;
  let rows: Array<{ type: string; lateness_ms: number }> = [];
  for (;;) {
    rows = await breachLateness(ctx.pool, ids);
    const breaches = rows.filter((r) => r.type === 'sla_breached').length;
    if (breaches >= n || Date.now() > deadline) break;
    log(`  ${breaches}/${n} breaches recorded, waiting`);
    await sleep(10_000);
  }
  const timers = await Promise.all(baseline.map((h) => h.result()));
  const breach = stats(rows.filter((r) => r.type === 'sla_breached').map((r) => Number(r.lateness_ms)));
  const actions = stats(rows.filter((r) => r.type !== 'sla_breached').map((r) => Number(r.lateness_ms)));
  const bare = stats(timers);
  process.stdout.write(
    `\nSLA timer accuracy: ${n} tickets due within ${(spread / 1000).toFixed(0)} s, lateness after the deadline (ms)\n` +
      table(
        ['what', 'n', 'p50', 'p99', 'max'],
        [
          ['breach recorded (sla_breached)', breach.n, breach.p50, breach.p99, breach.max],
          ['escalation actions', actions.n, actions.p50, actions.p99, actions.max],
          ['bare Temporal timer (baseline)', bare.n, bare.p50, bare.p99, bare.max],
        ],
      ) +
      `\nbreach p99 / bare timer p99: ${round(breach.p99 / Math.max(1, bare.p99))}\n`,
  );
  const result = { n, minutes, spreadMs: spread, breach, actions, bareTimer: bare, missing: n - breach.n };
  writeResult('sla-accuracy', result, ctx.startedAt);
  return result;
}
