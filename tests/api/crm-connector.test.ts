// The first-party CRM connector (plugins/crm) against real servers: a second PostgreSQL database stands in for the CRM
// (read in read-only transactions, parameterised, within a time limit, cached), a local HTTP server for a CRM's JSON
// API, and the contact sync runs as a Temporal schedule in the worker, writing customers and organisations through the
// plug-in API's directory with a report of what it created, updated and skipped.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { Client, Connection } from '@temporalio/client';
import { Session, eventually, ok, signedInAs, unique, userByEmail } from '../support/http';
import { firstPartyPlugin, freshDatabaseUrl, startPluginDesk, type Desk } from '../support/desk';

let desk: Desk;
let admin: Session;
let agent: Session;
let databaseUrl: string;
let crmUrl: string;
let crm: pg.Client;
let connection: Connection;
let temporal: Client;
let api: http.Server;
let apiUrl: string;
const apiCalls: { url: string; authorization: string | undefined }[] = [];
let TASK_QUEUE: string;
const KEY = Buffer.alloc(32, 9).toString('base64');

const crmPlugin = async () => ((await ok(admin.get('/api/plugins'))).items as any[]).find((p) => p.name === 'crm');

beforeAll(async () => {
  crmUrl = await freshDatabaseUrl('crm');
  crm = new pg.Client({ connectionString: crmUrl });
  await crm.connect();
  await crm.query(`create table companies (name text primary key, industry text, account_manager text)`);
  await crm.query(`create table contacts (email text primary key, full_name text not null, company text references companies(name), tier text, phone text, active boolean not null default true)`);
  await crm.query(`insert into companies values ('Initech', 'Software', 'Bill Lumbergh'), ('Hooli', 'Search', 'Gavin Belson')`);
  // A JSON API in front of the same kind of data, answering only callers with the right token.
  api = http.createServer((req, res) => {
    apiCalls.push({ url: req.url!, authorization: req.headers.authorization });
    if (req.headers.authorization !== 'Bearer crm-api-token') return void res.writeHead(401).end();
    const url = new URL(req.url!, 'http://crm');
    const email = url.pathname.startsWith('/contacts/') ? decodeURIComponent(url.pathname.slice('/contacts/'.length)) : '';
    if (email === 'slow@example.test') return void setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), 3000);
    if (email === 'ines@example.test') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: 'Inès', plan: 'Gold', seats: 12, address: { city: 'Lyon' } }));
    if (url.pathname === '/contacts') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ email: 'Jules@Example.test', name: 'Jules', organisation: 'Hooli' }, { email: 'nope', name: 'Broken' }]));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;

  ({ desk, admin, databaseUrl, taskQueue: TASK_QUEUE } = await startPluginDesk('crm_desk', [firstPartyPlugin('crm')], { WEBHOOK_SECRETS_KEY: KEY }));
  agent = await signedInAs(admin, 'agent', 'Agnès');
  connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
  temporal = new Client({ connection });
});

afterAll(async () => {
  await desk?.stop();
  await crm?.end();
  await connection?.close();
  await new Promise((resolve) => api?.close(resolve));
});

async function ticketOf(email: string, organisation?: string) {
  const org = organisation ? await ok(admin.post('/api/organisations', { name: organisation }), 201) : null;
  await ok(admin.post('/api/users', { email, name: email.split('@')[0], role: 'customer', password: 'a-long-password-1', ...(org ? { organisationId: org.id } : {}) }), 201);
  const customer = await Session.login(email, 'a-long-password-1', desk.url);
  return ok(customer.post('/api/tickets', { type: 'incident', title: 'Invoice wrong', description: 'Twice billed', priority: 'medium' }), 201);
}

const panel = async (ticketId: string) => (await ok(agent.get(`/api/tickets/${ticketId}/panels/crm/customer`))).content;

