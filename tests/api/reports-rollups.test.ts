// The report roll-ups are exact: for random facts (inserted, updated — day, queue, status, durations —, deleted) and
// ratings, every report over whole days answers from the roll-ups exactly what the raw group-by over ticket_facts answers.
import pg from 'pg';
import { freshDatabaseUrl } from '../support/desk';
import fc from 'fast-check';
import { openOrm, migrate, type Orm } from '../../platform/db/orm';
import { ReportService } from '../../api/modules/reports/service';
import { REPORT_NAMES, type ReportQuery } from '../../api/modules/reports/schemas';
import { rebuildRollupsSql, ROLLUP_TABLES } from '../../platform/db/rollup-sql';
import type { AuthUser } from '../../api/modules/auth/types';

let orm: Orm;
let db: pg.Client;
const ADMIN_USER: AuthUser = { id: '00000000-0000-4000-8000-00000000ad01', email: 'a@x.test', name: 'Admin', role: 'admin', locale: 'en', organisationId: null, via: 'token', csrfToken: '' };
const AGENTS = [1, 2, 3].map((i) => `00000000-0000-4000-8000-0000000000a${i}`);
const ORGS = ['00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-0000000000b2'];
const QUEUES = [null, 'network', 'apps'];
const DAY = 86_400_000;
// Creation instants spread over 40 days up to now, so the backlog's band thresholds fall inside the data.
const BASE = Date.now() - 40 * DAY;

beforeAll(async () => {
  const url = new URL(await freshDatabaseUrl('rollups'));
  orm = await openOrm(url.toString(), { poolMax: 4 });
  await migrate(orm);
  db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  for (const [i, id] of [ADMIN_USER.id, ...AGENTS].entries()) {
    await db.query(`insert into users (id, email, name, role) values ($1, $2, $3, 'agent')`, [id, `u${i}@x.test`, `Agent ${i}`]);
  }
});

afterAll(async () => {
  await db?.end();
  await orm?.close(true);
});

const fact = fc.record({
  created: fc.integer({ min: 0, max: 41 * DAY }),
  queue: fc.constantFrom(...QUEUES),
  type: fc.constantFrom('incident', 'service_request'),
  priority: fc.constantFrom('low', 'medium', 'high', 'critical'),
  state: fc.constantFrom('open', 'resolved', 'closed', 'new'),
  assignee: fc.constantFrom(null, ...AGENTS),
  group: fc.constantFrom(null, 'network_team'),
  org: fc.constantFrom(null, ...ORGS),
  resolvedAfter: fc.option(fc.integer({ min: 0, max: 5 * DAY })),
  fr: fc.constantFrom('none', 'pending', 'met', 'breached'),
  res: fc.constantFrom('none', 'pending', 'met', 'breached'),
  frMs: fc.option(fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 2_000_000_000 }), fc.constantFrom(60_000, 3_600_000))),
  resMs: fc.option(fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 2_000_000_000 }), fc.constantFrom(60_000, 3_600_000))),
  reopens: fc.constantFrom(0, 0, 1, 3),
  escalations: fc.subarray(['first_response_breach', 'resolution_warning', 'resolution_breach']),
  rating: fc.option(fc.integer({ min: 1, max: 5 })),
});
type Fact = typeof fact extends fc.Arbitrary<infer T> ? T : never;

const op = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('insert' as const), f: fact }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('update' as const), i: fc.nat(), f: fact }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), i: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rate' as const), i: fc.nat(), score: fc.option(fc.integer({ min: 1, max: 5 })) }) },
);

const dayOf = (offset: number) => new Date(BASE + offset * DAY).toISOString().slice(0, 10);
const query = fc.record(
  {
    from: fc.integer({ min: -1, max: 42 }).map((d) => (d < 0 ? undefined : dayOf(d))),
    to: fc.integer({ min: -1, max: 42 }).map((d) => (d < 0 ? undefined : dayOf(d))),
    queue: fc.constantFrom('network', 'apps'),
    priority: fc.constantFrom('low', 'high'),
    group: fc.constant('network_team'),
    organisation: fc.constantFrom(...ORGS),
    granularity: fc.constantFrom('day' as const, 'week' as const),
    by: fc.constantFrom('queue' as const, 'priority' as const, 'type' as const, 'group' as const, 'organisation' as const, 'period' as const),
  },
  { requiredKeys: ['granularity'] },
);

