// Computes each report as one grouped query over ticket_facts (see activities/report-facts.ts), limited to the tickets the caller may see, and lists the tickets behind a figure.
import type { EntityManager } from '@mikro-orm/postgresql';
import { csv } from '../../http/csv';
import type { AuthUser } from '../auth/types';
import type { Dimension, DrillQuery, ReportName, ReportQuery } from './schemas';
import { AGE_BANDS, AGE_BANDS_SQL_BAND, dayBucket, Where } from './sql-parts';
import { DEFAULT_BY, dimension, FINISHED, inPeriod, instant, scoped, timeGrouping, type Dim } from './scope';
import { drillTickets } from './drill';
import { rollupMedians, rollupQueries, wholeDays } from './rollups';

export type Row = Record<string, string | number | null>;
export interface Report {
  report: ReportName;
  generatedAt: string;
  filters: Record<string, string>;
  columns: string[];
  rows: Array<Row & { drill: string }>;
}

const PRIORITY_RANK: Record<string, number> = { critical: 1, high: 2, medium: 3, low: 4 };

function percent(part: number, whole: number): number | null {
  return whole ? Math.round((part / whole) * 1000) / 10 : null;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Math.round(Number(v)));

export interface ReportOptions {
  /** false: always the raw group-by over ticket_facts (the tests compare both paths). */
  rollups?: boolean;
}

export class ReportService {
  constructor(
    private readonly em: EntityManager,
    private readonly options: ReportOptions = {},
  ) {}

  /**
   * The period as whole UTC days when the roll-ups answer exactly: an admin's report (every ticket visible) whose ends
   * are absent or at midnight UTC. Anything else (agents' visibility, instants inside a day) takes the raw query.
   */
  private rollupDays(q: ReportQuery, user: AuthUser): { from: string | null; to: string | null } | null {
    // The roll-ups are grouped by the ticket's own columns; an SLA policy is not one of them.
    if (this.options.rollups === false || user.role !== 'admin' || q.by === 'slaPolicy') return null;
    return wholeDays(q.from ? instant(q.from, false) : null, q.to ? instant(q.to, true) : null);
  }

  private async rows(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    return this.em.fork().execute(sql, params);
  }

  private filtersOf(q: ReportQuery): Record<string, string> {
    const out: Record<string, string> = {};
    for (const k of ['from', 'to', 'queue', 'type', 'priority', 'group', 'organisation', 'granularity', 'by'] as const) {
      const v = q[k];
      if (v !== undefined) out[k] = String(v);
    }
    return out;
  }

