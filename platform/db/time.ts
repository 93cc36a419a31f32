// The SQL driver hands timestamps back as strings or Dates depending on the path; the API always speaks ISO 8601.
export type DbTime = Date | string;

export function iso(v: DbTime): string {
  return (v instanceof Date ? v : new Date(v)).toISOString();
}

export function isoOrNull(v: DbTime | null): string | null {
  return v === null ? null : iso(v);
}
