// CSV imports on a desk of their own: every row checked by a dry run that writes nothing, a file with a bad row
// refused whole, and a second run of the same source updating instead of duplicating. Imported tickets keep their
// dates and conversation; a closed one is history, any other is run by its workflow from the imported state.
import pg from 'pg';
import { Session, ok, unique } from '../support/http';
import { startPluginDesk, type Desk } from '../support/desk';

let desk: Desk;
let admin: Session;
let db: pg.Client;

const csv = (rows: string[][]) => rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n') + '\r\n';
const upload = (kind: string, source: string, body: string, dryRun: boolean) =>
  admin.request('POST', `/api/imports/${kind}?source=${source}&dryRun=${dryRun}&filename=${kind}.csv`, body as never, { 'content-type': 'text/csv; charset=utf-8' });

beforeAll(async () => {
  let databaseUrl: string;
  ({ desk, admin, databaseUrl } = await startPluginDesk('imports', []));
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
}, 120_000);

afterAll(async () => {
  await db?.end();
  await desk?.stop();
});

const USERS = [
  ['email', 'name', 'role', 'organisation', 'locale'],
  ['marie@legacy.test', 'Marie Curie', 'customer', 'Radium SA', 'fr'],
  ['ada@legacy.test', 'Ada Lovelace', 'customer', 'Engines Ltd', ''],
  ['grace@legacy.test', 'Grace Hopper', 'agent', '', 'en'],
];

