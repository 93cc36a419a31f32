// Benchmark 3: the queue (GET /api/tickets, priority then creation date, keyset pages) on a large read model, beside the same SQL run straight on PostgreSQL.
import type { BenchContext } from './lib/context';
import { closedLoop, expectStatus, log, ratio, round, table, writeResult, type LoadResult } from './lib/load';

const PREFIX = 'BENCH-Q-';
const REQUESTER = '00000000-0000-4000-8000-0000000be0c1';
const LIMIT = 50;
/** What TicketRepository.list runs for an unfiltered page (it asks for limit + 1 rows to know whether a next page exists). */
const FIRST_PAGE_SQL = `select * from tickets order by priority_order, created_at, id limit $1`;
const NEXT_PAGE_SQL = `select * from tickets where (priority_order, created_at, id) > ($1, $2, $3) order by priority_order, created_at, id limit $4`;

interface Cursor {
  r: number;
  c: string;
  i: string;
}

/**
 * Seeds `n` rows in one statement: ~5% critical, 15% high, 40% medium, 40% low, created over a year at millisecond precision
 * (the API's cursors carry milliseconds), with the SLA clocks of a real ticket when there is one so rows weigh what real ones do.
 */
async function seed(ctx: BenchContext, n: number): Promise<number> {
  const t0 = performance.now();
  await ctx.pool.query(
    `insert into tickets (id, number, type, title, description, priority, priority_order, state, state_category, queue, assignee_id,
       requester_id, definition_key, definition_version, fields, links, sla, sla_status, sla_due_at, last_seq, created_at, updated_at)
     select gen_random_uuid(), $1::text || g, 'incident', 'Seeded queue ticket ' || g, 'Seeded by bench/queue-listing.ts, row ' || g,
       p.priority, p.priority_order, 'new', 'new', 'service_desk', null, $2::uuid, 'incident', 1, '{}'::jsonb, '[]'::jsonb,
       coalesce((select sla from tickets where number not like $1::text || '%' and sla <> '[]'::jsonb limit 1), '[]'::jsonb),
       'ok', null, 1, t.at, t.at
     from generate_series(1, $3::int) g
     cross join lateral (select case when (g::bigint * 7919) % 100 < 5 then 'critical' when (g::bigint * 7919) % 100 < 20 then 'high'
                                     when (g::bigint * 7919) % 100 < 60 then 'medium' else 'low' end as priority) q
     cross join lateral (select q.priority, case q.priority when 'critical' then 1 when 'high' then 2 when 'medium' then 3 else 4 end::smallint as priority_order) p
     cross join lateral (select timestamptz '2025-01-01 00:00:00+00' + ((g::bigint * 104729) % 31536000000) * interval '1 millisecond' as at) t`,
    [PREFIX, REQUESTER, n],
  );
  await ctx.pool.query('analyze tickets');
  return performance.now() - t0;
}

async function explain(ctx: BenchContext, sql: string, params: unknown[]) {
  const { rows } = await ctx.pool.query(`explain (analyze, buffers, format json) ${sql}`, params);
  const plan = (rows[0] as Record<string, any>)['QUERY PLAN'][0];
  const nodes: string[] = [];
  const walk = (p: any) => {
    nodes.push(`${p['Node Type']}${p['Index Name'] ? ` using ${p['Index Name']}` : ''}`);
    (p.Plans ?? []).forEach(walk);
  };
  walk(plan.Plan);
  return { plan: nodes.join(' > '), executionMs: plan['Execution Time'] as number, sharedHitBlocks: plan.Plan['Shared Hit Blocks'] as number };
}

