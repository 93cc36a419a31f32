// Benchmark: every report (GET /api/reports/<name>, answered from the roll-ups) on a large read model, beside the raw group-by over ticket_facts and a bare count(*) over the same facts rows, plus the rate of the facts backfill from timelines.
import type { BenchContext } from './lib/context';
import { closedLoop, expectStatus, log, ratio, round, table, writeResult, type LoadResult } from './lib/load';

const PREFIX = 'BENCH-R-';
const REQUESTER = '00000000-0000-4000-8000-0000000be0c2';
const QUEUES = ['service_desk', 'network', 'workplace', 'apps', 'security'];
const AGENTS = 40;
const REPORTS = ['sla', 'backlog', 'volume', 'agents', 'reopens', 'escalations', 'satisfaction'] as const;
/** Tickets given a real timeline (events) to time the backfill that rebuilds facts from ticket_events. */
const BACKFILL_SAMPLE = 10_000;

/**
 * Seeds `n` tickets and their facts in bulk SQL: created over a year, ~60 % resolved or closed, SLA outcomes, business
 * times, reopens, escalations and ratings in realistic proportions. The facts are written directly (the listener would
 * take hours for a million tickets through the workflows); a sample gets timelines to time the backfill path.
 */
async function seed(ctx: BenchContext, n: number): Promise<{ ms: number; factsMs: number; ratingsMs: number }> {
  const t0 = performance.now();
  await ctx.pool.query(
    `insert into tickets (id, number, type, title, description, priority, priority_order, state, state_category, queue, assignee_id,
       requester_id, definition_key, definition_version, fields, links, sla, sla_status, sla_due_at, last_seq, created_at, updated_at, resolved_at, closed_at)
     select md5($1 || g)::uuid, $1::text || g, 'incident', 'Seeded report ticket ' || g, '', p.priority, p.o, st.state, st.cat,
       ($4::text[])[(1 + (g * 31) % 5)::int], case when g % 10 < 8 then ('00000000-0000-4000-8000-' || lpad(((g * 13) % $5)::text, 12, '0'))::uuid end,
       $2::uuid, 'incident', 1, '{}', '[]', '[]', 'ok', null, 3, t.at, t.at,
       case when st.cat in ('resolved', 'closed') then t.at + ((g * 7) % 400000) * interval '1 second' end,
       case when st.cat = 'closed' then t.at + ((g * 7) % 400000 + 86400) * interval '1 second' end
     from generate_series(1::bigint, $3::bigint) g
     cross join lateral (select case when (g * 7919) % 100 < 5 then 'critical' when (g * 7919) % 100 < 20 then 'high' when (g * 7919) % 100 < 60 then 'medium' else 'low' end as priority) q
     cross join lateral (select q.priority, (case q.priority when 'critical' then 1 when 'high' then 2 when 'medium' then 3 else 4 end)::smallint as o) p
     cross join lateral (select case when g % 10 < 4 then 'resolved' when g % 10 < 6 then 'closed' when g % 10 < 8 then 'in_progress' else 'new' end as state) s0
     cross join lateral (select s0.state, case s0.state when 'in_progress' then 'open' else s0.state end as cat) st
     cross join lateral (select timestamptz '2025-06-01 00:00:00+00' + ((g * 104729) % 31536000000) * interval '1 millisecond' as at) t`,
    [PREFIX, REQUESTER, n, QUEUES, AGENTS],
  );
  // One INSERT: its statement trigger folds every new facts row into the roll-ups (timed, it is the bulk cost of the triggers).
  const f0 = performance.now();
  await ctx.pool.query(
    `insert into ticket_facts (ticket_id, type, queue, priority, state_category, assignee_id, assigned_group, organisation_id, requester_id,
       created_at, created_day, resolved_day, first_response_at, resolved_at, closed_at, fr_status, res_status, fr_business_ms, res_business_ms, reopen_count, escalations, last_seq)
     select t.id, t.type, t.queue, t.priority, t.state_category, t.assignee_id, null, null, t.requester_id, t.created_at,
       (t.created_at at time zone 'UTC')::date, (t.resolved_at at time zone 'UTC')::date,
       case when h % 10 < 9 then t.created_at + (h % 7200) * interval '1 second' end, t.resolved_at, t.closed_at,
       case when h % 10 >= 9 then 'pending' when h % 7 = 0 then 'breached' else 'met' end,
       case when t.state_category not in ('resolved', 'closed') then 'pending' when h % 5 = 0 then 'breached' else 'met' end,
       case when h % 10 < 9 then (h % 7200) * 1000 end,
       case when t.state_category in ('resolved', 'closed') then (h % 400000) * 1000 end,
       case when h % 17 = 0 then 1 else 0 end,
       case when h % 7 = 0 then array['first_response_breach'] when h % 5 = 0 then array['resolution_warning', 'resolution_breach'] else '{}' end, 3
     from tickets t cross join lateral (select abs(hashtext(t.number)) as h) x where t.number like $1 || '%'`,
    [PREFIX],
  );
  const factsMs = performance.now() - f0;
  await ctx.pool.query(
    `insert into users (id, email, name, role) select ('00000000-0000-4000-8000-' || lpad(g::text, 12, '0'))::uuid, 'bench-agent-' || g || '@bench.test', 'Bench agent ' || g, 'agent'
     from generate_series(0, $1::int - 1) g on conflict do nothing`,
    [AGENTS],
  );
  await ctx.pool.query(`insert into users (id, email, name, role) values ($1, 'bench-requester@bench.test', 'Bench requester', 'customer') on conflict do nothing`, [REQUESTER]);
  const r0 = performance.now();
  await ctx.pool.query(
    `insert into ticket_ratings (ticket_id, rater_id, score) select f.ticket_id, f.requester_id, 1 + abs(hashtext(f.ticket_id::text)) % 5
     from ticket_facts f join tickets t on t.id = f.ticket_id where t.number like $1 || '%' and f.state_category in ('resolved', 'closed') and abs(hashtext(t.number)) % 4 = 0`,
    [PREFIX],
  );
  const ratingsMs = performance.now() - r0;
  // As autovacuum would leave them: statistics and the visibility map (index-only scans) up to date.
  await ctx.pool.query('vacuum analyze tickets');
  await ctx.pool.query('vacuum analyze ticket_facts');
  await ctx.pool.query('vacuum analyze ticket_ratings');
  for (const t of ['report_created_days', 'report_resolved_days', 'report_escalation_days', 'report_duration_buckets']) await ctx.pool.query(`vacuum analyze ${t}`);
  return { ms: performance.now() - t0, factsMs, ratingsMs };
}

