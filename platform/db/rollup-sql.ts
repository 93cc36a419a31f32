// The SQL that keeps the report roll-ups (daily sums of ticket_facts) exact: shared by the migration's triggers and backfill.
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

const FACTS_NEW = `select 1 as sg, n.* from facts_new n`;
const FACTS_OLD = `select -1 as sg, o.* from facts_old o`;
/** Copies the ratings of these tickets onto their facts rows (whose update trigger then moves the rating's sums). */
const COPY_RATING = (table: string) =>
  `update ticket_facts f set rating = (select r.score from ticket_ratings r where r.ticket_id = f.ticket_id)
   where f.ticket_id in (select ticket_id from ${table}) and f.rating is distinct from (select r.score from ticket_ratings r where r.ticket_id = f.ticket_id)`;

const fn = (name: string, body: string[]) => `create function ${name}() returns trigger language plpgsql as $fn$
begin
  ${body.map((s) => `${s};`).join('\n  ')}
  return null;
end $fn$`;

export const ROLLUP_TABLES = ['report_created_days', 'report_resolved_days', 'report_escalation_days', 'report_duration_buckets'];

/** Statements of the migration's up(): tables, trigger functions, triggers and the backfill from existing facts. */
export function rollupUpSql(): string[] {
  const dimCols = `queue text not null, type text not null, priority text not null, grp text not null, org uuid`;
  const counts = [...CREATED_SUMS, ...RATING_SUMS].map(([c]) => `${c} ${c.endsWith('_sum') ? 'numeric' : 'bigint'} not null default 0`).join(', ');
  return [
    `alter table ticket_facts add column rating smallint`,
    `update ticket_facts f set rating = r.score from ticket_ratings r where r.ticket_id = f.ticket_id`,
    `create table report_created_days (day date not null, ${dimCols}, ${counts})`,
    `create unique index report_created_days_key on report_created_days (day, ${DIM_COLS}) nulls not distinct`,
    `create table report_resolved_days (day date, ${dimCols}, assignee_id uuid, resolved bigint not null default 0, open_n bigint not null default 0)`,
    `create unique index report_resolved_days_key on report_resolved_days (day, ${DIM_COLS}, assignee_id) nulls not distinct`,
    `create table report_escalation_days (day date not null, ${dimCols}, level text not null, tickets bigint not null default 0)`,
    `create unique index report_escalation_days_key on report_escalation_days (day, ${DIM_COLS}, level) nulls not distinct`,
    `create table report_duration_buckets (span text not null check (span in ('d', 'w')), start date not null, ${dimCols}, clock text not null check (clock in ('fr', 'res')), bucket int not null, n bigint not null default 0)`,
    `create unique index report_duration_buckets_key on report_duration_buckets (span, start, ${DIM_COLS}, clock, bucket) nulls not distinct`,
    // Median lookups read the facts of one histogram bucket.
    `create index ticket_facts_fr_ms_idx on ticket_facts (fr_business_ms) where fr_business_ms is not null`,
    `create index ticket_facts_res_ms_idx on ticket_facts (res_business_ms) where res_business_ms is not null`,
    fn('report_rollups_facts_ins', applyAll(FACTS_NEW)),
    fn('report_rollups_facts_del', applyAll(FACTS_OLD)),
    fn('report_rollups_facts_upd', applyAll(`${FACTS_OLD} union all ${FACTS_NEW}`)),
    // The satisfaction sums need the rating on the facts row itself: then a deleted ticket's row (old table) still
    // carries it, whichever of its facts and rating rows the cascade removes first.
    `create function report_rollups_facts_rating() returns trigger language plpgsql as $fn$
begin
  new.rating := (select r.score from ticket_ratings r where r.ticket_id = new.ticket_id);
  return new;
end $fn$`,
    fn('report_rollups_ratings_new', [COPY_RATING('ratings_new')]),
    fn('report_rollups_ratings_old', [COPY_RATING('ratings_old')]),
    fn('report_rollups_facts_truncate', [`truncate ${ROLLUP_TABLES.join(', ')}`]),
    fn('report_rollups_ratings_truncate', [`update ticket_facts set rating = null where rating is not null`]),
    `create trigger report_rollups_ins after insert on ticket_facts referencing new table as facts_new for each statement execute function report_rollups_facts_ins()`,
    `create trigger report_rollups_del after delete on ticket_facts referencing old table as facts_old for each statement execute function report_rollups_facts_del()`,
    `create trigger report_rollups_upd after update on ticket_facts referencing old table as facts_old new table as facts_new for each statement execute function report_rollups_facts_upd()`,
    `create trigger report_rollups_truncate after truncate on ticket_facts for each statement execute function report_rollups_facts_truncate()`,
    `create trigger report_rollups_rating before insert on ticket_facts for each row execute function report_rollups_facts_rating()`,
    `create trigger report_rollups_ratings_ins after insert on ticket_ratings referencing new table as ratings_new for each statement execute function report_rollups_ratings_new()`,
    `create trigger report_rollups_ratings_del after delete on ticket_ratings referencing old table as ratings_old for each statement execute function report_rollups_ratings_old()`,
    `create trigger report_rollups_ratings_upd after update on ticket_ratings referencing new table as ratings_new for each statement execute function report_rollups_ratings_new()`,
    `create trigger report_rollups_ratings_truncate after truncate on ticket_ratings for each statement execute function report_rollups_ratings_truncate()`,
    ...rebuildRollupsSql(),
  ];
}

/** Recomputes every roll-up from ticket_facts (the migration's backfill; also a repair). */
export function rebuildRollupsSql(): string[] {
  return [`truncate ${ROLLUP_TABLES.join(', ')}`, ...applyAll(`select 1 as sg, f.* from ticket_facts f`)];
}

export function rollupDownSql(): string[] {
  return [
    ...['ins', 'del', 'upd', 'truncate', 'rating'].map((e) => `drop trigger if exists report_rollups_${e} on ticket_facts`),
    ...['ins', 'del', 'upd', 'truncate'].map((e) => `drop trigger if exists report_rollups_ratings_${e} on ticket_ratings`),
    ...['facts_ins', 'facts_del', 'facts_upd', 'facts_truncate', 'facts_rating', 'ratings_new', 'ratings_old', 'ratings_truncate'].map((f) => `drop function if exists report_rollups_${f}()`),
    'drop index if exists ticket_facts_fr_ms_idx',
    'drop index if exists ticket_facts_res_ms_idx',
    `drop table if exists ${ROLLUP_TABLES.join(', ')}`,
    'alter table ticket_facts drop column if exists rating',
  ];
}
