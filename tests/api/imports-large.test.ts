// A CSV of 100,000 tickets, imported whole on a desk of its own: streamed in, every row written once with its
// conversation, the open ones run by their workflows, and a second run of the same file changing nothing. The figures
// (tickets/s, the API's memory) are bench/csv-import.ts's; this proves the size works.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import pg from 'pg';
import { Session, eventually } from '../support/http';
import { startPluginDesk, type Desk } from '../support/desk';

const TICKETS = 100_000;
/** One ticket in this many is open (a workflow each); the others are closed history. */
const OPEN_EVERY = 100;
let desk: Desk;
let admin: Session;
let db: pg.Client;
let file: string;

beforeAll(async () => {
  let databaseUrl: string;
  ({ desk, admin, databaseUrl } = await startPluginDesk('imports_large', []));
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-import-')), 'tickets.csv');
  const out = fs.createWriteStream(file);
  const write = (line: string) => (out.write(line) ? undefined : new Promise<void>((resolve) => out.once('drain', resolve)));
  await write('id,title,description,requester,created_at,closed_at,state,priority,comment,note\n');
  const day = 86_400_000;
  for (let i = 0; i < TICKETS; i++) {
    const created = Date.UTC(2020, 0, 1) + i * 900_000;
    const open = i % OPEN_EVERY === 0;
    const requester = `person${i % 2000}@legacy.test`;
    await write(
      `L-${i},"Ticket ${i}: the printer on floor ${i % 9}, again","It jams, ""always"" on page two.\nSince ${i % 28 + 1} days.",${requester},${new Date(created).toISOString()},${open ? '' : new Date(created + day).toISOString()},${open ? 'in_progress' : 'closed'},${['low', 'medium', 'high'][i % 3]},` +
        `"${new Date(created + 3_600_000).toISOString()};${requester};Any news?",${i % 5 === 0 ? `"${new Date(created + 7_200_000).toISOString()};${requester};Called the vendor."` : ''}\n`,
    );
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}, 300_000);

afterAll(async () => {
  await db?.end();
  await desk?.stop();
  if (file) fs.rmSync(path.dirname(file), { recursive: true, force: true });
});

const upload = async () => {
  const res = await fetch(`${desk.url}/api/imports/tickets?source=legacy-100k&filename=tickets.csv`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', ...admin.headersForWrite() },
    body: Readable.toWeb(fs.createReadStream(file)) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  return { status: res.status, body: await res.json() };
};

it('should import a CSV of 100,000 tickets once, with their conversation, and change nothing on a second run', async () => {
  const first = await upload();
  expect(first.status).toBe(200);
  expect(first.body).toMatchObject({ rows: TICKETS, created: TICKETS, errorCount: 0, usersCreated: 2000, workflowsStarted: TICKETS / OPEN_EVERY, written: true });
  const counts = (await db.query(`select count(*)::int as tickets, count(*) filter (where state_category = 'closed')::int as closed, count(distinct number)::int as numbers from tickets`)).rows[0];
  expect(counts).toEqual({ tickets: TICKETS, closed: TICKETS - TICKETS / OPEN_EVERY, numbers: TICKETS });
  // Creation, one comment each, and a note on every fifth.
  expect((await db.query(`select count(*)::int as n from ticket_events`)).rows[0].n).toBe(TICKETS * 2 + TICKETS / 5);
  expect((await db.query(`select count(*)::int as n from ticket_facts`)).rows[0].n).toBe(TICKETS);
  // Each open ticket is run by its workflow: one moves on like any other.
  const [open] = (await db.query(`select id from tickets where state_category <> 'closed' order by created_at desc limit 1`)).rows;
  const moved = await eventually(async () => {
    const res = await admin.post(`/api/tickets/${open.id}/transitions`, { transition: 'wait_for_customer', fields: { pending_reason: 'model number' } });
    return res.status === 200 ? res.body : undefined;
  }, 60_000, 500);
  expect(moved).toMatchObject({ state: 'pending_customer' });
  // Its timeline goes on after the imported events (creation, comment, note): the workflow carried their count.
  const timeline = (await admin.get(`/api/tickets/${open.id}/timeline`)).body.items as Array<{ seq: number; type: string }>;
  expect(timeline.map((e) => [e.seq, e.type])).toEqual([[1, 'created'], [2, 'commented'], [3, 'commented'], [4, 'transitioned']]);

  const second = await upload();
  expect(second.body).toMatchObject({ rows: TICKETS, created: 0, updated: 0, unchanged: TICKETS, skipped: 0, workflowsStarted: 0 });
  expect((await db.query(`select count(*)::int as n from tickets`)).rows[0].n).toBe(TICKETS);
}, 900_000);