/** Gives a sample of seeded tickets a timeline (created, first answer, resolve), drops their facts and times the backfill that rebuilds them. */
async function backfillRate(ctx: BenchContext): Promise<{ tickets: number; ms: number; perSecond: number }> {
  const sample = `select id, created_at, resolved_at from tickets where number like '${PREFIX}%' order by number limit ${BACKFILL_SAMPLE}`;
  await ctx.pool.query(
    `insert into ticket_events (ticket_id, seq, type, actor_id, actor_role, visibility, at, data)
     select s.id, 1, 'created', null::uuid, 'customer', 'public', s.created_at, '{}'::jsonb from (${sample}) s
     union all select s.id, 2, 'commented', null::uuid, 'agent', 'public', s.created_at + interval '10 minutes', '{"body":"on it"}'::jsonb from (${sample}) s
     union all select s.id, 3, 'transitioned', null::uuid, 'agent', 'public', coalesce(s.resolved_at, s.created_at + interval '1 hour'), '{"transition":"start","from":"new","to":"in_progress"}'::jsonb from (${sample}) s
     on conflict do nothing`,
  );
  await ctx.pool.query(`delete from ticket_facts where ticket_id in (select id from (${sample}) s)`);
  const { backfillTicketFacts } = await import('../activities/report-facts');
  const { openOrm } = await import('../platform/db/orm');
  const orm = await openOrm(ctx.databaseUrl, { poolMax: 2 });
  try {
    const t0 = performance.now();
    const tickets = await backfillTicketFacts(orm.em);
    const ms = performance.now() - t0;
    return { tickets, ms: round(ms), perSecond: round((tickets / ms) * 1000) };
  } finally {
    await orm.close();
  }
}

