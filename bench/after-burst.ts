// Benchmark: how fast an agent's update lands right after a burst of new tickets. 500 tickets are opened through the API
// (the API answers before the worker has run their first workflow tasks), then, at once, comments and 'start' transitions
// on tickets opened earlier, at concurrency 8. Baseline: the same burst of bare workflow starts, then bare Workflow
// Updates on open echo workflows, on the same server.
import { randomUUID } from 'node:crypto';
import type { BenchContext } from './lib/context';
import { closedLoop, expectStatus, log, ratio, table, writeResult, type LoadResult } from './lib/load';
import { doneSignal, echoWorkflow, emptyWorkflow, touchUpdate } from './empty-workflow';
import { seedTickets } from './transition';
import { updateStages, type UpdateTiming } from './lib/update-stages';
import { ticketBody } from './ticket-creation';

const CONCURRENCY = 8;

export async function afterBurst(ctx: BenchContext) {
  const burst = Number(process.env.BENCH_BURST ?? 500);
  const updates = Number(process.env.BENCH_BURST_UPDATES ?? 100);
  log(`after-burst: seeding ${updates * 2} open tickets, then a burst of ${burst} creations and ${updates} comments and transitions at once`);
  const seeded = await seedTickets(ctx, updates * 2, 'after-burst');

  // Guichet: the burst, then updates while its workflow tasks are still queued.
  const opened = await closedLoop({
    count: burst,
    concurrency: 32,
    op: async (i) => expectStatus(await ctx.admin.post('/api/tickets', ticketBody(i, 'burst')), 201, 'POST /api/tickets (burst)'),
  });
  const timings: UpdateTiming[] = [];
  /** Runs one update on a ticket, noting when it was sent and answered. */
  const timed = async (ticketId: string, send: () => Promise<void>) => {
    const sentAt = Date.now();
    await send();
    timings.push({ ticketId, sentAt, answeredAt: Date.now() });
  };
  const [comment, transition] = await Promise.all([
    closedLoop({
      count: updates,
      concurrency: CONCURRENCY / 2,
      op: (i) =>
        timed(seeded.ids[i]!, async () =>
          expectStatus(await ctx.admin.post(`/api/tickets/${seeded.ids[i]}/comments`, { body: `After the burst ${i}`, visibility: 'public' }), 201, 'comment after the burst'),
        ),
    }),
    closedLoop({
      count: updates,
      concurrency: CONCURRENCY / 2,
      op: (i) =>
        timed(seeded.ids[updates + i]!, async () =>
          expectStatus(await ctx.admin.post(`/api/tickets/${seeded.ids[updates + i]}/transitions`, { transition: 'start' }), 200, "transition 'start' after the burst"),
        ),
    }),
  ]);
  const stages = await updateStages(ctx.temporal, timings);
  log(`  comment after the burst p99 ${comment.p99} ms, transition p99 ${transition.p99} ms`);

  // Baseline: a burst of bare starts, then bare updates on echo workflows opened before it.
  const run = randomUUID().slice(0, 8);
  const handles = await Promise.all(
    Array.from({ length: updates }, (_, i) => ctx.temporal.workflow.start(echoWorkflow, { taskQueue: ctx.baselineTaskQueue, workflowId: `bench-burst-echo-${run}-${i}`, args: [{}] })),
  );
  await Promise.all(handles.map((h) => h.executeUpdate(touchUpdate, { args: ['warm'] })));
  const bareBurst = await closedLoop({
    count: burst,
    concurrency: 32,
    op: async (i) => {
      await ctx.temporal.workflow.start(emptyWorkflow, { taskQueue: ctx.baselineTaskQueue, workflowId: `bench-burst-${run}-${i}` });
    },
  });
  const bare = await closedLoop({ count: updates, concurrency: CONCURRENCY, op: async (i) => void (await handles[i]!.executeUpdate(touchUpdate, { args: ['after'] })) });
  await closedLoop({ count: updates, concurrency: 16, op: (i) => handles[i]!.signal(doneSignal) });

  const rows: Array<[string, LoadResult]> = [
    ['API public comment', comment],
    ["API transition 'start'", transition],
    ['bare executeUpdate (echo)', bare],
  ];
  process.stdout.write(
    `\n== after a burst of ${burst} new tickets (updates at concurrency ${CONCURRENCY} right after it; latencies in ms) ==\n` +
      `burst through the API: ${opened.throughput} tickets/s; bare starts: ${bareBurst.throughput}/s\n` +
      table(['operation', 'n', 'ops/s', 'p50', 'p95', 'p99', 'errors'], rows.map(([l, r]) => [l, r.count, r.throughput, r.p50, r.p95, r.p99, r.errors])) +
      '\n\n' +
      table(
        ['ratio vs bare update', 'p50', 'p95', 'p99'],
        [
          ['public comment', ratio(comment.p50, bare.p50), ratio(comment.p95, bare.p95), ratio(comment.p99, bare.p99)],
          ["transition 'start'", ratio(transition.p50, bare.p50), ratio(transition.p95, bare.p95), ratio(transition.p99, bare.p99)],
        ],
      ) +
      '\n\n' +
      `where the updates' time went (${stages.updates} updates, from their tickets' histories; ms):\n` +
      table(
        ['stage', 'p50', 'p99', 'max'],
        [
          ['request to its workflow task scheduled (API, server)', stages.toServer.p50, stages.toServer.p99, stages.toServer.max],
          ['task waiting for a worker (sticky queue, slots)', stages.queue.p50, stages.queue.p99, stages.queue.max],
          ['worker: task started to completed (incl. read-model write)', stages.worker.p50, stages.worker.p99, stages.worker.max],
          ['completed to answer (server, API)', stages.answer.p50, stages.answer.p99, stages.answer.max],
        ],
      ) +
      '\n',
  );
  const file = writeResult('after-burst', { benchmark: 'after-burst', machine: ctx.machine, burst, updates, concurrency: CONCURRENCY, opened, comment, transition, stages, bareBurst, bare }, ctx.startedAt);
  log(`after-burst written to ${file}`);
  return { comment, transition, bare };
}
