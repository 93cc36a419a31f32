// Benchmark 1: opening tickets through the HTTP API, side by side with what it is built on — a bare Temporal start and a bare PostgreSQL INSERT.
import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation } from '@temporalio/client';
import type { BenchContext } from './lib/context';
import { closedLoop, expectStatus, log, ratio, table, writeResult, type LoadResult } from './lib/load';
import { cpuRows, measureCpu, type CpuSplit } from './lib/cpu';
import { waitRecorded } from './lib/recorded';
import { echoWorkflow, emptyWorkflow, touchUpdate } from './empty-workflow';

export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;

/** The body every benchmark opens tickets with; priorities rotate so the queue order index sees all four. */
export function ticketBody(i: number, tag: string) {
  return { type: 'incident', title: `Bench ${tag} ticket ${i}`, description: `Opened by the benchmark suite (${tag} #${i}).`, priority: PRIORITIES[i % 4] };
}

const SCRATCH = 'bench_scratch_tickets';

export async function ticketCreation(ctx: BenchContext) {
  const concurrencies = (process.env.BENCH_CREATE_CONCURRENCY ?? '1,8,32').split(',').map(Number);
  const count = Number(process.env.BENCH_CREATE_COUNT ?? (ctx.full ? 2000 : 200));
  const run = randomUUID().slice(0, 8);
  log(`ticket-creation: ${count} per level at concurrency ${concurrencies.join(', ')}`);

  // The scratch table is the tickets table's twin (same columns, defaults, indexes and unique number), so an INSERT there costs what the read model's does.
  await ctx.pool.query(`drop table if exists ${SCRATCH}`);
  await ctx.pool.query(`create table ${SCRATCH} (like tickets including all)`);

  let slaSample = '[]';
  let opened: string[] = [];
  const api = (i: number) => async () => {
    const res = await ctx.admin.post('/api/tickets', ticketBody(i, 'create'));
    expectStatus(res, 201, 'POST /api/tickets');
    opened.push((res.body as { id: string }).id);
  };
  const op = {
    api: async (i: number) => api(i)(),
    bareStart: async (i: number) => {
      await ctx.temporal.workflow.start(emptyWorkflow, { taskQueue: ctx.baselineTaskQueue, workflowId: `bench-empty-${run}-${i}` });
    },
    bareUpdateWithStart: async (i: number) => {
      const start = new WithStartWorkflowOperation(echoWorkflow, {
        workflowId: `bench-uws-${run}-${i}`,
        taskQueue: ctx.baselineTaskQueue,
        args: [{ exitAfterUpdates: 1 }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      await ctx.temporal.workflow.executeUpdateWithStart(touchUpdate, { startWorkflowOperation: start, args: ['created'] });
    },
    bareInsert: async (i: number) => {
      const now = new Date().toISOString();
      await ctx.pool.query(
        `insert into ${SCRATCH} (id, number, type, title, description, priority, priority_order, state, state_category, queue, assignee_id,
           requester_id, definition_key, definition_version, fields, links, sla, sla_status, sla_due_at, last_seq, created_at, updated_at, resolved_at, closed_at)
         values ($1, $2, 'incident', $3, $4, $5, $6, 'new', 'new', 'service_desk', null, $7, 'incident', 1, '{}'::jsonb, '[]'::jsonb, $8::jsonb, 'ok', $9, 1, $10, $10, null, null)`,
        [randomUUID(), `SCR-${run}-${i}`, `Bench create ticket ${i}`, `Opened by the benchmark suite (create #${i}).`, PRIORITIES[i % 4], 4 - (i % 4), ctx.admin.user!.id, slaSample, now, now],
      );
    },
  };
  type Variant = keyof typeof op;
  const labels: Record<Variant, string> = {
    api: 'API POST /api/tickets',
    bareStart: 'bare workflow.start (empty)',
    bareUpdateWithStart: 'bare update-with-start (echo)',
    bareInsert: 'bare INSERT (scratch table)',
  };

  // Warm every path once (JIT, connection pools, the worker's V8 context); the SLA clocks of a real ticket make the INSERT's jsonb realistic.
  let offset = 1_000_000;
  await closedLoop({ count: 24, concurrency: 8, op: (i) => op.api(offset + i) });
  const { rows } = await ctx.pool.query<{ sla: unknown }>(`select sla from tickets where definition_key = 'incident' order by created_at desc limit 1`);
  if (rows[0]) slaSample = JSON.stringify(rows[0].sla);
  for (const v of ['bareStart', 'bareUpdateWithStart', 'bareInsert'] as const) await closedLoop({ count: 24, concurrency: 8, op: (i) => op[v](offset + i) });

  const results: Array<{ variant: Variant; label: string; result: LoadResult; cpu: CpuSplit; recordedPerSecond?: number }> = [];
  for (const concurrency of concurrencies) {
    for (const variant of Object.keys(op) as Variant[]) {
      offset += 10_000;
      const base = offset;
      const warmup = Math.min(2 * concurrency, 32);
      opened = [];
      let drainMs = 0;
      // The CPU of the API side includes the worker catching up, so it is the whole cost of a recorded ticket.
      const { result, cpu } = await measureCpu(ctx.cpuRoots, count + warmup, async () => {
        const r = await closedLoop({ count, concurrency, warmup, op: (i) => op[variant](base + i) });
        if (variant === 'api') drainMs = await waitRecorded(ctx.pool, opened, 120_000);
        return r;
      });
      // Sustained rate: tickets answered ÷ (time to answer them + time until the last one's workflow recorded it).
      const recordedPerSecond = variant === 'api' ? Math.round((count / ((count / result.throughput) * 1000 + drainMs)) * 100000) / 100 : undefined;
      log(`  c=${concurrency} ${labels[variant]}: ${result.throughput}/s p50 ${result.p50} ms${recordedPerSecond ? `, ${recordedPerSecond}/s until recorded` : ''}${result.errors ? ` (${result.errors} errors: ${result.firstError})` : ''}`);
      results.push({ variant, label: labels[variant], result, cpu, ...(recordedPerSecond ? { recordedPerSecond } : {}) });
    }
  }
  await ctx.pool.query(`drop table if exists ${SCRATCH}`);

  const rowsOut = results.map(({ label, result: r, recordedPerSecond }) => [label, r.concurrency, r.count, r.throughput, recordedPerSecond ?? '', r.p50, r.p95, r.p99, r.errors]);
  const ratios = concurrencies.map((c) => {
    const get = (v: Variant) => results.find((r) => r.variant === v && r.result.concurrency === c)!.result;
    const a = get('api');
    const s = get('bareStart');
    const u = get('bareUpdateWithStart');
    const ins = get('bareInsert');
    return {
      concurrency: c,
      throughputApiOverBareStart: ratio(a.throughput, s.throughput),
      recordedApiOverBareStart: ratio(results.find((r) => r.variant === 'api' && r.result.concurrency === c)!.recordedPerSecond ?? NaN, s.throughput),
      p50ApiOverBareStart: ratio(a.p50, s.p50),
      p99ApiOverBareStart: ratio(a.p99, s.p99),
      p50ApiOverBareUpdateWithStart: ratio(a.p50, u.p50),
      p50ApiOverBareInsert: ratio(a.p50, ins.p50),
    };
  });
  const cpu = cpuRows(results.filter((r) => r.variant !== 'bareInsert').map((r) => [`${r.label} c=${r.result.concurrency}`, r.cpu]));
  const out =
    `\n== ticket-creation (${count} per level; latencies in ms) ==\n` +
    table(['path', 'conc', 'n', 'tickets/s', 'recorded/s', 'p50', 'p95', 'p99', 'errors'], rowsOut) +
    '\n(recorded/s: the same tickets until the last one\'s workflow had recorded it in the read model)\n' +
    '\n\n' +
    table(
      ['concurrency', 'tput API/start', 'recorded/start', 'p50 API/start', 'p99 API/start', 'p50 API/uws', 'p50 API/insert'],
      ratios.map((r) => [String(r.concurrency), r.throughputApiOverBareStart, r.recordedApiOverBareStart, r.p50ApiOverBareStart, r.p99ApiOverBareStart, r.p50ApiOverBareUpdateWithStart, r.p50ApiOverBareInsert]),
    ) +
    '\n\nWhere the CPU goes (user+system ms per ticket in each process tree; "cores busy" = CPU time ÷ wall time, 2 = both cores):\n' +
    table(cpu.headers, cpu.rows) +
    '\n';
  process.stdout.write(out);
  const file = writeResult('ticket-creation', { benchmark: 'ticket-creation', scale: ctx.scale, machine: ctx.machine, countPerLevel: count, results, ratios }, ctx.startedAt);
  log(`ticket-creation written to ${file}`);
  return { results, ratios };
}
