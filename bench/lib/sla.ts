// What the SLA benchmarks share: a problem definition whose critical tickets must be resolved within a few minutes,
// and how late each breach (and its escalation actions) was recorded after its deadline.
import type pg from 'pg';
import type { BenchContext } from './context';
import { percentile, round } from './load';

export interface Lateness {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function latenessStats(values: number[]): Lateness {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted[sorted.length - 1] ?? NaN) };
}

/** Publishes a new `problem` version whose critical tickets must be resolved within `minutes`, round the clock. */
export async function publishCriticalResolution(ctx: BenchContext, minutes: number): Promise<void> {
  const versions = (await ctx.admin.get('/api/definitions/problem/versions')).body.items as Array<{ version: number; status: string }>;
  const latest = versions.filter((v) => v.status === 'published').pop()!.version;
  const { version: _v, status: _s, ...def } = (await ctx.admin.get(`/api/definitions/problem/versions/${latest}`)).body;
  def.sla = { policies: { ...def.sla?.policies, critical: { calendar: '24x7', resolutionMinutes: minutes, warnAtPercent: 50 } } };
  const draft = await ctx.admin.request('PUT', '/api/definitions/problem/draft', def);
  if (draft.status !== 200) throw new Error(`draft refused: ${JSON.stringify(draft.body)}`);
  const published = await ctx.admin.post('/api/definitions/problem/publish');
  if (published.status !== 200) throw new Error(`publish refused: ${JSON.stringify(published.body)}`);
}

/** Each recorded resolution breach of these tickets, and each escalation action it ran, with its lateness in ms. */
export async function breachLateness(pool: pg.Pool, ids: readonly string[]): Promise<Array<{ ticketId: string; type: string; lateness_ms: number; deadline_ms: number }>> {
  const res = await pool.query<{ ticket_id: string; type: string; lateness_ms: number; deadline_ms: number }>(
    `select b.ticket_id, e.type, extract(epoch from (e.at - (b.data->>'deadline')::timestamptz)) * 1000 as lateness_ms,
            extract(epoch from (b.data->>'deadline')::timestamptz) * 1000 as deadline_ms
     from ticket_events b join ticket_events e on e.ticket_id = b.ticket_id
     where b.type = 'sla_breached' and b.data->>'clock' = 'resolution' and b.ticket_id = any($1::uuid[])
       and (e.seq = b.seq or (e.type in ('escalated', 'notification', 'priority_changed', 'event_emitted') and e.data->>'escalation' = 'resolution_breach'))`,
    [ids],
  );
  return res.rows.map((r) => ({ ticketId: r.ticket_id, type: r.type, lateness_ms: Number(r.lateness_ms), deadline_ms: Number(r.deadline_ms) }));
}
