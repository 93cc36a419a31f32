// Personal data against the real desk: a person's export as one archive, their erasure (words and files replaced,
// statistics kept, nothing half-done on bad input), and retention policies run by the durable schedule.
import { unzipSync, strFromU8 } from 'fflate';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { ADMIN, Session, eventually, signedInAs, unique, userByEmail, ok, useAdmin } from '../support/http';
import { freshDatabaseUrl, startApiProcess } from '../support/desk';

const admin = useAdmin();
let temporal: Connection;

beforeAll(async () => {
  temporal = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
});
afterAll(async () => temporal?.close());

/** A customer (in a fresh organisation) with a ticket holding a reply of theirs, an agent's reply and a file of theirs. */
async function customerWithHistory() {
  const org = await ok(admin.post('/api/organisations', { name: unique('Privacy org') }), 201);
  const email = `${unique('person')}@example.test`;
  const made = await ok(admin.post('/api/users', { email, name: 'Paula Private', role: 'customer', password: 'a-long-password-1', organisationId: org.id }), 201);
  const customer = await Session.login(email, 'a-long-password-1');
  const title = unique('My flat at 12 Rue des Lilas');
  const ticket = await ok(customer.post('/api/tickets', { type: 'incident', title, description: 'Call me on +33 6 12 34 56 78', priority: 'medium' }), 201);
  await ok(customer.post(`/api/tickets/${ticket.id}/comments`, { body: 'My neighbour Jean saw it too' }), 201);
  const agent = await signedInAs(admin, 'agent', 'Agent Smith');
  await ok(admin.post(`/api/tickets/${ticket.id}/comments`, { body: 'Dear Paula, we are on it', visibility: 'public' }), 201);
  const file = await ok(
    customer.request('POST', `/api/tickets/${ticket.id}/attachments?filename=${encodeURIComponent('passport scan.txt')}&visibility=public`, 'PASSPORT 123' as never, { 'content-type': 'text/plain' }),
    201,
  );
  return { org, email, id: made.id as string, customer, ticket, title, file, agent };
}

describe('Export', () => {
  it('should give everything the desk holds about a person as one ZIP archive', async () => {
    // A comment is answered once its event is in the read model: the history is all there.
    const p = await customerWithHistory();
    const res = await admin.raw(`/api/users/${p.id}/personal-data`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toContain(`personal-data-${p.id}.zip`);
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    const json = (name: string) => JSON.parse(strFromU8(files[name]!));
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['README.txt', 'account.json', 'tickets.json', 'comments.json', 'audit.json', 'mail.json', 'files/index.json']));
    expect(json('account.json')).toMatchObject({ id: p.id, email: p.email, name: 'Paula Private', role: 'customer', localPassword: true });
    expect(JSON.stringify(json('account.json'))).not.toMatch(/password_hash|argon/);
    const [ticket] = json('tickets.json');
    expect(ticket).toMatchObject({ title: p.title, description: 'Call me on +33 6 12 34 56 78' });
    expect(ticket.timeline.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['created', 'commented']));
    expect(json('comments.json').map((c: { body: string }) => c.body)).toEqual(['My neighbour Jean saw it too']);
    const [file] = json('files/index.json');
    expect(file).toMatchObject({ filename: 'passport scan.txt', size: 12 });
    expect(strFromU8(files[file.path]!)).toBe('PASSPORT 123');
    expect(json('audit.json').entries.length).toBeGreaterThan(0);

    expect((await admin.get(`/api/users/00000000-0000-4000-8000-000000000000/personal-data`)).status).toBe(404);
    const agent = await signedInAs(admin, 'agent');
    expect((await agent.get(`/api/users/${p.id}/personal-data`)).status).toBe(403);
  });
});

