// Every worker's fan-out refreshes report facts for batches of tickets while an API replica starting up (a rolling
// deploy) backfills every stale ticket in one statement. They upsert the same rows at once, so each must take the
// rows' locks in one order: a deadlock fails the backfill and with it the replica's start.
import pg from 'pg';
import { freshDatabaseUrl } from '../support/desk';
import { openOrm, migrate, type Orm } from '../../platform/db/orm';
import { backfillTicketFacts, refreshTicketFacts } from '../../activities/report-facts';

const TICKETS = 600;
const BATCH = 50;
const ROUNDS = 6;

let orm: Orm;
let db: pg.Client;
let ids: string[] = [];

beforeAll(async () => {
  const url = await freshDatabaseUrl('facts_locks');
  orm = await openOrm(url, { poolMax: 8 });
  await migrate(orm);
  db = new pg.Client({ connectionString: url });
  await db.connect();
  const requester = (await db.query<{ id: string }>(`insert into users (id, email, name, role) values (gen_random_uuid(), 'r@x.test', 'R', 'customer') returning id`)).rows[0]!.id;
  ids = (
    await db.query<{ id: string }>(
      `insert into tickets (id, number, type, title, priority, priority_order, state, state_category, requester_id, definition_key, definition_version, created_at, updated_at)
       select gen_random_uuid(), 'L-' || n, 'incident', 't', 'high', 1, 'open', 'open', $1, 'incident', 1, now(), now() from generate_series(1, $2::int) n
       returning id`,
      [requester, TICKETS],
    )
  ).rows.map((r) => r.id);
});

afterAll(async () => {
  await db?.end();
  await orm?.close(true);
});

/** Batches of the tickets in an order of their own, as events of many tickets commit in any order. */
function shuffledBatches(): string[][] {
  const order = [...ids].sort(() => Math.random() - 0.5);
  return Array.from({ length: Math.ceil(order.length / BATCH) }, (_, i) => order.slice(i * BATCH, (i + 1) * BATCH));
}

it('should let a backfill and the fan-outs refresh the same tickets at once without a deadlock', async () => {
  for (let round = 0; round < ROUNDS; round++) {
    // Every ticket moves on (its timeline grew), so the backfill and the refreshes all have every row to write.
    await db.query(`update tickets set last_seq = last_seq + 1`);
    const fanouts = [shuffledBatches(), shuffledBatches()].map(async (batches) => {
      for (const batch of batches) await refreshTicketFacts(orm.em, batch);
    });
    const results = await Promise.allSettled([backfillTicketFacts(orm.em), ...fanouts]);
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
  }
  // And the facts end where the tickets are.
  const stale = await db.query(`select count(*)::int as n from tickets t left join ticket_facts f on f.ticket_id = t.id where f.last_seq is distinct from t.last_seq`);
  expect(stale.rows[0].n).toBe(0);
});
