// Ticket creation answers before the worker runs each new workflow's first task: benchmarks wait for the read model to catch up before measuring anything else.
import type pg from 'pg';

/** Resolves, with the ms it waited, once every ticket's workflow has recorded at least its `created` event. */
export async function waitRecorded(pool: pg.Pool, ids: readonly string[], timeoutMs = 300_000): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const { rows } = await pool.query<{ n: number }>(`select count(*)::int as n from tickets where id = any($1::uuid[]) and last_seq >= 1`, [ids]);
    if (rows[0].n >= ids.length) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`${ids.length - rows[0].n} of ${ids.length} tickets still unrecorded after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
