// Benchmark: a macro (public reply filled in per ticket, a tag, the 'start' transition) applied to 200 tickets, in the two
// ways agents apply one: from the queue as one mass action (POST /api/macros/:id/apply with 100 ids per request), and
// ticket by ticket from ticket pages at concurrency 8. Baselines: the same tickets' plain 'start' transition, as a mass
// action (POST /api/tickets/bulk) and one by one. A macro is one Workflow Update per ticket, like a transition, but with
// more events to record (macro_applied, tags_changed, commented, transitioned).
import type { BenchContext } from './lib/context';
import { closedLoop, expectStatus, log, ratio, table, writeResult } from './lib/load';
import { seedTickets } from './transition';

const BATCH = 100;

interface BatchResult {
  count: number;
  wallMs: number;
  /** Tickets per second over the whole run. */
  throughput: number;
}

/** One request after the other, 100 tickets each: how a mass action from the queue runs. */
async function inBatches(ids: string[], call: (batch: string[]) => Promise<{ status: number; body: { failed?: number } }>, what: string): Promise<BatchResult> {
  const t0 = performance.now();
  for (let i = 0; i < ids.length; i += BATCH) {
    const res = await call(ids.slice(i, i + BATCH));
    expectStatus(res, 200, what);
    if (res.body.failed) throw new Error(`${what}: ${res.body.failed} tickets refused`);
  }
  const wallMs = Math.round(performance.now() - t0);
  return { count: ids.length, wallMs, throughput: Math.round((ids.length / wallMs) * 10_000) / 10 };
}

export async function macrosBench(ctx: BenchContext) {
  const n = Number(process.env.BENCH_MACRO_TICKETS ?? 200);
  log(`macros: seeding ${n * 4} open tickets`);
  const seeded = await seedTickets(ctx, n * 4, 'macros');
  const [bulkMacro, oneMacro, bulkPlain, onePlain] = [0, 1, 2, 3].map((k) => seeded.ids.slice(k * n, (k + 1) * n));
  const macro = await ctx.admin.post('/api/macros', {
    name: `Bench macro ${Date.now()}`,
    shared: true,
    reply: { en: 'Hello {{requester.name}}, we are on {{ticket.number}}.', fr: 'Bonjour {{requester.name}}, nous traitons {{ticket.number}}.' },
    addTags: ['bench-macro'],
    transition: 'start',
  });
  expectStatus(macro, 201, 'POST /api/macros');
  const id = macro.body.id as string;

  const macroBulk = await inBatches(bulkMacro!, (ids) => ctx.admin.post(`/api/macros/${id}/apply`, { ids }), 'macro as a mass action');
  const plainBulk = await inBatches(bulkPlain!, (ids) => ctx.admin.post('/api/tickets/bulk', { ids, action: { type: 'transition', transition: 'start' } }), 'bulk transition');
  const macroOne = await closedLoop({
    count: n,
    concurrency: 8,
    op: async (i) => {
      const res = await ctx.admin.post(`/api/macros/${id}/apply`, { ids: [oneMacro![i]] });
      expectStatus(res, 200, 'macro on one ticket');
      if (res.body.failed) throw new Error(`macro on one ticket refused: ${JSON.stringify(res.body.results[0])}`);
    },
  });
  const plainOne = await closedLoop({
    count: n,
    concurrency: 8,
    op: async (i) => expectStatus(await ctx.admin.post(`/api/tickets/${onePlain![i]}/transitions`, { transition: 'start' }), 200, "transition 'start'"),
  });

  process.stdout.write(
    `\n== a macro (reply + tag + transition) on ${n} tickets, beside the plain transition (latencies in ms) ==\n` +
      table(
        ['operation', 'n', 'tickets/s', 'p50', 'p95', 'p99', 'errors'],
        [
          ['macro, mass action (100 per request)', macroBulk.count, macroBulk.throughput, '', '', '', 0],
          ["bulk transition 'start' (100 per request)", plainBulk.count, plainBulk.throughput, '', '', '', 0],
          ['macro, one ticket per request (c=8)', macroOne.count, macroOne.throughput, macroOne.p50, macroOne.p95, macroOne.p99, macroOne.errors],
          ["transition 'start', one per request (c=8)", plainOne.count, plainOne.throughput, plainOne.p50, plainOne.p95, plainOne.p99, plainOne.errors],
        ],
      ) +
      '\n\n' +
      table(
        ['ratio macro vs plain transition', 'tickets/s', 'p50', 'p95'],
        [
          ['mass action', ratio(macroBulk.throughput, plainBulk.throughput), '', ''],
          ['one per request', ratio(macroOne.throughput, plainOne.throughput), ratio(macroOne.p50, plainOne.p50), ratio(macroOne.p95, plainOne.p95)],
        ],
      ) +
      '\n',
  );
  const file = writeResult('macros', { benchmark: 'macros', machine: ctx.machine, tickets: n, macroBulk, plainBulk, macroOne, plainOne }, ctx.startedAt);
  log(`macros written to ${file}`);
  return { macroBulk, plainBulk, macroOne, plainOne };
}
