// What every report query shares: the tickets the caller may see under the report's filters, the period on a column,
// and the dimension rows are grouped by.
import { badRequest } from '../../http/problem';
import type { AuthUser } from '../auth/types';
import { visibleTo } from '../tickets/policy';
import type { Dimension, ReportName, ReportQuery } from './schemas';
import { dayBucket, Where } from './sql-parts';

/** A ticket that is done with, as report queries say it. */
export const FINISHED = `t.state_category in ('resolved', 'closed')`;

export function instant(v: string, end: boolean): string {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(v);
  const d = new Date(day ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(d.getTime())) throw badRequest(`'${v}' is not a valid date`, [{ pointer: end ? '/to' : '/from', message: 'not a valid date' }]);
  // A day given as the end of a period includes that whole day.
  if (day && end) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString();
}

/** A grouping: the expression rows are grouped by, and the label computed once per group from it. */
export interface Dim {
  group: string;
  label: string;
}

export function dimension(by: Dimension, granularity: string): Dim {
  const plain = (e: string): Dim => ({ group: e, label: e });
  switch (by) {
    case 'queue':
      return plain(`coalesce(t.queue, '')`);
    case 'priority':
      return plain('t.priority');
    case 'type':
      return plain('t.type');
    case 'group':
      return plain(`coalesce(t.assigned_group, '')`);
    case 'organisation':
      return plain(`coalesce(t.organisation_id::text, '')`);
    case 'slaPolicy':
      // The policy's name when the ticket opened: a renamed or deleted policy still reports its tickets where they were.
      return plain(`coalesce((select p.name from ticket_sla_policies p where p.ticket_id = t.ticket_id), '')`);
    case 'period': {
      const b = dayBucket('t.created_day', granularity);
      return { group: b, label: `to_char(${b}, 'YYYY-MM-DD')` };
    }
  }
}

/** The time report groups its entries by agent unless asked for a dimension; a period is when the time was logged. */
export function timeGrouping(by: Dimension | undefined, granularity: string): Dim {
  if (!by) return { group: 'e.actor_id', label: `coalesce(e.actor_id::text, '')` };
  if (by !== 'period') return dimension(by, granularity);
  const b = dayBucket(`(e.at at time zone 'UTC')::date`, granularity);
  return { group: b, label: `to_char(${b}, 'YYYY-MM-DD')` };
}

export const DEFAULT_BY: Partial<Record<ReportName, Dimension>> = { sla: 'queue', reopens: 'queue', satisfaction: 'queue' };

/** Dimension filters, the caller's visibility and, when `dateCol` is given, the period on that column. */
export function scoped(q: ReportQuery, user: AuthUser, dateCol: string | null): Where {
  const w = new Where();
  const scope = visibleTo(user, 't.ticket_id');
  w.add(scope.sql, ...scope.params);
  if (q.queue) w.add('t.queue = ?', q.queue);
  if (q.type) w.add('t.type = ?', q.type);
  if (q.priority) w.add('t.priority = ?', q.priority);
  if (q.group) w.add('t.assigned_group = ?', q.group);
  if (q.organisation) w.add('t.organisation_id = ?', q.organisation);
  if (dateCol) inPeriod(w, q, dateCol);
  return w;
}

/** The report's period (from inclusive, to exclusive; a day given as `to` counts whole) on column `col`. */
export function inPeriod(w: Where, q: Pick<ReportQuery, 'from' | 'to'>, col: string): void {
  if (q.from) w.add(`${col} >= ?`, instant(q.from, false));
  if (q.to) w.add(`${col} < ?`, instant(q.to, true));
}