describe('CRM connector', () => {
  it('should show the requester and organisation from a SQL database, cached, read-only, with its secret sealed', async () => {
    const sql = {
      source: 'sql',
      databaseUrl: crmUrl,
      contactQuery: 'select full_name, tier, phone from contacts where lower(email) = lower($1)',
      organisationQuery: 'select industry, account_manager from companies where name = $1',
      recordUrl: 'https://crm.example.test/contacts/{email}',
      cacheSeconds: 600,
    };
    await ok(admin.request('PUT', '/api/plugins/crm/settings', sql));
    const listed = await crmPlugin();
    expect(listed).toMatchObject({ status: 'running', panels: ['customer'], settings: { secretsSet: ['databaseUrl'] } });
    expect(JSON.stringify(listed)).not.toContain(crmUrl);

    const email = `${unique('alice')}@initech.test`;
    await crm.query(`insert into contacts values ($1, 'Alice Martin', 'Initech', 'Platinum', '+33 1 23 45 67 89')`, [email]);
    const ticket = await ticketOf(email, 'Initech');
    expect(await panel(ticket.id)).toEqual({
      summary: `CRM record of ${email}`,
      rows: [
        { label: 'Full name', value: 'Alice Martin' },
        { label: 'Tier', value: 'Platinum' },
        { label: 'Phone', value: '+33 1 23 45 67 89' },
        { label: 'Organisation · Industry', value: 'Software' },
        { label: 'Organisation · Account manager', value: 'Bill Lumbergh' },
      ],
      links: [{ label: 'Open in the CRM', href: `https://crm.example.test/contacts/${encodeURIComponent(email)}` }],
    });
    // Cached: a change in the CRM shows after the cache time, not at the next opening; the admin's lookup reads it now.
    await crm.query(`update contacts set tier = 'Silver' where email = $1`, [email]);
    expect((await panel(ticket.id)).rows[1]).toEqual({ label: 'Tier', value: 'Platinum' });
    expect(await ok(admin.post('/api/plugins/crm/lookup', { email }))).toEqual({ found: true, rows: expect.arrayContaining([{ label: 'Tier', value: 'Silver' }]) });

    // A requester the CRM does not know.
    const stranger = await ticketOf(`${unique('bob')}@example.test`);
    expect(await panel(stranger.id)).toMatchObject({ summary: expect.stringMatching(/^No CRM record for bob/), rows: [] });

    // A query that tries to write is refused by the CRM's server (read-only transaction); nothing changes there.
    await ok(admin.request('PUT', '/api/plugins/crm/settings', { ...sql, databaseUrl: undefined, contactQuery: 'delete from contacts where email = $1 returning *' }));
    const refused = await admin.post('/api/plugins/crm/lookup', { email });
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toMatch(/read-only transaction/);
    expect((await crm.query('select count(*)::int as n from contacts where email = $1', [email])).rows[0].n).toBe(1);
    // Two statements in one are refused too (the extended protocol takes one).
    await ok(admin.request('PUT', '/api/plugins/crm/settings', { ...sql, databaseUrl: undefined, contactQuery: 'select 1 where $1 is not null; select 2' }));
    expect((await admin.post('/api/plugins/crm/lookup', { email })).body.detail).toMatch(/multiple commands/);

    // A slow query is cut at the time limit: the panel fails (reported), the desk does not wait.
    await ok(admin.request('PUT', '/api/plugins/crm/settings', { ...sql, databaseUrl: undefined, contactQuery: 'select pg_sleep(5), $1::text as email', timeoutMs: 300, cacheSeconds: 0 }));
    const started = Date.now();
    const slow = await agent.get(`/api/tickets/${ticket.id}/panels/crm/customer`);
    expect(slow.status).toBe(502);
    expect(Date.now() - started).toBeLessThan(4000);
    expect((await crmPlugin()).recentErrors[0].message).toMatch(/statement timeout|canceling statement|timeout/i);

    // The database URL is sealed at rest and never in the audit trail.
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query(`select "values"::text as v, secrets->>'databaseUrl' as sealed from plugin_settings where plugin = 'crm'`);
      expect(rows[0].sealed).toMatch(/^v1:/);
      expect(rows[0].v).not.toContain(crmUrl);
      const audit = await db.query(`select count(*) filter (where a::text like $1)::int as leaked, count(*)::int as n from audit_log a where a::text like '%plugin_settings%'`, [
        `%${new URL(crmUrl).pathname.slice(1)}%`,
      ]);
      expect(audit.rows[0]).toEqual({ leaked: 0, n: expect.any(Number) });
      expect(audit.rows[0].n).toBeGreaterThan(0);
    } finally {
      await db.end();
    }
  });

  it('should read a JSON API with its token, within the time limit, and sync its contacts', async () => {
    await ok(admin.request('PUT', '/api/plugins/crm/settings', { source: 'http', contactUrl: `${apiUrl}/contacts/{email}`, apiToken: 'crm-api-token', timeoutMs: 500, syncUrl: `${apiUrl}/contacts` }));
    const ticket = await ticketOf('ines@example.test');
    // Nested values are left out; numbers are shown as text.
    expect(await panel(ticket.id)).toEqual({ summary: 'CRM record of ines@example.test', rows: [{ label: 'Name', value: 'Inès' }, { label: 'Plan', value: 'Gold' }, { label: 'Seats', value: '12' }], links: [] });
    expect(apiCalls.at(-1)).toEqual({ url: '/contacts/ines%40example.test', authorization: 'Bearer crm-api-token' });
    const slow = await admin.post('/api/plugins/crm/lookup', { email: 'slow@example.test' });
    expect(slow.status).toBe(422);
    expect(slow.body.detail).toBe('the CRM API could not be reached: no answer within 500 ms');

    // No interval set: the schedule exists, paused; an admin may still run it now.
    const schedule = (await crmPlugin()).schedules[0];
    expect(schedule).toMatchObject({ key: 'sync', title: 'Contact sync', everyMinutes: null, paused: true, nextRunAt: null });
    const run = await ok(admin.post('/api/plugins/crm/schedules/sync/runs', {}), 202);
    const done = await eventually(async () => (await crmPlugin()).schedules[0].runs.find((r: any) => r.id === run.id && r.status !== 'running'));
    expect(done).toMatchObject({ trigger: 'admin', status: 'succeeded', error: null, report: { created: 1, updated: 0, unchanged: 0, skipped: 1, notes: ["row 2: 'nope' is not an e-mail address"] } });
    expect(await userByEmail(admin, 'jules@example.test')).toMatchObject({ name: 'Jules', role: 'customer', disabled: false, organisationId: expect.any(String) });
  });

  it('should sync contacts from SQL on a Temporal schedule: created, updated, unchanged and skipped, staff never touched', async () => {
    const staff = agent.user!.email;
    const existing = `${unique('carol')}@example.test`;
    await ok(admin.post('/api/users', { email: existing, name: 'Carol Old', role: 'customer', password: 'a-long-password-1' }), 201);
    const fresh = `${unique('dave')}@hooli.test`;
    await crm.query(`insert into contacts values ($1, 'Carol New', 'Hooli', null, null, true), ($2, 'Dave', 'Hooli', null, null, true), ($3, 'Not An Agent', null, null, null, true), ('gone@example.test', 'Gone', null, null, null, false)`, [
      existing,
      fresh,
      staff,
    ]);
    const syncQuery = `select email, full_name as name, company as organisation from contacts where active and email = any(array['${existing}', '${fresh}', '${staff}'])`;
    await ok(admin.request('PUT', '/api/plugins/crm/settings', { source: 'sql', databaseUrl: crmUrl, contactQuery: 'select full_name from contacts where email = $1', syncEveryMinutes: 45, syncQuery }));

    // The settings set the Temporal schedule: every 45 minutes, on this desk's task queue.
    const listed = (await crmPlugin()).schedules[0];
    expect(listed).toMatchObject({ everyMinutes: 45, paused: false, nextRunAt: expect.any(String) });
    const described = await temporal.schedule.getHandle(`plugin-schedule-${TASK_QUEUE}-crm-sync`).describe();
    expect(described.spec.intervals?.[0]?.every).toBe(45 * 60_000);
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'pluginScheduleWorkflow', taskQueue: TASK_QUEUE });

    // The schedule's own trigger runs it as the interval would.
    await temporal.schedule.getHandle(`plugin-schedule-${TASK_QUEUE}-crm-sync`).trigger();
    const first = await eventually(async () => (await crmPlugin()).schedules[0].runs.find((r: any) => r.trigger === 'schedule' && r.status !== 'running'));
    expect(first).toMatchObject({ status: 'succeeded', report: { created: 1, updated: 1, unchanged: 0, skipped: 1, notes: [`${staff} is a staff account: left as it is`] } });
    const carol = await userByEmail(admin, existing);
    expect(carol).toMatchObject({ name: 'Carol New', role: 'customer' });
    expect((await userByEmail(admin, fresh)).organisationId).toBe(carol.organisationId);
    expect(await userByEmail(admin, staff)).toMatchObject({ name: 'Agnès', role: 'agent' });

    // A source without an organisation column leaves each contact's organisation as it is; a locale column sets the
    // language the desk writes to them in.
    await ok(admin.request('PUT', '/api/plugins/crm/settings', { source: 'sql', contactQuery: 'select full_name from contacts where email = $1', syncEveryMinutes: 45, syncQuery: `select email, full_name as name, 'FR' as locale from contacts where email = '${existing}';` }));
    const noOrg = await ok(admin.post('/api/plugins/crm/schedules/sync/runs', {}), 202);
    const kept = await eventually(async () => (await crmPlugin()).schedules[0].runs.find((r: any) => r.id === noOrg.id && r.status !== 'running'));
    expect(kept.report).toMatchObject({ created: 0, updated: 1, unchanged: 0 });
    expect(await userByEmail(admin, existing)).toMatchObject({ organisationId: carol.organisationId, locale: 'fr' });
    await ok(admin.request('PUT', '/api/plugins/crm/settings', { source: 'sql', contactQuery: 'select full_name from contacts where email = $1', syncEveryMinutes: 45, syncQuery }));

    // Run again: nothing changes, nothing duplicates.
    const again = await ok(admin.post('/api/plugins/crm/schedules/sync/runs', {}), 202);
    const second = await eventually(async () => (await crmPlugin()).schedules[0].runs.find((r: any) => r.id === again.id && r.status !== 'running'));
    expect(second.report).toMatchObject({ created: 0, updated: 0, unchanged: 2, skipped: 1 });

    // A person erased from the desk is not made again by the next run, though the CRM still lists them.
    const dave = await userByEmail(admin, fresh);
    await ok(admin.post(`/api/users/${dave.id}/erase`, { confirm: fresh }));
    const afterErasure = await ok(admin.post('/api/plugins/crm/schedules/sync/runs', {}), 202);
    const third = await eventually(async () => (await crmPlugin()).schedules[0].runs.find((r: any) => r.id === afterErasure.id && r.status !== 'running'));
    expect(third.report).toMatchObject({ created: 0, unchanged: 1, skipped: 2 });
    expect(third.report.notes).toContain(`${fresh} was erased from this desk: not made again`);
    expect((await admin.get(`/api/users?q=${encodeURIComponent(fresh)}`)).body.items).toEqual([]);

    // A broken source is a failed run, recorded and reported, and the desk is unchanged.
    await ok(admin.request('PUT', '/api/plugins/crm/settings', { source: 'sql', contactQuery: 'select full_name from contacts where email = $1', syncEveryMinutes: 45, syncQuery: 'select nothing from nowhere' }));
    const broken = await ok(admin.post('/api/plugins/crm/schedules/sync/runs', {}), 202);
    const failed = await eventually(async () => (await crmPlugin()).schedules[0].runs.find((r: any) => r.id === broken.id && r.status !== 'running'));
    expect(failed).toMatchObject({ status: 'failed', report: null, error: expect.stringMatching(/relation "nowhere" does not exist/) });
    expect((await crmPlugin()).recentErrors[0]).toMatchObject({ process: 'worker', phase: 'schedule' });

    // Turning the sync off pauses the schedule.
    await ok(admin.request('PUT', '/api/plugins/crm/settings', { source: 'sql', contactQuery: 'select full_name from contacts where email = $1' }));
    expect((await temporal.schedule.getHandle(`plugin-schedule-${TASK_QUEUE}-crm-sync`).describe()).state.paused).toBe(true);
    expect((await admin.post('/api/plugins/crm/schedules/nothing/runs', {})).status).toBe(404);
    expect((await agent.post('/api/plugins/crm/schedules/sync/runs', {})).status).toBe(403);
  });

  it("should delete this desk's schedules no loaded plug-in declares when the API starts, and leave other desks' alone", async () => {
    const action = (taskQueue: string) => ({ type: 'startWorkflow' as const, workflowType: 'pluginScheduleWorkflow', taskQueue, args: [{ plugin: 'removed', key: 'sync', trigger: 'schedule' }] });
    const orphan = `plugin-schedule-${TASK_QUEUE}-removed-sync`;
    // Another desk whose task queue begins with this one's name: its schedule's id begins like ours.
    const neighbour = `plugin-schedule-${TASK_QUEUE}-2-crm-sync`;
    for (const [scheduleId, taskQueue] of [
      [orphan, TASK_QUEUE],
      [neighbour, `${TASK_QUEUE}-2`],
    ] as const) {
      await temporal.schedule.create({ scheduleId, spec: { intervals: [{ every: '1 day' }] }, action: action(taskQueue), state: { paused: true } });
    }
    await desk.api.stop('SIGTERM');
    await desk.startApi();
    await expect(temporal.schedule.getHandle(orphan).describe()).rejects.toThrow(/not found/i);
    expect((await temporal.schedule.getHandle(neighbour).describe()).action).toMatchObject({ taskQueue: `${TASK_QUEUE}-2` });
    expect((await temporal.schedule.getHandle(`plugin-schedule-${TASK_QUEUE}-crm-sync`).describe()).state.paused).toBe(true);
    await temporal.schedule.getHandle(neighbour).delete();
  });
});
