// The tickets behind a figure of a report: the report's own filters and visibility, plus the row's key and the figure's
// condition, at most DRILL_LIMIT of them (the answer says when there were more).
import { iso, isoOrNull, type DbTime } from '../../../platform/db/time';
import { badRequest } from '../../http/problem';
import type { AuthUser } from '../auth/types';
import type { DrillQuery, ReportName } from './schemas';
import { DEFAULT_BY, dimension, FINISHED, inPeriod, scoped, timeGrouping } from './scope';
import { AGE_BANDS, dayBucket, Where } from './sql-parts';

const DRILL_LIMIT = 500;

type Rows = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

/** The tickets behind one row (and optionally one figure) of a report: the same filters, plus the row's key. */
export async function drillTickets(rows: Rows, name: ReportName, q: DrillQuery, user: AuthUser) {
  const granularity = q.granularity ?? 'day';
  const by = q.by ?? DEFAULT_BY[name];
  let w: Where;
  let join = '';
  const key = (): void => {
    if (by && q.key !== undefined) w.add(`${dimension(by, granularity).label} = ?`, q.key);
  };
  const measure = (allowed: Record<string, string>): void => {
    if (q.measure === undefined) return;
    const cond = allowed[q.measure];
    if (!cond) throw badRequest(`unknown measure '${q.measure}' for report ${name}`, [{ pointer: '/measure', message: `one of ${Object.keys(allowed).join(', ')}` }]);
    w.add(cond);
  };
  switch (name) {
    case 'sla':
      w = scoped(q, user, 't.created_at');
      key();
      measure(
        Object.fromEntries(
          (['fr', 'res'] as const).flatMap((c) => (['met', 'breached', 'pending'] as const).map((s) => [`${c}${s[0].toUpperCase()}${s.slice(1)}`, `t.${c}_status = '${s}'`])),
        ),
      );
      break;
    case 'backlog': {
      w = scoped(q, user, 't.created_at').add(`not ${FINISHED}`);
      const band = AGE_BANDS.find((b) => b[0] === q.ageBand);
      if (band?.[1]) w.add(`t.created_at <= now() - interval '${band[1]}'`);
      if (band?.[2]) w.add(`t.created_at > now() - interval '${band[2]}'`);
      break;
    }
    case 'volume': {
      const onResolved = q.measure === 'resolved';
      if (q.measure !== undefined && q.measure !== 'created' && !onResolved) throw badRequest(`unknown measure '${q.measure}' for report volume`, [{ pointer: '/measure', message: 'one of created, resolved' }]);
      const col = onResolved ? 't.resolved_at' : 't.created_at';
      w = scoped(q, user, col);
      if (onResolved) w.add('t.resolved_at is not null');
      if (q.bucket) w.add(`to_char(${dayBucket(onResolved ? 't.resolved_day' : 't.created_day', granularity)}, 'YYYY-MM-DD') = ?`, q.bucket);
      break;
    }
    case 'agents': {
      w = scoped(q, user, null).add('t.assignee_id is not null');
      if (q.assignee) w.add('t.assignee_id = ?', q.assignee);
      const resolvedIn = new Where();
      inPeriod(resolvedIn, q, 't.resolved_at');
      const open = `not ${FINISHED}`;
      const resolved = `t.resolved_at is not null and ${resolvedIn.sql}`;
      if (q.bucket) w.add(`to_char(${dayBucket('t.resolved_day', granularity)}, 'YYYY-MM-DD') = ?`, q.bucket);
      if (q.measure === 'open') w.add(open);
      else if (q.measure === 'resolved') w.add(resolved, ...resolvedIn.params);
      else if (q.measure === undefined) w.add(`${open} or (${resolved})`, ...resolvedIn.params);
      else throw badRequest(`unknown measure '${q.measure}' for report agents`, [{ pointer: '/measure', message: 'one of open, resolved' }]);
      break;
    }
    case 'reopens':
      w = scoped(q, user, 't.created_at').add('t.resolved_at is not null or t.closed_at is not null or t.reopen_count > 0');
      key();
      measure({ reopened: 't.reopen_count > 0' });
      break;
    case 'escalations':
      w = scoped(q, user, 't.created_at').add(`t.escalations <> '{}'`);
      if (q.level) w.add('? = any(t.escalations)', q.level);
      key();
      break;
    case 'tags': {
      w = scoped(q, user, null);
      if (q.tag) w.add('tk.tags @> array[?]::text[]', q.tag);
      const created = new Where();
      inPeriod(created, q, 't.created_at');
      const resolved = new Where().add('t.resolved_at is not null');
      inPeriod(resolved, q, 't.resolved_at');
      if (q.measure === 'created') w.add(created.sql, ...created.params);
      else if (q.measure === 'resolved') w.add(resolved.sql, ...resolved.params);
      else if (q.measure === 'openNow') w.add(`not ${FINISHED}`);
      else if (q.measure === undefined) w.add(`(${created.sql}) or (${resolved.sql}) or not ${FINISHED}`, ...created.params, ...resolved.params);
      else throw badRequest(`unknown measure '${q.measure}' for report tags`, [{ pointer: '/measure', message: 'one of created, resolved, openNow' }]);
      break;
    }
    case 'time': {
      // The tickets with time logged in the period (by the row's agent or key).
      w = scoped(q, user, null);
      const logged = new Where().add(`e.ticket_id = t.ticket_id and e.type = 'time_logged'`);
      inPeriod(logged, q, 'e.at');
      if (q.key !== undefined) logged.add(`${timeGrouping(by, granularity).label} = ?`, q.key);
      w.add(`exists (select 1 from ticket_events e where ${logged.sql})`, ...logged.params);
      break;
    }
    case 'satisfaction':
      w = scoped(q, user, 't.created_at');
      join = 'join ticket_ratings r on r.ticket_id = t.ticket_id';
      if (q.score) w.add('r.score = ?', Number(q.score));
      key();
      break;
  }
  const raw = await rows(
    `select tk.id, tk.number, tk.title, tk.type, tk.priority, tk.state, tk.queue, tk.created_at, tk.resolved_at, t.fr_status, t.res_status
     from ticket_facts t join tickets tk on tk.id = t.ticket_id ${join} where ${w!.sql} order by t.created_at desc, t.ticket_id limit ${DRILL_LIMIT + 1}`,
    w!.params,
  );
  const items = raw.slice(0, DRILL_LIMIT).map((r) => ({
    id: String(r.id),
    number: String(r.number),
    title: String(r.title),
    type: String(r.type),
    priority: String(r.priority),
    state: String(r.state),
    queue: (r.queue as string | null) ?? null,
    createdAt: iso(r.created_at as DbTime),
    resolvedAt: isoOrNull(r.resolved_at as DbTime | null),
    frStatus: String(r.fr_status),
    resStatus: String(r.res_status),
  }));
  return { items, truncated: raw.length > DRILL_LIMIT };
}