describe('Erasure', () => {
  it('should refuse a wrong confirmation and change nothing', async () => {
    const p = await customerWithHistory();
    const res = await admin.post(`/api/users/${p.id}/erase`, { confirm: 'someone.else@example.test' });
    expect(res.status).toBe(422);
    expect(res.body.type).toMatch(/confirmation-mismatch$/);
    expect((await admin.get(`/api/tickets/${p.ticket.id}`)).body.title).toBe(p.title);
    expect((await userByEmail(admin, p.email)).disabled).toBe(false);
    expect((await admin.post(`/api/users/${p.id}/erase`, {})).status).toBe(400);
  });

  it("should replace the person's words and files, anonymise their tickets, keep the statistics, and record it", async () => {
    const p = await customerWithHistory();
    // A bounce once stopped mail to the address: that record goes with the person.
    const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    await db.query(`insert into mail_undeliverable (email, status, diagnostic) values ($1, '5.1.1', '550 no such user ' || $1)`, [p.email]);
    // So did an import, keyed by the address.
    await db.query(`insert into import_keys (source, kind, external_id, local_id, digest) values ('csv:erasure', 'user', $1, $2, '')`, [p.email, p.id]);
    const report = await ok(admin.post(`/api/users/${p.id}/erase`, { confirm: p.email.toUpperCase() }));
    expect((await db.query('select 1 from mail_undeliverable where email = $1', [p.email])).rows).toEqual([]);
    expect((await db.query('select 1 from import_keys where external_id = $1', [p.email])).rows).toEqual([]);
    await db.end();
    expect(report).toMatchObject({ id: p.id, ticketsAnonymised: 1, commentsRemoved: 1, filesReplaced: 1 });

    // The account: no name, no address, no way in.
    expect((await admin.get(`/api/users?q=${encodeURIComponent(p.email)}`)).body.items).toEqual([]);
    expect((await new Session().post('/api/auth/login', { email: p.email, password: 'a-long-password-1' })).status).toBe(401);
    expect((await p.customer.get('/api/auth/me')).status).toBe(401);

    // The ticket: same number, type, priority and requester id for the reports; no words of anyone in it.
    const ticket = (await admin.get(`/api/tickets/${p.ticket.id}`)).body;
    expect(ticket).toMatchObject({ number: p.ticket.number, type: 'incident', priority: 'medium', requesterId: p.id, description: '' });
    expect(ticket.title).toBe(`Anonymised ticket ${p.ticket.number}`);
    const events = (await admin.get(`/api/tickets/${p.ticket.id}/timeline`)).body.items as Array<{ type: string; data: { body?: string } }>;
    const bodies = events.filter((e) => e.type === 'commented').map((e) => e.data.body);
    expect(bodies.length).toBeGreaterThanOrEqual(2);
    expect(new Set(bodies)).toEqual(new Set(['[removed: personal data]']));
    expect(JSON.stringify(events)).not.toMatch(/Lilas|Jean|Paula|\+33/);
    const download = await admin.get(`/api/attachments/${p.file.id}`);
    expect(download.body).toContain('removed from the service desk');
    expect(JSON.stringify((await admin.get(`/api/tickets?q=${encodeURIComponent('Lilas')}`)).body.items ?? [])).not.toContain(p.ticket.id);

    // The ticket's workflow still runs and still holds the old title: what it writes next must not bring it back.
    const after = await ok(admin.post(`/api/tickets/${p.ticket.id}/comments`, { body: 'Closing this after the erasure', visibility: 'internal' }), 201);
    expect(JSON.stringify(after)).not.toContain('Lilas');
    expect((await admin.get(`/api/tickets/${p.ticket.id}`)).body.title).toBe(`Anonymised ticket ${p.ticket.number}`);
    expect((await admin.get(`/api/tickets/${p.ticket.id}/timeline`)).body.items.length).toBe(events.length + 1);

    // The audit trail says it happened, and no longer names the address anywhere.
    const audit = (await admin.get(`/api/audit?action=${encodeURIComponent('POST /api/users/:id/erase')}`)).body.items as Array<{ target: string }>;
    expect(audit.some((a) => a.target === `/api/users/${p.id}/erase`)).toBe(true);
    const everything = await admin.get(`/api/audit?format=json`);
    expect(JSON.stringify(everything.body)).not.toContain(p.email);

    const again = await admin.post(`/api/users/${p.id}/erase`, { confirm: `erased-${p.id}@erased.invalid` });
    expect(again.status).toBe(422);
    expect(again.body.type).toMatch(/already-erased$/);
  });

  it('should refuse to erase the last admin', async () => {
    const api = await startApiProcess({ DATABASE_URL: await freshDatabaseUrl('erase_admin') });
    try {
      const own = await Session.login(ADMIN.email, ADMIN.password, api.url);
      const res = await own.post(`/api/users/${own.user!.id}/erase`, { confirm: ADMIN.email });
      expect(res.status).toBe(409);
      expect(res.body.type).toMatch(/last-admin$/);
      expect((await own.get('/api/auth/me')).status).toBe(200);
    } finally {
      await api.child.stop();
    }
  }, 60_000);
});

