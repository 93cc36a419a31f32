// Answers the reports from the daily roll-ups (rollup-sql.ts) when that is exact: an admin's report over whole UTC days. Same figures as the raw group-by, in a fraction of the rows.
import type { ReportQuery, Dimension } from './schemas';
import { AGE_BANDS_SQL_BAND, dayBucket, Where } from './sql-parts';
import { MS_BUCKET_BOUNDS } from '../../../platform/db/rollup-sql';

type Exec = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

/** The period as UTC days [from, to), or null when an end is not a day boundary (then only the raw query is exact). */
export function wholeDays(fromInstant: string | null, toInstant: string | null): { from: string | null; to: string | null } | null {
  const day = (v: string | null) => (v === null ? null : v.endsWith('T00:00:00.000Z') ? v.slice(0, 10) : undefined);
  const from = day(fromInstant);
  const to = day(toInstant);
  return from === undefined || to === undefined ? null : { from, to };
}

/** Roll-up conditions on alias r, whose keys hold '' for a missing queue or group (like the raw grouping's coalesce). */
function dims(q: ReportQuery): Where {
  const w = new Where();
  if (q.queue) w.add('r.queue = ?', q.queue);
  if (q.type) w.add('r.type = ?', q.type);
  if (q.priority) w.add('r.priority = ?', q.priority);
  if (q.group) w.add('r.grp = ?', q.group);
  if (q.organisation) w.add('r.org = ?::uuid', q.organisation);
  return w;
}

function inDays(w: Where, col: string, days: { from: string | null; to: string | null }): Where {
  if (days.from) w.add(`${col} >= ?::date`, days.from);
  if (days.to) w.add(`${col} < ?::date`, days.to);
  return w;
}

/** The roll-up's grouping expression and label for a dimension (the raw query's, over r's columns). */
export function rollupDim(by: Dimension | undefined, granularity: string, dayCol = 'r.day'): { group: string; label: string } {
  switch (by) {
    case undefined:
      return { group: '', label: `''` };
    case 'queue':
      return { group: 'r.queue', label: 'r.queue' };
    case 'priority':
      return { group: 'r.priority', label: 'r.priority' };
    case 'type':
      return { group: 'r.type', label: 'r.type' };
    case 'group':
      return { group: 'r.grp', label: 'r.grp' };
    case 'organisation':
      return { group: `coalesce(r.org::text, '')`, label: `coalesce(r.org::text, '')` };
    case 'slaPolicy':
      throw new Error('the roll-ups have no SLA policy: the report takes the raw query (rollupDays)');
    case 'period': {
      const b = dayBucket(dayCol, granularity);
      return { group: b, label: `to_char(${b}, 'YYYY-MM-DD')` };
    }
  }
}

