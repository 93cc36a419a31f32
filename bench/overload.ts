// SLA lateness under overload: critical problems offered at twice the rate one worker records them, through an API with
// backpressure (creation answers 503 past a small backlog bound, while recent SLA timers run late, or when the ticket's
// own timers would fall in seconds the timer calendar already holds full), first with the
// desk alone on the servers, then with a bare Temporal timer beside each accepted ticket, due at the same instant; then
// through the desk's own API, whose bound is far away. How late the accepted tickets' breaches are recorded, where the
// CPU went, when the late ones were opened, and, from their Temporal histories, where their lateness went.
import { randomUUID } from 'node:crypto';
import type { BenchContext } from './lib/context';
import { log, round, sleep, table, writeResult } from './lib/load';
import { breachLateness, latenessStats, publishCriticalResolution, type Lateness } from './lib/sla';
import { waitRecorded } from './lib/recorded';
import { timerWorkflow } from './empty-workflow';
import { latenessStages, type LatenessStages } from './lib/lateness-stages';
import { cpuRows, measureCpu, type CpuRoots, type CpuSplit } from './lib/cpu';
import { spawnTs } from '../platform/processes';
import { freePort, waitForPort } from '../platform/servers/ports';
import { ADMIN, Session } from '../tests/support/http';

interface Phase {
  name: string;
  offered: number;
  accepted: number;
  refused: number;
  failed: number;
  firstRefusal: string;
  firstFailure: string;
  breach: Lateness;
  bareTimer: Lateness;
  missing: number;
  /** Where the CPU went while the tickets were offered (per offered ticket). */
  cpu: CpuSplit;
  /** Accepted tickets and their breach lateness by 10 s of the offer, to show when lateness happens. */
  timeline: Array<{ fromSecond: number; breached: number; breach: Lateness }>;
  /** Where the breaches' lateness went: the server's timer, the task queue, the worker. */
  stages: LatenessStages;
}

/** Opens tickets at `perSecond` for `seconds`, open loop: a slow answer never slows the offer, a refusal is not retried. */
async function offer(session: Session, perSecond: number, seconds: number, tag: string, onAccepted: (id: string) => void) {
  const total = Math.round(perSecond * seconds);
  const counts = { accepted: 0, refused: 0, failed: 0, firstRefusal: '', firstFailure: '' };
  const inFlight: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const at = t0 + (i * 1000) / perSecond;
    const ahead = at - performance.now();
    if (ahead > 0) await sleep(ahead);
    inFlight.push(
      session.post('/api/tickets', { type: 'problem', title: `${tag} ${i}`, priority: 'critical' }).then(
        (r) => {
          if (r.status === 201) {
            counts.accepted++;
            onAccepted(r.body.id);
          } else if (r.status === 503) {
            counts.refused++;
            counts.firstRefusal ||= JSON.stringify(r.body).slice(0, 300);
          } else {
            counts.failed++;
            counts.firstFailure ||= `${r.status} ${JSON.stringify(r.body).slice(0, 300)}`;
          }
        },
        (e: Error) => {
          counts.failed++;
          counts.firstFailure ||= e.message;
        },
      ),
    );
  }
  await Promise.all(inFlight);
  return { offered: total, ...counts };
}

