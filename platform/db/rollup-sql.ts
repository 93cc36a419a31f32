// The SQL that computes the report roll-ups (daily sums of ticket_facts): the repair that rebuilds them, and the bucket
// bounds the reports read. The triggers that keep them exact were written out by migration 20261125000006, frozen.
/*
 * Each roll-up row holds the sums of the facts rows with one key (UTC creation day and the filter dimensions). Its
 * maintenance is one statement-level trigger per event on ticket_facts (and ticket_ratings): the rows the statement
 * removed count -1, the rows it wrote +1, and the net per key is added with `insert … on conflict do update set n =
 * n + excluded.n`. It runs in the writer's transaction, so a roll-up row is always the sum of the committed facts
 * rows with its key, whatever the path (listener, backfill, bulk SQL). Keys whose sums fall to zero stay as zero rows;
 * the queries skip them (`having … > 0`), exactly as a group with no facts row does not exist in the raw query.
 *
 * No literal question mark anywhere in here: the migration runner and the driver take every one for a parameter.
 */

/** Lower bounds (ms) of the duration histogram's buckets: 1 s, then four per doubling (≈ +19 %) up to about 35 years. Bucket 0 is below 1 s. */
export const MS_BUCKET_BOUNDS: readonly number[] = Array.from({ length: 121 }, (_, i) => Math.round(1000 * 2 ** (i / 4)));
/** `width_bucket(ms, bounds)`: 0 below the first bound, i when bounds[i-1] <= ms < bounds[i] (1-based). */
export const MS_BUCKET_SQL = (col: string) => `width_bucket(${col}, '{${MS_BUCKET_BOUNDS.join(',')}}'::bigint[])`;

const DIMS = `coalesce(s.queue, ''), s.type, s.priority, coalesce(s.assigned_group, ''), s.organisation_id`;
const DIM_COLS = 'queue, type, priority, grp, org';

const CREATED_SUMS: Array<[string, string]> = [
  ['tickets', '1'],
  ['fr_met', `(s.fr_status = 'met')::int`],
  ['fr_breached', `(s.fr_status = 'breached')::int`],
  ['fr_pending', `(s.fr_status = 'pending')::int`],
  ['res_met', `(s.res_status = 'met')::int`],
  ['res_breached', `(s.res_status = 'breached')::int`],
  ['res_pending', `(s.res_status = 'pending')::int`],
  ['fr_n', `(s.fr_business_ms is not null)::int`],
  ['fr_sum', `coalesce(s.fr_business_ms, 0)::numeric`],
  ['res_n', `(s.res_business_ms is not null)::int`],
  ['res_sum', `coalesce(s.res_business_ms, 0)::numeric`],
  // The reopens report counts the tickets that were finished at least once (resolved, closed or reopened).
  ['reopen_base', `(s.resolved_at is not null or s.closed_at is not null or s.reopen_count > 0)::int`],
  ['reopened', `(s.reopen_count > 0)::int`],
  ['reopens', `case when s.resolved_at is not null or s.closed_at is not null or s.reopen_count > 0 then s.reopen_count else 0 end`],
  ['open_n', `(s.state_category not in ('resolved', 'closed'))::int`],
];
const RATING_SUMS: Array<[string, string]> = [
  ['ratings', '(s.rating is not null)::int'],
  ['score_sum', 'coalesce(s.rating, 0)'],
  ...[1, 2, 3, 4, 5].map((n): [string, string] => [`s${n}`, `coalesce(s.rating = ${n}, false)::int`]),
];

/** Upserts the net contribution of `src`: rows with `sg` (+1 or -1) and every ticket_facts column. */
function upsertCreated(src: string): string {
  const sums = [...CREATED_SUMS, ...RATING_SUMS].map(([col, e]) => [col, `sum(s.sg * ${e})`] as const);
  return `insert into report_created_days as r (day, ${DIM_COLS}, ${sums.map(([c]) => c).join(', ')})
    select s.created_day, ${DIMS}, ${sums.map(([, e]) => e).join(', ')}
    from (${src}) s group by 1, 2, 3, 4, 5, 6
    having ${sums.map(([, e]) => `${e} <> 0`).join(' or ')}
    order by 1, 2, 3, 4, 5, 6
    on conflict (day, ${DIM_COLS}) do update set ${sums.map(([c]) => `${c} = r.${c} + excluded.${c}`).join(', ')}`;
}

function upsertResolved(src: string): string {
  return `insert into report_resolved_days as r (day, ${DIM_COLS}, assignee_id, resolved, open_n)
    select s.resolved_day, ${DIMS}, s.assignee_id, sum(s.sg * (s.resolved_at is not null)::int), sum(s.sg * (s.state_category not in ('resolved', 'closed'))::int)
    from (${src}) s group by 1, 2, 3, 4, 5, 6, 7
    having sum(s.sg * (s.resolved_at is not null)::int) <> 0 or sum(s.sg * (s.state_category not in ('resolved', 'closed'))::int) <> 0
    order by 1, 2, 3, 4, 5, 6, 7
    on conflict (day, ${DIM_COLS}, assignee_id) do update set resolved = r.resolved + excluded.resolved, open_n = r.open_n + excluded.open_n`;
}

function upsertEscalations(src: string): string {
  return `insert into report_escalation_days as r (day, ${DIM_COLS}, level, tickets)
    select s.created_day, ${DIMS}, lvl, sum(s.sg) from (${src}) s cross join unnest(s.escalations) lvl
    group by 1, 2, 3, 4, 5, 6, 7 having sum(s.sg) <> 0 order by 1, 2, 3, 4, 5, 6, 7
    on conflict (day, ${DIM_COLS}, level) do update set tickets = r.tickets + excluded.tickets`;
}

/** Histograms of the business times, per day and per ISO week (Monday), for exact medians without sorting every row. */
function upsertDurations(src: string): string {
  return `insert into report_duration_buckets as r (span, start, ${DIM_COLS}, clock, bucket, n)
    select sp.span, sp.start, ${DIMS}, c.clock, ${MS_BUCKET_SQL('c.ms')}, sum(s.sg)
    from (${src}) s
    cross join lateral (values ('fr', s.fr_business_ms), ('res', s.res_business_ms)) c(clock, ms)
    cross join lateral (values ('d', s.created_day), ('w', date_trunc('week', s.created_day::timestamp)::date)) sp(span, start)
    where c.ms is not null
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9 having sum(s.sg) <> 0 order by 1, 2, 3, 4, 5, 6, 7, 8, 9
    on conflict (span, start, ${DIM_COLS}, clock, bucket) do update set n = r.n + excluded.n`;
}

function applyAll(src: string): string[] {
  return [upsertCreated(src), upsertResolved(src), upsertEscalations(src), upsertDurations(src)];
}

export const ROLLUP_TABLES = ['report_created_days', 'report_resolved_days', 'report_escalation_days', 'report_duration_buckets'];

/** Recomputes every roll-up from ticket_facts: a repair, and the tests' check that the triggers kept them exact. */
export function rebuildRollupsSql(): string[] {
  return [`truncate ${ROLLUP_TABLES.join(', ')}`, ...applyAll(`select 1 as sg, f.* from ticket_facts f`)];
}