export async function queueListing(ctx: BenchContext) {
  const n = Number(process.env.BENCH_QUEUE_ROWS ?? (ctx.full ? 1_000_000 : 100_000));
  const depth = Number(process.env.BENCH_QUEUE_DEPTH ?? 200);
  const count = Number(process.env.BENCH_QUEUE_REQUESTS ?? (ctx.full ? 1000 : 300));
  const concurrencies = [1, 8];
  log(`queue-listing: seeding ${n} rows with generate_series`);
  await ctx.pool.query(`delete from tickets where number like $1`, [PREFIX + '%']);
  const seedMs = await seed(ctx, n);
  const { rows: totalRows } = await ctx.pool.query<{ n: string }>('select count(*) as n from tickets');
  const total = Number(totalRows[0].n);
  log(`  seeded in ${(seedMs / 1000).toFixed(1)} s; the table holds ${total} rows`);

  try {
    // Walk `depth` pages through the API to get a deep cursor (the walk itself is timed as a whole, not as a figure).
    const walkStart = performance.now();
    let cursor: string | null = null;
    for (let page = 0; page < depth; page++) {
      const res: { status: number; body: any } = await ctx.admin.get(`/api/tickets?limit=${LIMIT}${cursor ? `&cursor=${cursor}` : ''}`);
      expectStatus(res, 200, 'GET /api/tickets (walk)');
      cursor = res.body.next;
      if (!cursor) throw new Error(`the queue ended after ${page + 1} pages: seed more rows or lower BENCH_QUEUE_DEPTH`);
    }
    const walkMs = performance.now() - walkStart;
    const deep = JSON.parse(Buffer.from(cursor!, 'base64url').toString('utf8')) as Cursor;
    log(`  walked ${depth} pages (${depth * LIMIT} rows deep) in ${(walkMs / 1000).toFixed(1)} s`);

    const cases = {
      firstPage: {
        api: async () => expectStatus(await ctx.admin.get(`/api/tickets?limit=${LIMIT}`), 200, 'first page'),
        sql: async () => {
          await ctx.pool.query(FIRST_PAGE_SQL, [LIMIT + 1]);
        },
      },
      deepPage: {
        api: async () => expectStatus(await ctx.admin.get(`/api/tickets?limit=${LIMIT}&cursor=${cursor}`), 200, 'deep page'),
        sql: async () => {
          await ctx.pool.query(NEXT_PAGE_SQL, [deep.r, deep.c, deep.i, LIMIT + 1]);
        },
      },
    };
    const results: Array<{ page: string; path: 'api' | 'sql'; result: LoadResult }> = [];
    for (const [page, paths] of Object.entries(cases)) {
      for (const concurrency of concurrencies) {
        for (const p of ['api', 'sql'] as const) {
          const result = await closedLoop({ count, concurrency, warmup: 30, op: paths[p] });
          results.push({ page, path: p, result });
          log(`  ${page} ${p} c=${concurrency}: ${result.throughput}/s p50 ${result.p50} ms`);
        }
      }
    }
    const plans = {
      firstPage: await explain(ctx, FIRST_PAGE_SQL, [LIMIT + 1]),
      deepPage: await explain(ctx, NEXT_PAGE_SQL, [deep.r, deep.c, deep.i, LIMIT + 1]),
    };
    const get = (page: string, p: string, c: number) => results.find((r) => r.page === page && r.path === p && r.result.concurrency === c)!.result;
    const ratios = Object.keys(cases).flatMap((page) =>
      concurrencies.map((c) => ({
        page,
        concurrency: c,
        p50ApiOverSql: ratio(get(page, 'api', c).p50, get(page, 'sql', c).p50),
        p95ApiOverSql: ratio(get(page, 'api', c).p95, get(page, 'sql', c).p95),
        throughputApiOverSql: ratio(get(page, 'api', c).throughput, get(page, 'sql', c).throughput),
      })),
    );
    const deepOverFirstApiP50 = ratio(get('deepPage', 'api', 1).p50, get('firstPage', 'api', 1).p50);
    process.stdout.write(
      `\n== queue-listing (${total} rows in tickets, ${n} seeded; pages of ${LIMIT}; deep page = page ${depth + 1}; latencies in ms) ==\n` +
        table(
          ['page', 'path', 'conc', 'n', 'req/s', 'p50', 'p95', 'p99', 'errors'],
          results.map(({ page, path: p, result: r }) => [page, p === 'api' ? 'API GET /api/tickets' : 'same SQL via pg', r.concurrency, r.count, r.throughput, r.p50, r.p95, r.p99, r.errors]),
        ) +
        '\n\n' +
        table(
          ['page', 'conc', 'p50 API/SQL', 'p95 API/SQL', 'tput API/SQL'],
          ratios.map((r) => [r.page, String(r.concurrency), r.p50ApiOverSql, r.p95ApiOverSql, r.throughputApiOverSql]),
        ) +
        `\ndeep/first page API p50 ratio: ${deepOverFirstApiP50} (keyset: depth should not matter)\n` +
        `plan first page: ${plans.firstPage.plan} (${round(plans.firstPage.executionMs, 3)} ms, ${plans.firstPage.sharedHitBlocks} buffers)\n` +
        `plan deep page:  ${plans.deepPage.plan} (${round(plans.deepPage.executionMs, 3)} ms, ${plans.deepPage.sharedHitBlocks} buffers)\n` +
        `seeding ${n} rows + ANALYZE took ${(seedMs / 1000).toFixed(1)} s; walking ${depth} pages through the API took ${(walkMs / 1000).toFixed(1)} s\n`,
    );
    const file = writeResult(
      'queue-listing',
      { benchmark: 'queue-listing', scale: ctx.scale, machine: ctx.machine, seededRows: n, tableRows: total, pageSize: LIMIT, depthPages: depth, seedMs: round(seedMs), walkMs: round(walkMs), results, ratios, deepOverFirstApiP50, plans },
      ctx.startedAt,
    );
    log(`queue-listing written to ${file}`);
    return { results, ratios, plans };
  } finally {
    log('  deleting the seeded rows');
    await ctx.pool.query(`delete from tickets where number like $1`, [PREFIX + '%']);
    await ctx.pool.query('analyze tickets');
  }
}
