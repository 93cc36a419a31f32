// The SQL driver hands timestamps back as strings or Dates depending on the path; the API always speaks ISO 8601.
export type DbTime = Date | string;

/** PostgreSQL's text form of a timestamptz in a UTC session, e.g. `2026-11-25 03:21:57.123456+00`. */
const PG_UTC = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?\+00$/;

export function iso(v: DbTime): string {
  if (typeof v === 'string') {
    // Rewritten as text: V8 parses this non-ISO form through its slow legacy path, and a queue page holds hundreds.
    const m = PG_UTC.exec(v);
    // Milliseconds truncated, as toISOString does.
    if (m) return `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
  }
  return (v instanceof Date ? v : new Date(v)).toISOString();
}

export function isoOrNull(v: DbTime | null): string | null {
  return v === null ? null : iso(v);
}
