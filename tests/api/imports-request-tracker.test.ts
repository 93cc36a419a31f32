// A whole Request Tracker 5 desk imported over its REST2 API, from a real RT (Debian's request-tracker5) started by the
// test: queues, people (privileged users as agents), tickets in every status with their conversation and files; a dry
// run writes nothing, a second run changes nothing, and RT's open tickets are worked in the desk at once.
import pg from 'pg';
import { Session, ok } from '../support/http';
import { startPluginDesk, type Desk } from '../support/desk';
import { seedRequestTracker, startRequestTracker, type RequestTracker, type SeededRt } from '../support/request-tracker';

let rt: RequestTracker;
let seeded: SeededRt;
let desk: Desk;
let admin: Session;
let db: pg.Client;

beforeAll(async () => {
  rt = await startRequestTracker();
  seeded = await seedRequestTracker(rt);
  let databaseUrl: string;
  ({ desk, admin, databaseUrl } = await startPluginDesk('rt_import', []));
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
}, 180_000);

afterAll(async () => {
  await db?.end();
  await desk?.stop();
  await rt?.stop();
});

const importRt = (more: Record<string, unknown> = {}) => admin.post('/api/imports/request-tracker', { url: rt.url, token: rt.token, ...more });
const byOrigin = async (rtId: number) => {
  const { rows } = await db.query(`select t.id from tickets t join ticket_events e on e.ticket_id = t.id and e.seq = 1 where e.data->'imported'->>'origin' = $1`, [`RT #${rtId}`]);
  expect(rows).toHaveLength(1);
  return ok(admin.get(`/api/tickets/${rows[0].id}`));
};

describe('Request Tracker import', () => {
  it('should check the whole desk in a dry run without writing, then import it once', async () => {
    const dry = await ok(importRt({ dryRun: true }));
    expect(dry).toMatchObject({ kind: 'request-tracker', dryRun: true, written: false, errorCount: 0 });
    expect(dry.created).toBeGreaterThanOrEqual(3 + 4);
    expect((await db.query(`select count(*)::int as n from tickets`)).rows[0].n).toBe(0);
    expect((await db.query(`select count(*)::int as n from users where email = $1`, [seeded.agent.email])).rows[0].n).toBe(0);

    const report = await ok(importRt());
    expect(report).toMatchObject({ written: true, errorCount: 0, workflowsStarted: 3 });
    expect(report.source).toBe(`rt:${new URL(rt.url).host}`);
    expect((await db.query(`select key, name from queues where key in ('support', 'hardware') order by key`)).rows).toEqual([
      { key: 'hardware', name: 'Hardware' },
      { key: 'support', name: 'Support' },
    ]);
    const people = await db.query(`select u.email, u.name, u.role, o.name as org from users u left join organisations o on o.id = u.organisation_id where u.email = any($1) order by u.email`, [
      [seeded.agent.email, ...seeded.requesters.map((r) => r.email)],
    ]);
    expect(people.rows).toEqual(
      [seeded.agent, ...seeded.requesters]
        .map((u) => ({ email: u.email, name: u.realName, role: u.privileged ? 'agent' : 'customer', org: u.privileged ? null : u.organization }))
        .sort((a, b) => a.email.localeCompare(b.email)),
    );
  });

  it('should bring each ticket with its status, owner, conversation and files', async () => {
    const category = { new: 'new', open: 'open', stalled: 'pending', resolved: 'closed' } as const;
    for (const s of seeded.tickets) {
      const t = await byOrigin(s.id);
      expect(t).toMatchObject({ title: s.subject, description: s.description, stateCategory: category[s.status], queue: s.queue.toLowerCase() });
      const requester = (await db.query('select email from users where id = $1', [t.requesterId])).rows[0].email;
      expect(requester).toBe(s.requestorEmail);
      const owner = t.assigneeId ? (await db.query('select email from users where id = $1', [t.assigneeId])).rows[0].email : null;
      expect(owner).toBe(s.ownerEmail);
      const timeline = (await ok(admin.get(`/api/tickets/${t.id}/timeline`))).items as Array<{ type: string; visibility: string; data: { body?: string; importedAuthor?: string } }>;
      expect(timeline[0].type).toBe('created');
      const said = timeline.filter((e) => e.type === 'commented').map((e) => [e.visibility, e.data.body]);
      expect(said).toEqual([
        ['public', s.correspondence],
        ['internal', s.comment],
      ]);
      // RT's root has no usable address: its messages keep its name rather than being pinned on somebody.
      expect(timeline.filter((e) => e.type === 'commented').every((e) => e.data.importedAuthor === 'root')).toBe(true);
      const files = (await ok(admin.get(`/api/tickets/${t.id}/attachments`))).items as Array<{ filename: string; contentType: string; url: string; visibility: string }>;
      expect(files.map((f) => [f.filename, f.contentType, f.visibility])).toEqual(s.attachments.map((a) => [a.fileName, a.contentType, 'public']));
      for (const a of s.attachments) {
        const download = await admin.bytes(files.find((f) => f.filename === a.fileName)!.url);
        expect(download.status).toBe(200);
        expect(download.body.equals(a.content)).toBe(true);
      }
    }
  });

  it("should leave RT's open tickets worked in the desk, and change nothing on a second run", async () => {
    const open = await byOrigin(seeded.tickets.find((s) => s.status === 'open')!.id);
    const moved = await ok(admin.post(`/api/tickets/${open.id}/transitions`, { transition: 'resolve', fields: { resolution: 'PDF sent' } }));
    expect(moved.stateCategory).toBe('resolved');
    const resolved = await byOrigin(seeded.tickets.find((s) => s.status === 'resolved')!.id);
    expect(resolved.closedAt).not.toBeNull();

    const again = await ok(importRt());
    expect(again).toMatchObject({ created: 0, updated: 0, errorCount: 0, workflowsStarted: 0 });
    expect((await db.query(`select count(*)::int as n from tickets`)).rows[0].n).toBe(seeded.tickets.length);
  });

  it('should say what went wrong with Request Tracker and import nothing', async () => {
    const refused = await importRt({ token: '1-1-00000000000000000000000000000000' });
    expect(refused.status).toBe(422);
    expect(refused.body.type).toMatch(/\/request-tracker-failed$/);
    expect(refused.body.detail).toMatch(/refused the token/);
    const nowhere = await admin.post('/api/imports/request-tracker', { url: 'http://127.0.0.1:9', token: 'x' });
    expect(nowhere.status).toBe(422);
    expect((await admin.post('/api/imports/request-tracker', { url: 'ftp://rt.example', token: 'x' })).status).toBe(400);
  });
});