let serial = 0;
async function write(id: string | null, f: Fact): Promise<string> {
  const created = new Date(BASE + f.created);
  const finished = f.state === 'resolved' || f.state === 'closed';
  const resolved = f.resolvedAfter !== null ? new Date(created.getTime() + f.resolvedAfter) : finished ? created : null;
  const closed = f.state === 'closed' ? new Date(created.getTime() + DAY) : null;
  const cols = [f.type, f.queue, f.priority, f.state, f.assignee, f.group, f.org, created.toISOString(), resolved?.toISOString() ?? null, closed?.toISOString() ?? null, f.fr, f.res, f.frMs, f.resMs, f.reopens, f.escalations];
  if (id === null) {
    const { rows } = await db.query<{ id: string }>(
      `insert into tickets (id, number, type, title, priority, priority_order, state, state_category, queue, requester_id, definition_key, definition_version, created_at, updated_at)
       values (gen_random_uuid(), $1, $2, 't', $3, 1, $4, $4, $5, $6, 'incident', 1, $7, $7) returning id`,
      [`R-${++serial}`, f.type, f.priority, f.state, f.queue, ADMIN_USER.id, created.toISOString()],
    );
    id = rows[0].id;
    await db.query(
      `insert into ticket_facts (ticket_id, type, queue, priority, state_category, assignee_id, assigned_group, organisation_id, requester_id, created_at, created_day, resolved_day,
         resolved_at, closed_at, fr_status, res_status, fr_business_ms, res_business_ms, reopen_count, escalations, last_seq)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $1::uuid, $9::timestamptz, ($9::timestamptz at time zone 'UTC')::date, ($10::timestamptz at time zone 'UTC')::date, $10, $11, $12, $13, $14, $15, $16, $17, 1)`,
      [id, ...cols],
    );
  } else {
    await db.query(
      `update ticket_facts set type = $2, queue = $3, priority = $4, state_category = $5, assignee_id = $6, assigned_group = $7, organisation_id = $8,
         created_at = $9, created_day = ($9::timestamptz at time zone 'UTC')::date, resolved_day = ($10::timestamptz at time zone 'UTC')::date, resolved_at = $10, closed_at = $11,
         fr_status = $12, res_status = $13, fr_business_ms = $14, res_business_ms = $15, reopen_count = $16, escalations = $17, last_seq = last_seq + 1 where ticket_id = $1`,
      [id, ...cols],
    );
  }
  await rate(id, f.rating);
  return id;
}

async function rate(id: string, score: number | null): Promise<void> {
  if (score === null) await db.query('delete from ticket_ratings where ticket_id = $1', [id]);
  else await db.query(`insert into ticket_ratings (ticket_id, rater_id, score) values ($1, $2, $3) on conflict (ticket_id) do update set score = excluded.score`, [id, ADMIN_USER.id, score]);
}

const strip = (r: { rows: unknown[]; columns: string[] }) => ({ columns: r.columns, rows: r.rows });

async function compareAll(queries: ReportQuery[]): Promise<void> {
  const fast = new ReportService(orm.em);
  const raw = new ReportService(orm.em, { rollups: false });
  for (const q of queries) {
    for (const name of REPORT_NAMES) {
      const [a, b] = await Promise.all([fast.run(name, q, ADMIN_USER), raw.run(name, q, ADMIN_USER)]);
      expect({ name, q, ...strip(a) }).toEqual({ name, q, ...strip(b) });
    }
  }
}