const addDays = (day: string, n: number): string => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};
/** The Monday on or after / on or before a day. */
const mondayOnOrAfter = (day: string) => addDays(day, (8 - new Date(`${day}T00:00:00Z`).getUTCDay()) % 7);
const mondayOnOrBefore = (day: string) => addDays(day, -((new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7));

export interface MedianSource {
  /** Raw conditions on t (visibility, filters, period) and their parameters, exactly as the raw query's. */
  factsWhere: string;
  factsParams: unknown[];
  /** The raw label of the grouping over t. */
  factsLabel: string;
}

/**
 * Exact percentile_cont(0.5) of fr/res business ms per group: the histogram (whole ISO weeks inside the period from
 * the weekly rows, the edge days from the daily rows) gives each group's count and the bucket that holds each middle
 * rank; then only the facts of those buckets are read (index on the business ms) and ranked, and the two middle values
 * interpolated the way percentile_cont does (lo + (hi − lo) × fraction, in float8).
 */
export async function rollupMedians(exec: Exec, q: ReportQuery, days: { from: string | null; to: string | null }, by: Dimension | undefined, granularity: string, src: MedianSource) {
  const dim = rollupDim(by, granularity, 'r.start');
  const w = dims(q);
  const dailyOnly = by === 'period' && granularity === 'day';
  if (dailyOnly) inDays(w.add(`r.span = 'd'`), 'r.start', days);
  else {
    // Whole weeks [A, B) from the weekly rows, every other day of the period from the daily rows.
    const a = days.from ? mondayOnOrAfter(days.from) : null;
    const b = days.to ? mondayOnOrBefore(days.to) : null;
    const weeks = new Where().add(`r.span = 'w'`);
    if (a) weeks.add('r.start >= ?::date', a);
    if (b) weeks.add('r.start < ?::date', b);
    const daily = inDays(new Where().add(`r.span = 'd'`), 'r.start', days);
    const outside = [a ? 'r.start < ?::date' : null, b ? 'r.start >= ?::date' : null].filter((c): c is string => c !== null);
    if (outside.length) daily.add(outside.join(' or '), ...(a ? [a] : []), ...(b ? [b] : []));
    else daily.add('false');
    w.add(`(${weeks.sql}) or (${daily.sql})`, ...weeks.params, ...daily.params);
  }
  const hist = await exec(
    `select ${dim.label} as key, r.clock, r.bucket, sum(r.n)::bigint as n from report_duration_buckets r where ${w.sql}
     group by ${dim.group ? `${dim.group}, ` : ''}r.clock, r.bucket having sum(r.n) > 0 order by 1, 2, 3`,
    w.params,
  );
  const groups = new Map<string, Array<{ bucket: number; n: number }>>();
  for (const h of hist) {
    const k = `${String(h.clock)}\u0000${String(h.key)}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push({ bucket: Number(h.bucket), n: Number(h.n) });
  }
  // For each group and clock: the 0-based ranks percentile_cont reads, and where each falls.
  const needs: Array<{ key: string; clock: string; bucket: number; rn: number }> = [];
  const plan = new Map<string, { ranks: [number, number]; frac: number; at: Array<{ bucket: number; rn: number }> }>();
  for (const [k, buckets] of groups) {
    const [clock, key] = k.split('\u0000');
    const total = buckets.reduce((s, b) => s + b.n, 0);
    const pos = 0.5 * (total - 1);
    const ranks: [number, number] = [Math.floor(pos), Math.ceil(pos)];
    const at = ranks.map((rank) => {
      let before = 0;
      for (const b of buckets) {
        if (rank < before + b.n) return { bucket: b.bucket, rn: rank - before + 1 };
        before += b.n;
      }
      throw new Error('rank beyond the histogram');
    });
    plan.set(k, { ranks, frac: pos - ranks[0], at });
    for (const x of at) needs.push({ key, clock, bucket: x.bucket, rn: x.rn });
  }
  const out = new Map<string, { fr_median: number | null; res_median: number | null }>();
  if (!needs.length) return out;
  const distinct = [...new Map(needs.map((n) => [`${n.clock}:${n.bucket}`, n])).values()];
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const n of distinct) {
    const col = n.clock === 'fr' ? 't.fr_business_ms' : 't.res_business_ms';
    const range: string[] = [`${col} is not null`];
    const rp: unknown[] = [];
    if (n.bucket > 0) {
      range.push(`${col} >= ?`);
      rp.push(MS_BUCKET_BOUNDS[n.bucket - 1]);
    }
    if (n.bucket < MS_BUCKET_BOUNDS.length) {
      range.push(`${col} < ?`);
      rp.push(MS_BUCKET_BOUNDS[n.bucket]);
    }
    parts.push(
      `select ${src.factsLabel} as key, '${n.clock}' as clock, ${n.bucket} as bucket, ${col} as ms,
         row_number() over (partition by ${src.factsLabel} order by ${col}) as rn
       from ticket_facts t where (${src.factsWhere}) and ${range.join(' and ')}`,
    );
    params.push(...src.factsParams, ...rp);
  }
  const values = await exec(
    `select x.key, x.clock, x.bucket, x.rn, x.ms from (${parts.join(' union all ')}) x
     join jsonb_to_recordset(?::jsonb) nd(key text, clock text, bucket int, rn bigint) on nd.key = x.key and nd.clock = x.clock and nd.bucket = x.bucket and nd.rn = x.rn`,
    [...params, JSON.stringify(needs)],
  );
  const valueOf = new Map(values.map((v) => [`${String(v.clock)}\u0000${String(v.key)}\u0000${Number(v.bucket)}\u0000${Number(v.rn)}`, Number(v.ms)]));
  for (const [k, p] of plan) {
    const [clock, key] = k.split('\u0000');
    const [lo, hi] = p.at.map((x) => valueOf.get(`${clock}\u0000${key}\u0000${x.bucket}\u0000${x.rn}`));
    if (lo === undefined || hi === undefined) throw new Error(`median values missing for ${clock} ${key}`);
    const m = p.ranks[0] === p.ranks[1] ? lo : lo + (hi - lo) * p.frac;
    const entry = out.get(key) ?? { fr_median: null, res_median: null };
    if (clock === 'fr') entry.fr_median = m;
    else entry.res_median = m;
    out.set(key, entry);
  }
  return out;
}

/** The roll-up queries of the reports other than the medians; each returns the raw query's rows (same columns, order and groups). */
export function rollupQueries(q: ReportQuery, days: { from: string | null; to: string | null }, by: Dimension | undefined, granularity: string) {
  const dim = rollupDim(by, granularity);
  const groupBy = (...more: string[]) => {
    const keys = [...more, ...(dim.group ? [dim.group] : [])];
    return keys.length ? `group by ${keys.join(', ')}` : '';
  };
  // A group exists in the raw query when a facts row is in it; without a grouping, the raw aggregate always has its one row.
  const having = (cond: string) => (dim.group ? `having ${cond}` : '');
  const created = () => inDays(dims(q), 'r.day', days);
  return {
    sla() {
      const w = created();
      return {
        sql: `select ${dim.label} as key, sum(r.tickets)::int as tickets, sum(r.fr_met)::int as fr_met, sum(r.fr_breached)::int as fr_breached,
            sum(r.fr_pending)::int as fr_pending, sum(r.res_met)::int as res_met, sum(r.res_breached)::int as res_breached, sum(r.res_pending)::int as res_pending,
            (sum(r.fr_sum) / nullif(sum(r.fr_n), 0))::float8 as fr_mean, (sum(r.res_sum) / nullif(sum(r.res_n), 0))::float8 as res_mean
          from report_created_days r where ${w.sql} ${groupBy()} ${having('sum(r.tickets) > 0')}`,
        params: w.params,
      };
    },
    reopens() {
      const w = created();
      return {
        sql: `select ${dim.label} as key, sum(r.reopen_base)::int as resolved, sum(r.reopened)::int as reopened, sum(r.reopens)::int as reopens
          from report_created_days r where ${w.sql} ${groupBy()} ${having('sum(r.reopen_base) > 0')} order by 1`,
        params: w.params,
      };
    },
    satisfaction() {
      const w = created();
      return {
        sql: `select ${dim.label} as key, sum(r.ratings)::int as ratings, (sum(r.score_sum) / nullif(sum(r.ratings), 0))::float8 as average,
            ${[1, 2, 3, 4, 5].map((s) => `sum(r.s${s})::int as s${s}`).join(', ')}
          from report_created_days r where ${w.sql} ${groupBy()} ${having('sum(r.ratings) > 0')} order by 1`,
        params: w.params,
      };
    },
    escalations() {
      const w = inDays(dims(q), 'r.day', days);
      return {
        sql: `select r.level, ${dim.label} as key, sum(r.tickets)::int as tickets from report_escalation_days r where ${w.sql}
          ${groupBy('r.level')} having sum(r.tickets) > 0 order by 1, 2`,
        params: w.params,
      };
    },
    volume() {
      const c = created();
      const r = inDays(dims(q), 'r.day', days).add('r.day is not null');
      return {
        sql: `with c as (select ${dayBucket('r.day', granularity)} as b, sum(r.tickets)::int as n from report_created_days r where ${c.sql} group by 1 having sum(r.tickets) > 0),
                r as (select ${dayBucket('r.day', granularity)} as b, sum(r.resolved)::int as n from report_resolved_days r where ${r.sql} group by 1 having sum(r.resolved) > 0)
           select to_char(coalesce(c.b, r.b), 'YYYY-MM-DD') as bucket, coalesce(c.n, 0) as created, coalesce(r.n, 0) as resolved
           from c full join r on r.b = c.b order by coalesce(c.b, r.b)`,
        params: [...c.params, ...r.params],
      };
    },
    agentSeries() {
      const w = inDays(dims(q), 'r.day', days).add('r.assignee_id is not null and r.day is not null');
      const bucket = dayBucket('r.day', granularity);
      return {
        sql: `select a.assignee_id, coalesce(u.name, '') as name, to_char(a.b, 'YYYY-MM-DD') as bucket, a.resolved from (
            select r.assignee_id, ${bucket} as b, sum(r.resolved)::int as resolved from report_resolved_days r where ${w.sql}
            group by r.assignee_id, ${bucket} having sum(r.resolved) > 0) a
          left join users u on u.id = a.assignee_id order by a.b, 2`,
        params: w.params,
      };
    },
    agents() {
      const w = dims(q).add('r.assignee_id is not null');
      const period = inDays(new Where().add('r.day is not null'), 'r.day', days);
      return {
        sql: `select a.assignee_id, coalesce(u.name, '') as name, a.open, a.resolved from (
            select r.assignee_id, sum(r.open_n)::int as open, coalesce(sum(r.resolved) filter (where ${period.sql}), 0)::int as resolved
            from report_resolved_days r where ${w.sql} group by 1
            having sum(r.open_n) > 0 or coalesce(sum(r.resolved) filter (where ${period.sql}), 0) > 0) a
          left join users u on u.id = a.assignee_id order by a.open desc, a.resolved desc, 2`,
        params: [...period.params, ...w.params, ...period.params],
      };
    },
    /**
     * Open tickets by age band: a day holding none of the band thresholds (now() − 1, 3, 7, 30 days) has all its tickets
     * in one band, so it is read from the roll-up; the (at most four) days that hold a threshold are read from the facts.
     */
    backlog(facts: { where: string; params: unknown[] }) {
      const w = created();
      const dirty = `array[${AGE_BANDS_SQL_BAND.thresholds.map((i) => `((now() - interval '${i}') at time zone 'UTC')::date`).join(', ')}]`;
      const dirtyRanges = AGE_BANDS_SQL_BAND.thresholds
        .map((i) => {
          const d = `(((now() - interval '${i}') at time zone 'UTC')::date::timestamp at time zone 'UTC')`;
          return `(t.created_at >= ${d} and t.created_at < ${d} + interval '1 day')`;
        })
        .join(' or ');
      return {
        sql: `select x.age_band, x.priority, sum(x.n)::int as tickets from (
            select ${AGE_BANDS_SQL_BAND.band(`(r.day::timestamp at time zone 'UTC')`)} as age_band, r.priority, sum(r.open_n) as n
            from report_created_days r where ${w.sql} and r.day <> all(${dirty}) group by 1, 2
            union all
            select ${AGE_BANDS_SQL_BAND.band('t.created_at')}, t.priority, count(*) from ticket_facts t
            where (${facts.where}) and (${dirtyRanges}) group by 1, 2) x
          group by 1, 2 having sum(x.n) > 0`,
        params: [...w.params, ...facts.params],
      };
    },
  };
}