export async function reportsBench(ctx: BenchContext) {
  const n = Number(process.env.BENCH_REPORT_ROWS ?? (ctx.full ? 1_000_000 : 100_000));
  const count = Number(process.env.BENCH_REPORT_REQUESTS ?? 20);
  log(`reports: seeding ${n} tickets and their facts with generate_series`);
  await ctx.pool.query(`delete from tickets where number like $1`, [PREFIX + '%']);
  const seeded = await seed(ctx, n);
  const seedMs = seeded.ms;
  const { rows } = await ctx.pool.query<{ n: string }>('select count(*) as n from ticket_facts');
  const facts = Number(rows[0].n);
  const rollupRows = (await ctx.pool.query<{ t: string; n: string }>(
    `select 'created' as t, count(*) as n from report_created_days union all select 'resolved', count(*) from report_resolved_days
     union all select 'escalations', count(*) from report_escalation_days union all select 'durations', count(*) from report_duration_buckets`,
  )).rows.map((r) => `${r.t} ${r.n}`).join(', ');
  log(`  seeded in ${(seedMs / 1000).toFixed(1)} s; ticket_facts holds ${facts} rows; the facts INSERT with its roll-up trigger took ${(seeded.factsMs / 1000).toFixed(1)} s, the ratings INSERT (copied onto the facts) ${(seeded.ratingsMs / 1000).toFixed(1)} s; roll-up rows: ${rollupRows}`);
  const { openOrm } = await import('../platform/db/orm');
  const { ReportService } = await import('../api/modules/reports/service');
  const orm = await openOrm(ctx.databaseUrl, { poolMax: 4 });
  const rawService = new ReportService(orm.em, { rollups: false });
  const benchAdmin = { id: REQUESTER, email: 'bench@bench.test', name: 'bench', role: 'admin' as const, locale: 'en', organisationId: null, via: 'token' as const, csrfToken: '' };
  const rawCount = Number(process.env.BENCH_REPORT_RAW_REQUESTS ?? 3);
  try {
    const backfill = await backfillRate(ctx);
    log(`  backfill: ${backfill.tickets} tickets' facts rebuilt from their timelines in ${backfill.ms} ms`);
    // Two periods: the whole year (every row) and the last 30 days of the seeded year.
    const periods = { year: '', month: '&from=2026-05-01&to=2026-05-31' };
    const results: Array<{ report: string; period: string; result: LoadResult; raw: LoadResult }> = [];
    const baselines: Record<string, LoadResult> = {};
    for (const [period, q] of Object.entries(periods)) {
      const where = period === 'year' ? '' : `where created_at >= '2026-05-01' and created_at < '2026-06-01'`;
      baselines[period] = await closedLoop({ count, concurrency: 1, warmup: 2, op: async () => void (await ctx.pool.query(`select count(*) from ticket_facts ${where}`)) });
      log(`  baseline count(*) ${period}: p50 ${baselines[period].p50} ms`);
      for (const name of REPORTS) {
        const result = await closedLoop({
          count,
          concurrency: 1,
          warmup: 2,
          op: async () => expectStatus(await ctx.admin.get(`/api/reports/${name}?granularity=week${q}`), 200, `GET /api/reports/${name}`),
        });
        // The same report through the raw group-by (the path before the roll-ups), in-process: fewer runs, it is slow at scale.
        const query = Object.fromEntries(new URLSearchParams(`granularity=week${q}`)) as never;
        const raw = await closedLoop({ count: rawCount, concurrency: 1, warmup: 1, op: async () => void (await rawService.run(name, query, benchAdmin)) });
        if (raw.errors) throw new Error(`raw ${name} ${period}: ${raw.firstError}`);
        results.push({ report: name, period, result, raw });
        log(`  ${name} ${period}: p50 ${result.p50} ms p95 ${result.p95} ms (raw group-by p50 ${raw.p50} ms)`);
      }
    }
    const rowsOut = results.map(({ report, period, result: r, raw }) => [report, period, r.count, r.p50, r.p95, r.max, raw.p50, raw.p95, baselines[period].p50, ratio(r.p50, baselines[period].p50), r.errors]);
    process.stdout.write(
      `\n== reports (${facts} rows in ticket_facts, ${n} seeded; API at concurrency 1; latencies in ms) ==\n` +
        table(['report', 'period', 'n', 'p50', 'p95', 'max', 'raw p50', 'raw p95', 'count(*) p50', 'p50 / count(*)', 'errors'], rowsOut) +
        `\nseeding ${n} tickets + facts + ANALYZE took ${(seedMs / 1000).toFixed(1)} s (facts INSERT through the roll-up trigger ${(seeded.factsMs / 1000).toFixed(1)} s, ratings ${(seeded.ratingsMs / 1000).toFixed(1)} s; roll-up rows: ${rollupRows}); ` +
        `backfill from timelines: ${backfill.tickets} tickets in ${backfill.ms} ms (${backfill.perSecond}/s)\n`,
    );
    const file = writeResult('reports', { benchmark: 'reports', scale: ctx.scale, machine: ctx.machine, seededRows: n, factRows: facts, seedMs: round(seedMs), factsTriggerMs: round(seeded.factsMs), ratingsMs: round(seeded.ratingsMs), rollupRows, backfill, baselines, results }, ctx.startedAt);
    log(`reports written to ${file}`);
    return { results, baselines, backfill };
  } finally {
    await orm.close();
    log('  deleting the seeded rows');
    await ctx.pool.query(`delete from tickets where number like $1`, [PREFIX + '%']);
    await ctx.pool.query('analyze tickets');
  }
}