describe('Retention', () => {
  async function closedTicketOf(org: string): Promise<{ id: string; number: string }> {
    const email = `${unique('ret')}@example.test`;
    await ok(admin.post('/api/users', { email, name: 'Retained', role: 'customer', password: 'a-long-password-1', organisationId: org }), 201);
    const customer = await Session.login(email, 'a-long-password-1');
    const t = await ok(customer.post('/api/tickets', { type: 'incident', title: unique('Old secret matter'), priority: 'low' }), 201);
    await ok(customer.post(`/api/tickets/${t.id}/comments`, { body: 'a private detail' }), 201);
    await ok(admin.post(`/api/tickets/${t.id}/transitions`, { transition: 'resolve', fields: { resolution: 'done' } }));
    await ok(admin.post(`/api/tickets/${t.id}/transitions`, { transition: 'close' }));
    await eventually(async () => ((await admin.get(`/api/tickets/${t.id}`)).body.closedAt ? true : undefined));
    return t;
  }

  it('should count first (dry run), then anonymise only what the policy covers, once', async () => {
    const org = await ok(admin.post('/api/organisations', { name: unique('Retention org') }), 201);
    const other = await ok(admin.post('/api/organisations', { name: unique('Other org') }), 201);
    const mine = [await closedTicketOf(org.id), await closedTicketOf(org.id)];
    const theirs = await closedTicketOf(other.id);

    expect(await ok(admin.post('/api/retention/preview', { organisationId: org.id, afterDays: 0 }))).toEqual({ due: 2 });
    expect(await ok(admin.post('/api/retention/preview', { organisationId: org.id, afterDays: 30 }))).toEqual({ due: 0 });
    expect(await ok(admin.post('/api/retention/preview', { organisationId: org.id, ticketType: 'problem', afterDays: 0 }))).toEqual({ due: 0 });
    expect((await admin.post('/api/retention/preview', { afterDays: -1 })).status).toBe(400);
    expect((await admin.post('/api/retention/preview', { organisationId: '00000000-0000-4000-8000-000000000000', afterDays: 1 })).status).toBe(422);

    const policy = await ok(admin.post('/api/retention/policies', { name: unique('Closed after 0 days'), organisationId: org.id, afterDays: 0, enabled: false }), 201);
    expect(policy).toMatchObject({ due: 2, enabled: false, lastRun: null, organisationName: org.name });
    expect(await ok(admin.post(`/api/retention/policies/${policy.id}/run`))).toEqual({ anonymised: 2 });
    for (const t of mine) expect((await admin.get(`/api/tickets/${t.id}`)).body.title).toBe(`Anonymised ticket ${t.number}`);
    expect((await admin.get(`/api/tickets/${theirs.id}`)).body.title).not.toContain('Anonymised');
    expect(await ok(admin.post(`/api/retention/policies/${policy.id}/run`))).toEqual({ anonymised: 0 });
    const listed = (await admin.get('/api/retention/policies')).body.items.find((p: { id: string }) => p.id === policy.id);
    expect(listed).toMatchObject({ due: 0, lastRun: { trigger: 'manual', anonymised: 0 } });
    expect((await ok(admin.request('PATCH', `/api/retention/policies/${policy.id}`, { afterDays: 400 }))).afterDays).toBe(400);
    expect((await admin.request('DELETE', `/api/retention/policies/${policy.id}`)).status).toBe(204);
    expect((await admin.request('DELETE', `/api/retention/policies/${policy.id}`)).status).toBe(404);
  });

  it('should run the enabled policies from the daily Temporal schedule', async () => {
    const org = await ok(admin.post('/api/organisations', { name: unique('Scheduled org') }), 201);
    const t = await closedTicketOf(org.id);
    const policy = await ok(admin.post('/api/retention/policies', { name: unique('Nightly'), organisationId: org.id, afterDays: 0 }), 201);
    const schedule = new Client({ connection: temporal }).schedule.getHandle(`retention-daily-${process.env.GUICHET_TEST_TASK_QUEUE}`);
    const described = await schedule.describe();
    expect(described.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 2, end: 2, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });
    await schedule.trigger();
    await eventually(async () => ((await admin.get('/api/retention/policies')).body.items.find((p: { id: string }) => p.id === policy.id)?.lastRun?.trigger === 'schedule' ? true : undefined), 30_000);
    expect((await admin.get(`/api/tickets/${t.id}`)).body.title).toBe(`Anonymised ticket ${t.number}`);
    await admin.request('DELETE', `/api/retention/policies/${policy.id}`);
  });
});