describe('report roll-ups', () => {
  it('answer every report exactly like the raw query, through inserts, updates, deletes and ratings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), fc.array(query, { minLength: 1, maxLength: 4 }), async (ops, queries) => {
        const ids: string[] = [];
        for (const o of ops) {
          if (o.kind === 'insert') ids.push(await write(null, o.f));
          else if (!ids.length) continue;
          else if (o.kind === 'update') await write(ids[o.i % ids.length], o.f);
          else if (o.kind === 'rate') await rate(ids[o.i % ids.length], o.score);
          else await db.query('delete from tickets where id = $1', [ids.splice(o.i % ids.length, 1)[0]]);
        }
        try {
          await compareAll([{ granularity: 'week' }, ...queries]);
          // The incremental roll-ups equal a rebuild from scratch.
          const before = await snapshot();
          const client = await orm.em.fork().getConnection();
          for (const sql of rebuildRollupsSql()) await client.execute(sql);
          expect(await snapshot()).toEqual(before);
        } finally {
          await db.query('delete from tickets');
        }
        // Everything deleted: every roll-up sum is back to zero.
        const { rows } = await db.query(
          `select (select coalesce(sum(tickets), 0) + coalesce(sum(ratings), 0) + coalesce(sum(open_n), 0) from report_created_days)::int as c,
                  (select coalesce(sum(resolved), 0) + coalesce(sum(open_n), 0) from report_resolved_days)::int as r,
                  (select coalesce(sum(tickets), 0) from report_escalation_days)::int as e, (select coalesce(sum(n), 0) from report_duration_buckets)::int as d`,
        );
        expect(rows[0]).toEqual({ c: 0, r: 0, e: 0, d: 0 });
      }),
      { numRuns: Number(process.env.ROLLUP_RUNS ?? 25), endOnFailure: true },
    );
  }, 600_000);

  it('answer over whole days, and take the raw path when the period does not start or end at midnight UTC', async () => {
    const id = await write(null, { created: 20 * DAY, queue: 'apps', type: 'incident', priority: 'low', state: 'open', assignee: null, group: null, org: null, resolvedAfter: null, fr: 'met', res: 'pending', frMs: 1234, resMs: null, reopens: 0, escalations: [], rating: 4 });
    // The roll-ups are emptied: only the raw query can count this ticket.
    await db.query(`truncate ${ROLLUP_TABLES.join(', ')}`);
    const report = await new ReportService(orm.em).run('sla', { from: new Date(BASE + 19 * DAY + 1).toISOString(), granularity: 'day' }, ADMIN_USER);
    expect(report.rows.map((r) => r.tickets)).toEqual([1]);
    // Over whole days the (emptied) roll-ups answer.
    const fromRollups = await new ReportService(orm.em).run('sla', { from: dayOf(19), granularity: 'day' }, ADMIN_USER);
    expect(fromRollups.rows).toEqual([]);
    await db.query('delete from tickets where id = $1', [id]);
    for (const sql of rebuildRollupsSql()) await db.query(sql);
  });

  it('are dropped by the migration down and filled from the existing facts on the way up', async () => {
    const id = await write(null, { created: 10 * DAY, queue: 'network', type: 'incident', priority: 'high', state: 'resolved', assignee: AGENTS[0], group: null, org: ORGS[0], resolvedAfter: DAY, fr: 'met', res: 'met', frMs: 5000, resMs: 90_000, reopens: 1, escalations: ['resolution_warning'], rating: 5 });
    const before = await snapshot();
    await orm.migrator.down({ to: 'Migration20261125000005Reports' });
    const { rows } = await db.query(`select count(*)::int as n from information_schema.tables where table_name like 'report\\_%'`);
    expect(rows[0].n).toBe(0);
    await orm.migrator.up();
    expect(await snapshot()).toEqual(before);
    await compareAll([{ granularity: 'week' }, { granularity: 'day', by: 'period', from: dayOf(5) }]);
    await db.query('delete from tickets where id = $1', [id]);
  });
});

async function snapshot(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of ROLLUP_TABLES) {
    // Rows whose sums are all zero are leftovers of moved keys: a rebuild does not write them.
    const { rows } = await db.query(`select * from ${t} r`);
    out[t] = rows.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)).filter((r) => Object.entries(r).some(([k, v]) => !['day', 'start', 'span', 'queue', 'type', 'priority', 'grp', 'org', 'assignee_id', 'level', 'clock', 'bucket'].includes(k) && Number(v) !== 0));
  }
  return out;
}
