// Reads the CRM's PostgreSQL database: one parameterised statement at a time, in a read-only transaction, within the
// time limit. Pools are kept per database URL and time limit, so a settings change starts fresh connections.
import pg from 'pg';

export type Row = Record<string, unknown>;

let current: { key: string; pool: pg.Pool } | null = null;

/** Dates and times as the CRM stores them (2027-03-31), not turned into instants in this server's time zone. */
const DATE_TIME_TYPES = new Set<number>([pg.types.builtins.DATE, pg.types.builtins.TIMESTAMP, pg.types.builtins.TIMESTAMPTZ, pg.types.builtins.TIME, pg.types.builtins.TIMETZ]);
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (DATE_TIME_TYPES.has(oid) ? (value: string) => value : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser,
};

function poolFor(url: string, timeoutMs: number): pg.Pool {
  const key = `${timeoutMs} ${url}`;
  if (current?.key === key) return current.pool;
  void current?.pool.end().catch(() => undefined);
  const pool = new pg.Pool({
    connectionString: url,
    max: 4,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: timeoutMs,
    // The server enforces both too, so a statement that outlives us is stopped there rather than left running.
    statement_timeout: timeoutMs,
    options: '-c default_transaction_read_only=on',
    types,
  });
  // An idle connection the CRM drops must not crash the process.
  pool.on('error', () => undefined);
  current = { key, pool };
  return pool;
}

/**
 * Runs `sql` with `params` (always the extended protocol, which refuses several statements in one string) inside
 * `begin read only`: a query that tries to write is refused by the CRM's server, whatever the role may do.
 */
export async function readRows(url: string, timeoutMs: number, sql: string, params: unknown[]): Promise<Row[]> {
  const client = await poolFor(url, timeoutMs).connect();
  let broken = false;
  try {
    await client.query('begin read only');
    const { rows } = await client.query<Row>({ text: sql, values: params, query_timeout: timeoutMs + 500 } as pg.QueryConfig);
    await client.query('commit');
    return rows;
  } catch (err) {
    await client.query('rollback').catch(() => (broken = true));
    throw new Error(`the CRM database refused the query: ${(err as Error).message}`);
  } finally {
    // A connection whose query timed out on our side may still be busy: it is dropped, not reused.
    client.release(broken || undefined);
  }
}

/** Closes the pool (the process is stopping, or tests are done). */
export async function closeSqlSource(): Promise<void> {
  const pool = current?.pool;
  current = null;
  await pool?.end();
}