describe('CSV import', () => {
  it('should report every bad row in a dry run, refuse a file with one, and write a good one once', async () => {
    const bad = csv([...USERS, ['not-an-address', 'Nobody', 'customer', '', ''], ['boss@legacy.test', 'Boss', 'admin', '', ''], ['ada@legacy.test', 'Ada again', 'customer', '', '']]);
    const dry = await ok(upload('users', 'legacy', bad, true));
    expect(dry).toMatchObject({ dryRun: true, written: false, rows: 6, errorCount: 3 });
    expect(dry.errors).toEqual([
      { row: 5, column: 'email', message: "'not-an-address' is not an e-mail address" },
      { row: 6, column: 'role', message: "role 'admin' is not one of customer, agent" },
      { row: 7, column: 'email', message: "'ada@legacy.test' appears twice in the file" },
    ]);
    const refused = await upload('users', 'legacy', bad, false);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ written: false, errorCount: 3 });
    expect((await db.query(`select count(*)::int as n from users where email like '%@legacy.test'`)).rows[0].n).toBe(0);

    const good = csv(USERS);
    const checked = await ok(upload('users', 'legacy', good, true));
    expect(checked).toMatchObject({ written: false, rows: 3, created: 3, errorCount: 0 });
    expect((await db.query(`select count(*)::int as n from users where email like '%@legacy.test'`)).rows[0].n).toBe(0);
    expect((await db.query(`select count(*)::int as n from organisations where name in ('Radium SA', 'Engines Ltd')`)).rows[0].n).toBe(0);

    expect(await ok(upload('users', 'legacy', good, false))).toMatchObject({ written: true, created: 3, updated: 0 });
    const { rows } = await db.query(`select u.email, u.name, u.role, u.locale, o.name as org, u.password_hash from users u left join organisations o on o.id = u.organisation_id where email like '%@legacy.test' order by email`);
    expect(rows).toEqual([
      { email: 'ada@legacy.test', name: 'Ada Lovelace', role: 'customer', locale: 'en', org: 'Engines Ltd', password_hash: null },
      { email: 'grace@legacy.test', name: 'Grace Hopper', role: 'agent', locale: 'en', org: null, password_hash: null },
      { email: 'marie@legacy.test', name: 'Marie Curie', role: 'customer', locale: 'fr', org: 'Radium SA', password_hash: null },
    ]);
    // The same file again changes nothing; a corrected name is one update; the seeded admin is never touched by a file.
    expect(await ok(upload('users', 'legacy', good, false))).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    const renamed = csv([USERS[0], ['ada@legacy.test', 'Augusta Ada King', 'customer', 'Engines Ltd', ''], ['admin@guichet.test', 'Hijacked', 'customer', '', '']]);
    const second = await ok(upload('users', 'legacy', renamed, false));
    expect(second).toMatchObject({ created: 0, updated: 1, skipped: 1 });
    expect(second.notes).toEqual(['line 3: admin@guichet.test is an administrator here: left as it is']);
    expect((await db.query(`select name from users where email = 'admin@guichet.test'`)).rows[0].name).not.toBe('Hijacked');

    const runs = await ok(admin.get('/api/imports'));
    expect(runs.items.slice(0, 3).map((r: { outcome: string; dryRun: boolean }) => [r.outcome, r.dryRun])).toEqual([['done', false], ['done', false], ['done', false]]);
    expect(runs.items.find((r: { outcome: string }) => r.outcome === 'refused')).toMatchObject({ source: 'csv:legacy', kind: 'users', dryRun: false });
  });

  it('should import organisations and assets, updating what a second run changed', async () => {
    expect(await ok(upload('organisations', 'legacy', csv([['id', 'name'], ['42', 'Radium SA'], ['43', 'Observatoire']]), false))).toMatchObject({ created: 1, unchanged: 1 });
    expect(await ok(upload('organisations', 'legacy', csv([['id', 'name'], ['43', "Observatoire de l'Ouest"]]), false))).toMatchObject({ updated: 1 });
    expect((await db.query(`select count(*)::int as n from organisations where name like 'Observatoire%'`)).rows[0].n).toBe(1);

    const assets = [['id', 'name', 'kind', 'location', 'criticality'], ['A-1', 'Boiler 1', 'equipment', 'Basement', 'high'], ['A-2', 'Lyon site', 'site', 'Lyon', '']];
    expect(await ok(upload('assets', 'legacy', csv(assets), false))).toMatchObject({ created: 2 });
    const moved = await ok(upload('assets', 'legacy', csv([assets[0], ['A-1', 'Boiler 1', 'equipment', 'Roof', 'critical'], assets[2]]), false));
    expect(moved).toMatchObject({ created: 0, updated: 1, unchanged: 1 });
    expect((await db.query(`select location, criticality from assets where name = 'Boiler 1'`)).rows).toEqual([{ location: 'Roof', criticality: 'critical' }]);
    const wrong = await ok(upload('assets', 'legacy', csv([['name', 'kind', 'colour'], ['X', 'robot', 'red']]), true));
    expect(wrong.errors).toEqual([expect.objectContaining({ row: 1, column: 'colour' })]);
  });

  it('should import tickets with their conversation and dates: closed ones as history, open ones worked by their workflow', async () => {
    const title = unique('Printer on fire');
    const header = ['id', 'type', 'title', 'description', 'priority', 'state', 'queue', 'requester', 'requester_name', 'assignee', 'created_at', 'closed_at', 'tags', 'field.category', 'comment', 'comment', 'note'];
    const closed = ['T-1', 'incident', `${title} (old)`, 'It smoked; then it burned.', 'high', 'closed', 'service_desk', 'marie@legacy.test', '', 'grace@legacy.test', '2023-03-01 09:00', '2023-03-03T17:30:00+01:00', 'printer; fire', 'hardware',
      '2023-03-01T09:05:00Z;marie@legacy.test;It is still smoking; please hurry.', '2023-03-01T10:00:00Z;grace@legacy.test;A technician is on the way.', '2023-03-01T10:01:00Z;grace@legacy.test;Facilities called.'];
    const open = ['T-2', 'incident', `${title} (new)`, '', 'medium', 'in_progress', '', 'newcomer@legacy.test', 'Nadia Newcomer', 'grace@legacy.test', '2024-05-02T08:00:00Z', '', '', '', '2024-05-02T08:30:00Z;grace@legacy.test;Looking at it.', '', ''];
    const broken = ['T-3', 'incident', 'Broken row', '', 'urgent', 'nowhere', 'no_such_queue', 'marie@legacy.test', '', 'marie@legacy.test', '2999-01-01', '', '', '', '', '', ''];

    const dry = await ok(upload('tickets', 'legacy', csv([header, closed, open, broken]), true));
    expect(dry.errors).toEqual([
      { row: 4, column: 'priority', message: "priority 'urgent' is not one of low, medium, high, critical" },
      { row: 4, column: 'created_at', message: expect.stringMatching(/^created_at 2999-01-01T00:00:00.000Z is in the future/) },
    ]);
    const dry2 = await ok(upload('tickets', 'legacy', csv([header, closed, open, ['T-3', 'incident', 'Broken row', '', 'low', 'nowhere', 'no_such_queue', 'marie@legacy.test', '', 'marie@legacy.test', '2024-01-01', '', '', '', '', '', '']]), true));
    expect(dry2.errors.map((e: { column: string }) => e.column)).toEqual(['state', 'queue']);
    expect((await db.query(`select count(*)::int as n from tickets where title like $1`, [`${title}%`])).rows[0].n).toBe(0);
    const assigneeCustomer = await ok(upload('tickets', 'legacy', csv([header, ['T-3', 'incident', 'Broken row', '', 'low', '', '', 'marie@legacy.test', '', 'marie@legacy.test', '2024-01-01', '', '', '', '', '', '']]), true));
    expect(assigneeCustomer.errors).toEqual([{ row: 2, column: 'assignee', message: 'marie@legacy.test is a customer here: only agents are assigned tickets' }]);

    const report = await ok(upload('tickets', 'legacy', csv([header, closed, open]), false));
    expect(report).toMatchObject({ written: true, created: 2, usersCreated: 1, workflowsStarted: 1, errorCount: 0 });

    const list = await ok(admin.get(`/api/tickets?q=${encodeURIComponent(title)}&limit=10`));
    const old = list.items.find((t: { title: string }) => t.title.endsWith('(old)'));
    const fresh = list.items.find((t: { title: string }) => t.title.endsWith('(new)'));
    expect(old).toMatchObject({ state: 'closed', stateCategory: 'closed', priority: 'high', createdAt: '2023-03-01T09:00:00.000Z', closedAt: '2023-03-03T16:30:00.000Z', tags: ['fire', 'printer'] });
    expect(old.number).toMatch(/^INC-\d{6}$/);
    const oldTimeline = (await ok(admin.get(`/api/tickets/${old.id}/timeline`))).items;
    expect(oldTimeline.map((e: { seq: number; type: string; at: string; visibility: string }) => [e.seq, e.type, e.at, e.visibility])).toEqual([
      [1, 'created', '2023-03-01T09:00:00.000Z', 'public'],
      [2, 'commented', '2023-03-01T09:05:00.000Z', 'public'],
      [3, 'commented', '2023-03-01T10:00:00.000Z', 'public'],
      [4, 'commented', '2023-03-01T10:01:00.000Z', 'internal'],
    ]);
    expect(oldTimeline[1].data.body).toBe('It is still smoking; please hurry.');
    // The requester sees the public conversation only, under her own account.
    const marie = (await db.query(`select id from users where email = 'marie@legacy.test'`)).rows[0].id;
    expect(old.requesterId).toBe(marie);
    // A closed ticket's workflow is long gone, as for any ticket closed long ago: nothing is offered, and a move is refused.
    expect(await ok(admin.get(`/api/tickets/${old.id}/transitions`))).toEqual({ items: [] });
    expect((await admin.post(`/api/tickets/${old.id}/transitions`, { transition: 'reopen_closed' })).status).toBe(409);

    expect(fresh).toMatchObject({ state: 'in_progress', queue: 'service_desk', createdAt: '2024-05-02T08:00:00.000Z' });
    const nadia = (await db.query(`select name, role from users where email = 'newcomer@legacy.test'`)).rows[0];
    expect(nadia).toEqual({ name: 'Nadia Newcomer', role: 'customer' });
    // The open ticket is live: it moves on, and its timeline goes on after the imported events.
    const moved = await ok(admin.post(`/api/tickets/${fresh.id}/transitions`, { transition: 'wait_for_customer', fields: { pending_reason: 'which printer?' } }));
    expect(moved).toMatchObject({ state: 'pending_customer' });
    const freshTimeline = (await ok(admin.get(`/api/tickets/${fresh.id}/timeline`))).items;
    expect(freshTimeline.map((e: { seq: number; type: string }) => [e.seq, e.type])).toEqual([[1, 'created'], [2, 'commented'], [3, 'transitioned']]);

    // The same file again: nothing changes. A corrected closed ticket is rewritten; the open one, now the desk's, is kept.
    expect(await ok(upload('tickets', 'legacy', csv([header, closed, open]), false))).toMatchObject({ created: 0, updated: 0, unchanged: 2, workflowsStarted: 0 });
    const edited = [...closed];
    edited[16] = '2023-03-01T10:01:00Z;grace@legacy.test;Facilities called; fire brigade too.';
    const openEdited = [...open];
    openEdited[14] = '2024-05-02T08:30:00Z;grace@legacy.test;Looking at it now.';
    const third = await ok(upload('tickets', 'legacy', csv([header, edited, openEdited]), false));
    expect(third).toMatchObject({ created: 0, updated: 1, skipped: 1 });
    expect(third.notes).toEqual([expect.stringContaining(`${fresh.number} was not closed when imported and is worked in the desk now`)]);
    const rewritten = (await ok(admin.get(`/api/tickets/${old.id}/timeline`))).items;
    expect(rewritten.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(rewritten[3].data.body).toBe('Facilities called; fire brigade too.');
    expect((await db.query(`select count(*)::int as n from tickets where title like $1`, [`${title}%`])).rows[0].n).toBe(2);
    // Reports count imported tickets like any other.
    expect((await db.query(`select state_category from ticket_facts where ticket_id = $1`, [old.id])).rows).toEqual([{ state_category: 'closed' }]);
  });

  it('should never bring back a person erased from the desk, nor the words of their anonymised tickets', async () => {
    const people = [['email', 'name'], ['eve@legacy.test', 'Eve Erased']];
    await ok(upload('users', 'privacy', csv(people), false));
    const header = ['id', 'title', 'requester', 'created_at', 'state', 'comment'];
    const ticket = ['P-1', 'My salary slip', 'eve@legacy.test', '2023-05-01', 'closed', '2023-05-01T10:00:00Z;eve@legacy.test;My IBAN is FR76…'];
    await ok(upload('tickets', 'privacy', csv([header, ticket]), false));
    const eve = (await db.query(`select id from users where email = 'eve@legacy.test'`)).rows[0].id;
    await ok(admin.post(`/api/users/${eve}/erase`, { confirm: 'eve@legacy.test' }));

    const again = await ok(upload('users', 'privacy', csv(people), false));
    expect(again).toMatchObject({ created: 0, skipped: 1, notes: ['line 2: eve@legacy.test was erased from this desk: not made again'] });
    const edited = [...ticket];
    edited[5] = '2023-05-01T10:00:00Z;eve@legacy.test;My IBAN is FR76 3000…';
    const tickets = await ok(upload('tickets', 'privacy', csv([header, edited, ['P-2', 'Another', 'eve@legacy.test', '2023-06-01', 'closed', '']]), false));
    expect(tickets).toMatchObject({ created: 0, updated: 0, skipped: 2 });
    expect(tickets.notes).toEqual([expect.stringMatching(/line 2: INC-\d{6} was anonymised in the desk: left as it is$/), 'tickets.csv line 3: names a person erased from this desk: left out']);
    expect((await db.query(`select count(*)::int as n from users where email = 'eve@legacy.test'`)).rows[0].n).toBe(0);
    expect((await db.query(`select count(*)::int as n from ticket_events where data->>'body' like '%IBAN%'`)).rows[0].n).toBe(0);
  });

  it('should refuse what is not a CSV import', async () => {
    expect((await admin.request('POST', '/api/imports/tickets?source=legacy', { a: 1 })).status).toBe(415);
    expect((await admin.request('POST', '/api/imports/planets?source=legacy', 'name\nMars\n' as never, { 'content-type': 'text/csv' })).status).toBe(404);
    const noSource = await admin.request('POST', '/api/imports/users?source=Bad%20Name', 'email,name\n' as never, { 'content-type': 'text/csv' });
    expect(noSource.status).toBe(400);
    expect((await ok(upload('users', 'legacy', '', true))).errors).toEqual([{ row: 1, message: 'the file is empty: the first row names the columns' }]);
    const shifted = await ok(upload('users', 'legacy', 'email,name\nmarie@legacy.test,Curie, Marie\n', true));
    expect(shifted.errors).toEqual([{ row: 2, message: 'the row has 3 cells and the header names 2 columns: quote cells that hold a comma' }]);
    const unclosed = await ok(upload('users', 'legacy', 'email,name\n"broken@legacy.test,Broken\n', true));
    expect(unclosed.errors[0].message).toMatch(/cannot be read as CSV/);
  });
});