async function phase(ctx: BenchContext, name: string, session: Session, perSecond: number, seconds: number, minutes: number, roots: () => CpuRoots, withBareTimers: boolean): Promise<Phase> {
  const tag = `overload-${randomUUID().slice(0, 8)}`;
  const ids: string[] = [];
  const timers: Array<Promise<{ result(): Promise<number> }>> = [];
  log(`overload (${name}): offering ${perSecond.toFixed(1)} critical problems a second for ${seconds} s`);
  const offeredAt = Date.now();
  const { result: counts, cpu } = await measureCpu(roots, Math.round(perSecond * seconds), () =>
    offer(session, perSecond, seconds, tag, (id) => {
      ids.push(id);
      // The baseline: a bare timer due when this ticket's resolution clock runs out, started as it is accepted.
      if (withBareTimers) timers.push(ctx.temporal.workflow.start(timerWorkflow, { taskQueue: ctx.baselineTaskQueue, workflowId: `${tag}-timer-${ids.length}`, args: [Date.now() + minutes * 60_000] }));
    }),
  );
  log(`  ${counts.accepted} accepted, ${counts.refused} refused (503), ${counts.failed} failed; waiting for their breaches`);
  if (counts.firstRefusal) log(`  first refusal: ${counts.firstRefusal}`);
  if (counts.firstFailure) log(`  first failure: ${counts.firstFailure}`);
  const deadline = Date.now() + (minutes + 10) * 60_000;
  let rows: Awaited<ReturnType<typeof breachLateness>> = [];
  for (;;) {
    rows = await breachLateness(ctx.pool, ids);
    const breaches = rows.filter((r) => r.type === 'sla_breached').length;
    if (breaches >= ids.length || Date.now() > deadline) break;
    await sleep(5_000);
  }
  const bare = await Promise.all(timers.map(async (h) => (await h).result()));
  const breaches = rows.filter((r) => r.type === 'sla_breached');
  const breach = latenessStats(breaches.map((r) => r.lateness_ms));
  const buckets = new Map<number, number[]>();
  for (const r of breaches) {
    const fromSecond = Math.floor((r.deadline_ms - minutes * 60_000 - offeredAt) / 10_000) * 10;
    if (!buckets.has(fromSecond)) buckets.set(fromSecond, []);
    buckets.get(fromSecond)!.push(r.lateness_ms);
  }
  const timeline = [...buckets].sort(([a], [b]) => a - b).map(([fromSecond, l]) => ({ fromSecond, breached: l.length, breach: latenessStats(l) }));
  const stages = await latenessStages(ctx.temporal, breaches);
  return { name, ...counts, breach, bareTimer: latenessStats(bare), missing: ids.length - breach.n, cpu, timeline, stages };
}

