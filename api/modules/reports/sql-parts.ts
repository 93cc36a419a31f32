// SQL fragments the raw report queries and the roll-up queries share, so both group and band the same way.

export const AGE_BANDS = [
  ['0-1d', null, '1 day'],
  ['1-3d', '1 day', '3 days'],
  ['3-7d', '3 days', '7 days'],
  ['7-30d', '7 days', '30 days'],
  ['30d+', '30 days', null],
] as const;

/** The backlog's age band of a creation instant (relative to the statement's now()), and the band thresholds. */
export const AGE_BANDS_SQL_BAND = {
  thresholds: AGE_BANDS.filter((b) => b[2]).map((b) => b[2] as string),
  band: (at: string) => `case ${AGE_BANDS.filter((b) => b[2]).map((b) => `when ${at} > now() - interval '${b[2]}' then '${b[0]}'`).join(' ')} else '30d+' end`,
};

/** UTC day, or the Monday of its ISO week; granularity is the schema's enum, so it is safe to inline. */
export function dayBucket(dayCol: string, granularity: string): string {
  return granularity === 'week' ? `date_trunc('week', ${dayCol}::timestamp)::date` : dayCol;
}

/** SQL conditions and their `?` parameters, in order, joined with `and`. */
export class Where {
  readonly conds: string[] = [];
  readonly params: unknown[] = [];
  add(sql: string, ...params: unknown[]): this {
    this.conds.push(sql);
    this.params.push(...params);
    return this;
  }
  get sql(): string {
    return this.conds.length ? this.conds.map((c) => `(${c})`).join(' and ') : 'true';
  }
}