  private drillLink(name: ReportName, filters: Record<string, string>, extra: Record<string, string | null | undefined>): string {
    const p = new URLSearchParams(filters);
    for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== null) p.set(k, v);
    return `/api/reports/${name}/tickets?${p.toString()}`;
  }

  async run(name: ReportName, q: ReportQuery, user: AuthUser): Promise<Report> {
    const granularity = q.granularity ?? 'day';
    const by = q.by ?? DEFAULT_BY[name];
    const query: ReportQuery = { ...q, granularity, ...(by ? { by } : {}) };
    const filters = this.filtersOf(query);
    const link = (extra: Record<string, string | null | undefined>) => this.drillLink(name, filters, extra);
    const built = await this.compute(name, query, user, by, granularity);
    return {
      report: name,
      generatedAt: new Date().toISOString(),
      filters,
      columns: built.columns,
      rows: built.rows.map((r) => ({ ...r, drill: link(built.drill(r)) })),
    };
  }

  private async compute(name: ReportName, q: ReportQuery, user: AuthUser, by: Dimension | undefined, granularity: string) {
    const dim: Dim = by ? dimension(by, granularity) : { group: '', label: `''` };
    const groupBy = (...more: string[]) => {
      const keys = [...more, ...(dim.group ? [dim.group] : [])];
      return keys.length ? `group by ${keys.join(', ')}` : '';
    };
    const keyed = (r: Row) => ({ key: String(r.key ?? '') });
    const days = this.rollupDays(q, user);
    const rollup = days ? rollupQueries(q, days, by, granularity) : null;
    const exec = (x: { sql: string; params: unknown[] }) => this.rows(x.sql, x.params);
    switch (name) {
      case 'sla': {
        const w = scoped(q, user, 't.created_at');
        const countsSql = {
          sql: `select ${dim.label} as key, count(*)::int as tickets,
               count(*) filter (where t.fr_status = 'met')::int as fr_met, count(*) filter (where t.fr_status = 'breached')::int as fr_breached,
               count(*) filter (where t.fr_status = 'pending')::int as fr_pending,
               count(*) filter (where t.res_status = 'met')::int as res_met, count(*) filter (where t.res_status = 'breached')::int as res_breached,
               count(*) filter (where t.res_status = 'pending')::int as res_pending,
               avg(t.fr_business_ms)::float8 as fr_mean, avg(t.res_business_ms)::float8 as res_mean
             from ticket_facts t where ${w.sql} ${groupBy()}`,
          params: w.params,
        };
        const rawMedians = async () =>
          new Map(
            (
              await this.rows(
                `select ${dim.label} as key, percentile_cont(0.5) within group (order by t.fr_business_ms) as fr_median,
                   percentile_cont(0.5) within group (order by t.res_business_ms) as res_median
                 from ticket_facts t where ${w.sql} and (t.fr_business_ms is not null or t.res_business_ms is not null) ${groupBy()}`,
                w.params,
              )
            ).map((m) => [String(m.key), m as { fr_median?: unknown; res_median?: unknown }]),
          );
        // Medians need a sort per group (or, from the roll-ups, a histogram and the facts of a few buckets): they get their own query.
        const [counts, medianOf] = await Promise.all([
          exec(rollup ? rollup.sla() : countsSql),
          days ? rollupMedians((sql, params) => this.rows(sql, params), q, days, by, granularity, { factsWhere: w.sql, factsParams: w.params, factsLabel: dim.label }) : rawMedians(),
        ]);
        const raw: Record<string, unknown>[] = counts
          .map((c): Record<string, unknown> => ({ ...c, fr_median: medianOf.get(String(c.key))?.fr_median ?? null, res_median: medianOf.get(String(c.key))?.res_median ?? null }))
          .sort((a, b) => (String(a.key) < String(b.key) ? -1 : String(a.key) > String(b.key) ? 1 : 0));
        const rows: Row[] = raw.map((r) => {
          const [fm, fb, rm, rb] = [Number(r.fr_met), Number(r.fr_breached), Number(r.res_met), Number(r.res_breached)];
          return {
            key: String(r.key),
            tickets: Number(r.tickets),
            frMet: fm,
            frBreached: fb,
            frPending: Number(r.fr_pending),
            frCompliancePct: percent(fm, fm + fb),
            resMet: rm,
            resBreached: rb,
            resPending: Number(r.res_pending),
            resCompliancePct: percent(rm, rm + rb),
            frMeanMs: num(r.fr_mean),
            frMedianMs: num(r.fr_median),
            resMeanMs: num(r.res_mean),
            resMedianMs: num(r.res_median),
          };
        });
        const columns = ['key', 'tickets', 'frMet', 'frBreached', 'frPending', 'frCompliancePct', 'resMet', 'resBreached', 'resPending', 'resCompliancePct', 'frMeanMs', 'frMedianMs', 'resMeanMs', 'resMedianMs'];
        return { columns, rows, drill: keyed };
      }
      case 'backlog': {
        const w = scoped(q, user, 't.created_at').add(`not ${FINISHED}`);
        const band = AGE_BANDS_SQL_BAND.band('t.created_at');
        const raw = await exec(
          rollup ? rollup.backlog({ where: w.sql, params: w.params }) : { sql: `select ${band} as age_band, t.priority, count(*)::int as tickets from ticket_facts t where ${w.sql} group by 1, 2`, params: w.params },
        );
        const order = AGE_BANDS.map((b) => b[0] as string);
        const rows: Row[] = raw
          .map((r) => ({ ageBand: String(r.age_band), priority: String(r.priority), tickets: Number(r.tickets) }))
          .sort((a, b) => order.indexOf(a.ageBand) - order.indexOf(b.ageBand) || (PRIORITY_RANK[a.priority] ?? 9) - (PRIORITY_RANK[b.priority] ?? 9));
        return { columns: ['ageBand', 'priority', 'tickets'], rows, drill: (r: Row) => ({ ageBand: String(r.ageBand), priority: String(r.priority) }) };
      }
      case 'volume': {
        const created = scoped(q, user, 't.created_at');
        const resolved = scoped(q, user, 't.resolved_at').add('t.resolved_at is not null');
        const raw = rollup ? await exec(rollup.volume()) : await this.rows(
          `with c as (select ${dayBucket('t.created_day', granularity)} as b, count(*)::int as n from ticket_facts t where ${created.sql} group by 1),
                r as (select ${dayBucket('t.resolved_day', granularity)} as b, count(*)::int as n from ticket_facts t where ${resolved.sql} group by 1)
           select to_char(coalesce(c.b, r.b), 'YYYY-MM-DD') as bucket, coalesce(c.n, 0) as created, coalesce(r.n, 0) as resolved
           from c full join r on r.b = c.b order by coalesce(c.b, r.b)`,
          [...created.params, ...resolved.params],
        );
        const rows: Row[] = raw.map((r) => ({ bucket: String(r.bucket), created: Number(r.created), resolved: Number(r.resolved) }));
        return { columns: ['bucket', 'created', 'resolved'], rows, drill: (r: Row) => ({ bucket: String(r.bucket) }) };
      }
      case 'agents': {
        const w = scoped(q, user, null).add('t.assignee_id is not null');
        const resolvedIn = new Where();
        inPeriod(resolvedIn, q, 't.resolved_at');
        if (by === 'period') {
          // Throughput as a series: tickets each agent resolved per day or week of the period.
          const bucket = dayBucket('t.resolved_day', granularity);
          const series = rollup ? await exec(rollup.agentSeries()) : await this.rows(
            `select t.assignee_id, coalesce(min(u.name), '') as name, to_char(${bucket}, 'YYYY-MM-DD') as bucket, count(*)::int as resolved
             from ticket_facts t left join users u on u.id = t.assignee_id
             where ${w.sql} and t.resolved_at is not null and ${resolvedIn.sql} group by t.assignee_id, ${bucket} order by ${bucket}, 2`,
            [...w.params, ...resolvedIn.params],
          );
          const rows: Row[] = series.map((r) => ({ assigneeId: String(r.assignee_id), agent: String(r.name), bucket: String(r.bucket), resolved: Number(r.resolved) }));
          return { columns: ['assigneeId', 'agent', 'bucket', 'resolved'], rows, drill: (r: Row) => ({ assignee: String(r.assigneeId), bucket: String(r.bucket), measure: 'resolved' }) };
        }
        const raw = rollup ? await exec(rollup.agents()) : await this.rows(
          `select a.assignee_id, coalesce(u.name, '') as name, a.open, a.resolved from (
             select t.assignee_id, count(*) filter (where not ${FINISHED})::int as open,
                    count(*) filter (where t.resolved_at is not null and ${resolvedIn.sql})::int as resolved
             from ticket_facts t where ${w.sql} and (not ${FINISHED} or (t.resolved_at is not null and ${resolvedIn.sql})) group by 1) a
           left join users u on u.id = a.assignee_id order by a.open desc, a.resolved desc, 2`,
          [...resolvedIn.params, ...w.params, ...resolvedIn.params],
        );
        const rows: Row[] = raw.map((r) => ({ assigneeId: String(r.assignee_id), agent: String(r.name), open: Number(r.open), resolved: Number(r.resolved) }));
        return { columns: ['assigneeId', 'agent', 'open', 'resolved'], rows, drill: (r: Row) => ({ assignee: String(r.assigneeId) }) };
      }
      case 'reopens': {
        const w = scoped(q, user, 't.created_at').add('t.resolved_at is not null or t.closed_at is not null or t.reopen_count > 0');
        const raw = rollup ? await exec(rollup.reopens()) : await this.rows(
          `select ${dim.label} as key, count(*)::int as resolved, count(*) filter (where t.reopen_count > 0)::int as reopened, coalesce(sum(t.reopen_count), 0)::int as reopens
           from ticket_facts t where ${w.sql} ${groupBy()} order by 1`,
          w.params,
        );
        const rows: Row[] = raw.map((r) => ({ key: String(r.key), resolved: Number(r.resolved), reopened: Number(r.reopened), reopens: Number(r.reopens), reopenRatePct: percent(Number(r.reopened), Number(r.resolved)) }));
        return { columns: ['key', 'resolved', 'reopened', 'reopens', 'reopenRatePct'], rows, drill: keyed };
      }
      case 'escalations': {
        const w = scoped(q, user, 't.created_at').add(`t.escalations <> '{}'`);
        const raw = rollup ? await exec(rollup.escalations()) : await this.rows(
          `select lvl as level, ${dim.label} as key, count(*)::int as tickets from ticket_facts t cross join unnest(t.escalations) lvl where ${w.sql} ${groupBy('lvl')} order by 1, 2`,
          w.params,
        );
        const rows: Row[] = raw.map((r) => ({ level: String(r.level), key: String(r.key), tickets: Number(r.tickets) }));
        return { columns: ['level', 'key', 'tickets'], rows, drill: (r: Row) => ({ level: String(r.level), ...(by ? { key: String(r.key) } : {}) }) };
      }
      case 'tags': {
        // Tags live on the ticket row (they change without a fact changing): join it, one row per (ticket, tag).
        const w = scoped(q, user, null);
        const created = new Where();
        inPeriod(created, q, 't.created_at');
        const resolved = new Where().add('t.resolved_at is not null');
        inPeriod(resolved, q, 't.resolved_at');
        const raw = await this.rows(
          `select tag, count(*) filter (where ${created.sql})::int as created, count(*) filter (where ${resolved.sql})::int as resolved,
             count(*) filter (where not ${FINISHED})::int as open
           from ticket_facts t join tickets tk on tk.id = t.ticket_id cross join unnest(tk.tags) as tag
           where ${w.sql} group by tag
           having count(*) filter (where ${created.sql}) > 0 or count(*) filter (where ${resolved.sql}) > 0 or count(*) filter (where not ${FINISHED}) > 0
           order by 2 desc, 1`,
          [...created.params, ...resolved.params, ...w.params, ...created.params, ...resolved.params],
        );
        const rows: Row[] = raw.map((r) => ({ tag: String(r.tag), created: Number(r.created), resolved: Number(r.resolved), openNow: Number(r.open) }));
        return { columns: ['tag', 'created', 'resolved', 'openNow'], rows, drill: (r: Row) => ({ tag: String(r.tag) }) };
      }
      case 'time': {
        // Time lives in the timeline (time_logged events, indexed by when they were logged), joined to the ticket's facts for filters and visibility.
        const w = scoped(q, user, null);
        inPeriod(w, q, 'e.at');
        const g = timeGrouping(by, granularity);
        const raw = await this.rows(
          `select ${g.label} as key, min(u.name) as agent, sum((e.data->>'minutes')::int)::int as minutes, count(*)::int as entries, count(distinct e.ticket_id)::int as tickets
           from ticket_events e join ticket_facts t on t.ticket_id = e.ticket_id left join users u on u.id = e.actor_id
           where e.type = 'time_logged' and ${w.sql} group by ${g.group} order by ${by ? '1' : '3 desc, 2'}`,
          w.params,
        );
        const rows: Row[] = raw.map((r) => ({ key: String(r.key ?? ''), ...(by ? {} : { agent: String(r.agent ?? '') }), minutes: Number(r.minutes), entries: Number(r.entries), tickets: Number(r.tickets) }));
        return { columns: ['key', ...(by ? [] : ['agent']), 'minutes', 'entries', 'tickets'], rows, drill: keyed };
      }
      case 'satisfaction': {
        const w = scoped(q, user, 't.created_at');
        const raw = rollup ? await exec(rollup.satisfaction()) : await this.rows(
          `select ${dim.label} as key, count(*)::int as ratings, avg(r.score)::float8 as average,
             ${[1, 2, 3, 4, 5].map((s) => `count(*) filter (where r.score = ${s})::int as s${s}`).join(', ')}
           from ticket_facts t join ticket_ratings r on r.ticket_id = t.ticket_id where ${w.sql} ${groupBy()} order by 1`,
          w.params,
        );
        const rows: Row[] = raw.map((r) => ({
          key: String(r.key),
          ratings: Number(r.ratings),
          average: Math.round(Number(r.average) * 100) / 100,
          score1: Number(r.s1),
          score2: Number(r.s2),
          score3: Number(r.s3),
          score4: Number(r.s4),
          score5: Number(r.s5),
        }));
        return { columns: ['key', 'ratings', 'average', 'score1', 'score2', 'score3', 'score4', 'score5'], rows, drill: keyed };
      }
    }
  }

  /** The tickets behind one row (and optionally one figure) of a report: the same filters, plus the row's key. */
  tickets(name: ReportName, q: DrillQuery, user: AuthUser) {
    return drillTickets((sql, params) => this.rows(sql, params), name, q, user);
  }
}

/** CSV of the report's columns (the JSON rows without their drill links). */
export function toCsv(report: Pick<Report, 'columns' | 'rows'>): string {
  return csv(report.columns, report.rows as Array<Record<string, unknown>>);
}