export async function overload(ctx: BenchContext) {
  const seconds = Number(process.env.BENCH_OVERLOAD_SECONDS ?? (ctx.full ? 300 : 90));
  const bound = process.env.BENCH_OVERLOAD_BOUND_SECONDS ?? '1';
  const timerBoundMs = process.env.BENCH_OVERLOAD_TIMER_BOUND_MS ?? '500';
  const minutes = 1;
  const wanted = new Set((process.env.BENCH_OVERLOAD_PHASES ?? 'alone,beside,open').split(','));
  for (const w of wanted) if (!['alone', 'beside', 'open'].includes(w)) throw new Error(`BENCH_OVERLOAD_PHASES: unknown phase '${w}' (alone, beside, open)`);

  // What one worker records per second, measured here so that "twice" holds on any machine.
  const probe = Number(process.env.BENCH_OVERLOAD_PROBE ?? 300);
  const probeIds: string[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async (_, w) => {
      for (let i = w; i < probe; i += 16) probeIds.push((await ctx.admin.post('/api/tickets', { type: 'incident', title: `overload probe ${i}`, priority: 'low' })).body.id);
    }),
  );
  await waitRecorded(ctx.pool, probeIds);
  const recordedPerSecond = probe / ((performance.now() - t0) / 1000);
  const perSecond = Number(process.env.BENCH_OVERLOAD_RATE ?? 2 * recordedPerSecond);
  log(`overload: the worker records ${recordedPerSecond.toFixed(1)} tickets/s; offering ${perSecond.toFixed(1)}/s`);
  await publishCriticalResolution(ctx, minutes);
  // The timer calendar's cap, as README's sizing says: half what the workers record per second, the other half left for openings.
  const timersPerSecond = process.env.BENCH_OVERLOAD_TIMERS_PER_SECOND ?? String(Math.max(1, Math.round(recordedPerSecond / 2)));

  // A second API on the same worker and task queue, whose only difference is its bounds: the backlog's and the timers'.
  const port = await freePort();
  const api = spawnTs('api-backpressure', 'api/main.ts', { ...ctx.desk.env, PORT: String(port), MAIL_INBOUND_PORT: '0', BACKPRESSURE_MAX_BACKLOG_SECONDS: bound, BACKPRESSURE_MAX_TIMER_LATENESS_MS: timerBoundMs, BACKPRESSURE_MAX_TIMERS_PER_SECOND: timersPerSecond }, { stdio: 'ignore' });
  let phases: Phase[];
  try {
    await api.ready;
    await waitForPort(port, 10_000);
    const guarded = await Session.login(ADMIN.email, ADMIN.password, `http://127.0.0.1:${port}`);
    // The guarded API is the one taking the requests: its CPU is counted as the API's.
    const roots = () => ({ ...ctx.cpuRoots(), api: api.process.pid });
    phases = [];
    // The desk alone, as it runs in production, then with the bare timers beside it: those add their own starts and
    // tasks to the same Temporal server and CPU, so each side of that comparison makes the other later.
    if (wanted.has('alone')) phases.push(await phase(ctx, `backpressure at ${bound} s, timers ${timerBoundMs} ms, ${timersPerSecond} timers/s, desk alone`, guarded, perSecond, seconds, minutes, roots, false));
    if (wanted.has('beside')) phases.push(await phase(ctx, `backpressure at ${bound} s, timers ${timerBoundMs} ms, ${timersPerSecond} timers/s, bare timers beside`, guarded, perSecond, seconds, minutes, roots, true));
  } finally {
    await api.stop();
  }
  if (wanted.has('open')) phases.push(await phase(ctx, 'no backpressure (bound 600 s), bare timers beside', ctx.admin, perSecond, seconds, minutes, ctx.cpuRoots, true));

  const cpu = cpuRows(phases.map((p) => [`${p.name}, per offered ticket`, p.cpu]));
  const timelines = phases.map(
    (p) =>
      `\n${p.name}: by 10 s of the offer, the tickets opened then and how late their breaches were recorded (ms)\n` +
      table(['offer second', 'tickets', 'breach p50', 'breach p99', 'breach max'], p.timeline.map((b) => [`${b.fromSecond}–${b.fromSecond + 10}`, b.breached, b.breach.p50, b.breach.p99, b.breach.max])) +
      '\n',
  );
  const stages = table(
    ['phase', 'breaches read', 'timer set late p50', 'p99', 'its task p50', 'p99', 'timer fired late p50', 'p99', 'sticky queue n', 'p50', 'p99', 'shared queue n', 'p50', 'p99', 'worker p50', 'p99'],
    phases.map((p) => [p.name, p.stages.tickets, p.stages.set.p50, p.stages.set.p99, p.stages.setterTask.p50, p.stages.setterTask.p99, p.stages.timer.p50, p.stages.timer.p99, p.stages.queue.n, p.stages.queue.p50, p.stages.queue.p99, p.stages.sharedQueue.n, p.stages.sharedQueue.p50, p.stages.sharedQueue.p99, p.stages.worker.p50, p.stages.worker.p99]),
  );
  process.stdout.write(
    `\nSLA lateness under overload: ${perSecond.toFixed(1)} tickets/s offered for ${seconds} s, twice the ${recordedPerSecond.toFixed(1)}/s one worker records; resolution due 1 min after opening; lateness after the deadline (ms)\n` +
      table(
        ['API', 'offered', 'accepted', '503', 'failed', 'breach p50', 'breach p99', 'breach max', 'missing', 'bare timer p99', 'breach/bare p99'],
        phases.map((p) => [p.name, p.offered, p.accepted, p.refused, p.failed, p.breach.p50, p.breach.p99, p.breach.max, p.missing, p.bareTimer.n ? p.bareTimer.p99 : '—', p.bareTimer.n ? round(p.breach.p99 / Math.max(1, p.bareTimer.p99)) : '—']),
      ) +
      `\n\nWhile the tickets were offered: CPU ms per offered ticket in each process tree\n${table(cpu.headers, cpu.rows)}\n` +
      timelines.join('') +
      `\nWhere the breaches' lateness went (ms, from each ticket's Temporal history): the timer due after the deadline (started late) and the workflow task that started it, firing after it was due (the server), its workflow task waiting for a worker (in the worker's sticky queue if the ticket was cached, else in the shared queue), the worker to the recorded breach\n${stages}\n`,
  );
  const result = { recordedPerSecond: round(recordedPerSecond), offeredPerSecond: round(perSecond), seconds, boundSeconds: Number(bound), timerBoundMs: Number(timerBoundMs), timersPerSecond: Number(timersPerSecond), phases };
  writeResult('overload', result, ctx.startedAt);
  return result;
}
