// Plug-ins against the real desk (PostgreSQL, the Temporal dev server, an API and a worker): a test plug-in uses every
// extension point of the plug-in API v1 (its migrations, settings with a secret, public/user/admin routes in the
// OpenAPI document, a ticket-event listener); a plug-in whose listener always throws, one whose module does not parse
// and one that is not there leave the desk serving, each error on the admin page.
import path from 'node:path';
import pg from 'pg';
import { ADMIN, Session, eventually, ok, signedInAs, unique } from '../support/http';
import { freshDatabaseUrl, startApiProcess, startDesk, type Desk } from '../support/desk';

let desk: Desk;
let admin: Session;
let databaseUrl: string;
const TASK_QUEUE = unique('guichet-plugins');
const plugin = (name: string) => path.resolve(import.meta.dirname, '..', 'plugins', name);
const KEY = Buffer.alloc(32, 7).toString('base64');

const plugins = async () => (await ok(admin.get('/api/plugins'))).items as any[];
const named = async (name: string) => (await plugins()).find((p) => p.name === name);

beforeAll(async () => {
  databaseUrl = await freshDatabaseUrl('plugins');
  desk = await startDesk({
    taskQueue: TASK_QUEUE,
    env: { DATABASE_URL: databaseUrl, WEBHOOK_SECRETS_KEY: KEY, PLUGINS: [plugin('echo'), plugin('loud'), plugin('broken'), plugin('nowhere')].join(',') },
  });
  admin = await Session.login(ADMIN.email, ADMIN.password, desk.url);
});

afterAll(async () => {
  await desk?.stop();
});

describe('Plug-ins', () => {
  it('should leave the desk serving when plug-ins are broken, with each error on the admin page', async () => {
    expect((await fetch(`${desk.url}/readyz`)).status).toBe(200);
    const list = await plugins();
    expect(list.map((p) => [p.name, p.status])).toEqual([
      ['echo', 'not_configured'],
      ['loud', 'running'],
      ['broken', 'failed'],
      [plugin('nowhere'), 'failed'],
    ]);
    const broken = list.find((p) => p.name === 'broken');
    expect(broken.error).toMatch(/SyntaxError|Unexpected/i);
    expect(broken.routes).toEqual([]);
    // The worker reports its own failure to load it, once the API has created the table (they start together).
    const both = await eventually(async () => {
      const errors = (await named('broken')).recentErrors.map((e: any) => `${e.process} ${e.phase}`);
      return errors.includes('worker load') ? errors : undefined;
    });
    expect(both).toContain('api load');
    expect(list[3].error).toMatch(/cannot read .*nowhere.*guichet-plugin\.json/);
    const echo = list[0];
    expect(echo).toMatchObject({ version: '1.2.0', listeners: 1, panels: ['heard', 'faulty'], migrations: ['001-heard.sql', '002-heard-index.sql', '003-paged.sql', '004-beats.sql'], actions: ['page'], pages: ['stats', 'admin-only'], error: null });
    expect(echo.schedules.map((x: any) => x.key)).toEqual(['tally']);
    expect(echo.backgrounds).toEqual(['Heartbeat']);
    expect(echo.routes.map((r: any) => `${r.method} ${r.path} ${r.access}`)).toEqual([
      'GET /api/plugins/echo/ping public',
      'GET /api/plugins/echo/hello user',
      'POST /api/plugins/echo/echo admin',
      'GET /api/plugins/echo/heard/:ticketId user',
      'GET /api/plugins/echo/refuse user',
      'GET /api/plugins/echo/boom user',
      'GET /api/plugins/echo/paged/:ticketId user',
    ]);
    expect(echo.settings.problems).toEqual([{ pointer: '/greeting', message: 'is required' }]);

    // Its routes are documented with the desk's, and only admins see the plug-in page.
    const doc = await ok(admin.get('/api/openapi.json'));
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/plugins/echo/hello', '/api/plugins/echo/heard/{ticketId}', '/api/plugins']));
    const agent = await signedInAs(admin, 'agent', 'Ada');
    expect((await agent.get('/api/plugins')).status).toBe(403);
  });

  it('should keep settings to the schema, seal the secret and hand the plug-in what the admin saved', async () => {
    const agent = await signedInAs(admin, 'agent', 'Alba');
    const waiting = await agent.get('/api/plugins/echo/hello');
    expect(waiting.status).toBe(503);
    expect(waiting.body.type).toMatch(/\/plugin-not-configured$/);

    const refused = await admin.request('PUT', '/api/plugins/echo/settings', { maxItems: 'many', colour: 'red', apiToken: 'x' });
    expect(refused.status).toBe(422);
    expect(refused.body.errors.map((e: any) => e.pointer).sort()).toEqual(['/apiToken', '/colour', '/greeting', '/maxItems']);
    expect((await named('echo')).settings.updatedAt).toBeNull();

    const saved = await ok(admin.request('PUT', '/api/plugins/echo/settings', { greeting: 'Bonjour', apiToken: 's3cret-token', maxItems: 5, mode: 'chatty' }));
    expect(saved).toMatchObject({ status: 'running', settings: { values: { greeting: 'Bonjour', maxItems: 5, mode: 'chatty' }, secretsSet: ['apiToken'], problems: [] } });
    expect(saved.settings.values.apiToken).toBeUndefined();
    expect(await ok(agent.get('/api/plugins/echo/hello'))).toEqual({ greeting: `Bonjour, ${agent.user!.email}`, tokenSet: true, role: 'agent' });

    // A secret left out keeps its value; null clears it. At rest it is sealed, and the audit never copies it.
    await ok(admin.request('PUT', '/api/plugins/echo/settings', { greeting: 'Salut' }));
    expect(await ok(agent.get('/api/plugins/echo/hello'))).toMatchObject({ greeting: `Salut, ${agent.user!.email}`, tokenSet: true });
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query(`select "values", secrets from plugin_settings where plugin = 'echo'`);
      expect(rows[0].values).toEqual({ greeting: 'Salut' });
      expect(rows[0].secrets.apiToken).toMatch(/^v1:/);
      expect(JSON.stringify(rows)).not.toContain('s3cret');
      const audit = await db.query(`select entity, entity_id, detail from audit_log where action = 'PUT /api/plugins/:name/settings' order by id`);
      expect(audit.rows).toHaveLength(2);
      expect(JSON.stringify(audit.rows)).not.toContain('s3cret');
      expect(audit.rows[1]).toMatchObject({ entity: 'plugin_settings', entity_id: 'echo' });
      expect(JSON.stringify(audit.rows[1].detail)).toContain('Salut');
    } finally {
      await db.end();
    }
    await ok(admin.request('PUT', '/api/plugins/echo/settings', { greeting: 'Salut', apiToken: null }));
    expect(await ok(agent.get('/api/plugins/echo/hello'))).toMatchObject({ tokenSet: false });
    expect((await admin.request('PUT', '/api/plugins/nowhere/settings', {})).status).toBe(404);
  });

  it("should guard a plug-in's routes like the desk's own and fence off its faults", async () => {
    await ok(admin.request('PUT', '/api/plugins/echo/settings', { greeting: 'Hello' }));
    expect(await ok(new Session(desk.url).get('/api/plugins/echo/ping'))).toEqual({ pong: true });
    expect((await new Session(desk.url).get('/api/plugins/echo/hello')).status).toBe(401);

    const agent = await signedInAs(admin, 'agent', 'Abel');
    expect((await agent.post('/api/plugins/echo/echo', { message: 'hi' })).status).toBe(403);
    const bad = await admin.post('/api/plugins/echo/echo', { message: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].pointer).toBe('/message');
    expect(await ok(admin.post('/api/plugins/echo/echo', { message: 'hi' }), 201)).toEqual({ message: 'hi', by: ADMIN.email });

    const refused = await agent.get('/api/plugins/echo/refuse');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ detail: 'the echo is busy' });
    const failed = await agent.get('/api/plugins/echo/boom');
    expect(failed.status).toBe(500);
    expect(failed.body.type).toMatch(/\/plugin-failed$/);
    expect((await named('echo')).recentErrors[0]).toMatchObject({ process: 'api', phase: 'route', message: 'kaboom' });
    expect((await fetch(`${desk.url}/readyz`)).status).toBe(200);
  });

  it('should hand every committed ticket event to listeners, a throwing one reported and the others unaffected', async () => {
    await ok(admin.request('PUT', '/api/plugins/echo/settings', { greeting: 'Hello', maxItems: 50 }));
    const customer = await signedInAs(admin, 'customer', 'Carla');
    const agent = await signedInAs(admin, 'agent', 'Aldo');
    const ticket = await ok(customer.post('/api/tickets', { type: 'incident', title: 'Printer on fire', description: 'Smoke', priority: 'high' }), 201);
    const heard = (want: string) =>
      eventually(async () => {
        const items = (await ok(agent.get(`/api/plugins/echo/heard/${ticket.id}`))).items as any[];
        return items.some((e) => e.type === want) ? items : undefined;
      });
    const first = await heard('created');
    expect(first.find((e) => e.type === 'created')).toMatchObject({ seq: 1, eventTypes: ['ticket.created'], actorRole: 'customer' });

    // The loud plug-in throws on every batch: the worker reports it, and later events still reach the echo.
    await eventually(async () => ((await named('loud')).recentErrors.some((e: any) => e.phase === 'listener' && e.process === 'worker' && e.message.includes(ticket.number)) ? true : undefined));
    await ok(agent.post(`/api/tickets/${ticket.id}/comments`, { body: 'On it', visibility: 'public' }), 201);
    const later = await heard('commented');
    expect(later.find((e) => e.type === 'commented')).toMatchObject({ eventTypes: ['ticket.commented'], actorRole: 'agent' });
    const seqs = later.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect((await named('loud')).status).toBe('running');
  });

  it('should show running plug-ins\' panels to staff beside a ticket, checked before they reach the console', async () => {
    await ok(admin.request('PUT', '/api/plugins/echo/settings', { greeting: 'Hello' }));
    const org = await ok(admin.post('/api/organisations', { name: unique('Globex') }), 201);
    const email = `${unique('carl')}@example.test`;
    await ok(admin.post('/api/users', { email, name: 'Carl', role: 'customer', password: 'a-long-password-1', organisationId: org.id }), 201);
    const customer = await Session.login(email, 'a-long-password-1', desk.url);
    const agent = await signedInAs(admin, 'agent', 'Anouk');
    const ticket = await ok(customer.post('/api/tickets', { type: 'incident', title: 'VPN down', description: 'No tunnel', priority: 'medium' }), 201);

    expect(await ok(agent.get(`/api/tickets/${ticket.id}/panels`))).toEqual({
      items: [
        { plugin: 'echo', key: 'heard', title: 'Echo' },
        { plugin: 'echo', key: 'faulty', title: 'Faulty' },
      ],
    });
    expect((await customer.get(`/api/tickets/${ticket.id}/panels`)).status).toBe(403);
    await eventually(async () => ((await ok(agent.get(`/api/plugins/echo/heard/${ticket.id}`))).items.length ? true : undefined));
    const panel = await ok(agent.get(`/api/tickets/${ticket.id}/panels/echo/heard`));
    expect(panel).toMatchObject({ title: 'Echo', content: { summary: `1 events heard for ${ticket.number}`, links: [{ label: 'Open in the CRM', href: `https://crm.example.test/tickets/${ticket.number}` }] } });
    expect(panel.content.rows).toEqual([
      { label: 'Requester', value: `Carl <${email}>`, href: `https://crm.example.test/contacts?email=${encodeURIComponent(email)}` },
      { label: 'Organisation', value: org.name },
      { label: 'Greeting', value: `Hello, ${agent.user!.email}` },
    ]);
    const faulty = await agent.get(`/api/tickets/${ticket.id}/panels/echo/faulty`);
    expect(faulty.status).toBe(502);
    expect((await named('echo')).recentErrors[0].message).toMatch(/panel faulty answered content the console cannot show/);
    expect((await agent.get(`/api/tickets/${ticket.id}/panels/echo/nothing`)).status).toBe(404);
    expect((await agent.get(`/api/tickets/${ticket.id}/panels/broken/heard`)).status).toBe(404);

    // Settings made incomplete: the panels go until an admin completes them.
    await ok(admin.request('PUT', '/api/plugins/echo/settings', { greeting: 'Hello', mode: 'chatty' }));
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    await db.query(`update plugin_settings set "values" = '{}' where plugin = 'echo'`).finally(() => db.end());
    await eventually(async () => ((await ok(agent.get(`/api/tickets/${ticket.id}/panels`))).items.length === 0 ? true : undefined), 10_000);
    await ok(admin.request('PUT', '/api/plugins/echo/settings', { greeting: 'Hello' }));
  });

  it("should run a plug-in action a rule asks for in the worker, retried, and refuse one its schema would not accept", async () => {
    await ok(admin.request('PUT', '/api/plugins/echo/settings', { greeting: 'Hello' }));
    expect((await ok(admin.get('/api/plugins/actions'))).items).toEqual([
      { plugin: 'echo', name: 'page', title: 'Page a channel', schema: expect.objectContaining({ required: ['channel'] }) },
    ]);

    // Refused at the element at fault, nothing saved: values the schema refuses, an action or a plug-in that is not there.
    const rule = (then: unknown[]) => ({ name: unique('Page ops'), enabled: true, when: { event: 'created' }, if: [{ subject: 'priority', op: 'is', value: 'critical' }], then });
    const refusals = await Promise.all([
      admin.post('/api/rules', rule([{ action: 'plugin', plugin: 'echo', run: 'page', with: { channel: 'ops', loud: true } }])),
      admin.post('/api/rules', rule([{ action: 'plugin', plugin: 'echo', run: 'shout', with: {} }])),
      admin.post('/api/rules', rule([{ action: 'plugin', plugin: 'broken', run: 'page' }])),
    ]);
    expect(refusals.map((r) => r.status)).toEqual([422, 422, 422]);
    expect(refusals[0].body.errors.map((e: any) => e.pointer).sort()).toEqual(['/then/0/with/channel', '/then/0/with/loud']);
    expect(refusals[1].body.errors).toEqual([{ pointer: '/then/0/run', message: "the plug-in echo has no action 'shout' (it has: page)" }]);
    expect(refusals[2].body.errors[0]).toMatchObject({ pointer: '/then/0/plugin' });
    const { version: _v, status: _s, ...definition } = await ok(admin.get('/api/definitions/incident/versions/1'));
    const checked = await ok(admin.post('/api/definitions/validate', { ...definition, escalations: [{ name: 'page_ops', on: 'resolution.breach', actions: [{ type: 'plugin', plugin: 'echo', run: 'page', with: { urgent: 'yes' } }] }] }));
    expect(checked.errors.map((e: any) => e.pointer).sort()).toEqual(['/escalations/0/actions/0/with/channel', '/escalations/0/actions/0/with/urgent']);

    const saved = await ok(admin.post('/api/rules', rule([{ action: 'plugin', plugin: 'echo', run: 'page', with: { channel: '#ops', urgent: true, flaky: true } }])), 201);
    const ticket = await ok(admin.post('/api/tickets', { type: 'incident', title: 'PAGE-ME: the core switch', description: 'All down', priority: 'critical' }), 201);
    // The first attempt fails on purpose; the workflow runs it again 5 s later, once.
    const paged = await eventually(async () => {
      const items = (await ok(admin.get(`/api/plugins/echo/paged/${ticket.id}`))).items as any[];
      return items.length ? items : undefined;
    }, 30_000);
    expect(paged).toEqual([{ id: expect.stringMatching(/^evt_/), channel: '#ops', urgent: true, attempt: 2, cause: { rule: saved.name } }]);
    const timeline = (await ok(admin.get(`/api/tickets/${ticket.id}/timeline`))).items as any[];
    expect(timeline.filter((e) => e.type === 'plugin_action')).toEqual([expect.objectContaining({ visibility: 'internal', data: expect.objectContaining({ plugin: 'echo', run: 'page', rule: saved.name }) })]);
    await ok(admin.request('DELETE', `/api/rules/${saved.id}`), 204);
  }, 60_000);

  it('should list the console pages a caller may open and load one, checked like a panel', async () => {
    await ok(admin.request('PUT', '/api/plugins/echo/settings', { greeting: 'Hello' }));
    const agent = await signedInAs(admin, 'agent', 'Axel');
    const customer = await signedInAs(admin, 'customer', 'Chloé');
    expect((await ok(agent.get('/api/plugins/pages'))).items).toEqual([{ plugin: 'echo', key: 'stats', title: 'Echo statistics', access: 'staff' }]);
    expect((await ok(admin.get('/api/plugins/pages'))).items.map((p: any) => p.key)).toEqual(['stats', 'admin-only']);
    expect((await customer.get('/api/plugins/pages')).status).toBe(403);
    expect((await agent.get('/api/plugins/pages/echo/admin-only')).status).toBe(403);
    const page = await ok(agent.get('/api/plugins/pages/echo/stats'));
    expect(page).toMatchObject({ title: 'Echo statistics', content: { summary: 'Events heard, by type.', table: { columns: ['Type', 'Count'] } } });
    expect(page.content.table.rows).toEqual(expect.arrayContaining([['created', expect.stringMatching(/^\d+$/)]]));
    expect(await ok(admin.get('/api/plugins/pages/echo/admin-only'))).toMatchObject({ content: { rows: [{ label: 'Tables' }] } });
    expect((await agent.get('/api/plugins/pages/echo/nothing')).status).toBe(404);
  });

  it("should run a plug-in's schedule on Temporal as its settings say, recording each run's report", async () => {
    await ok(admin.request('PUT', '/api/plugins/echo/settings', { greeting: 'Hello' }));
    expect((await named('echo')).schedules).toEqual([{ key: 'tally', title: 'Tally', everyMinutes: null, paused: true, nextRunAt: null, runs: [] }]);
    await ok(admin.request('PUT', '/api/plugins/echo/settings', { greeting: 'Hello', tallyEveryMinutes: 90 }));
    expect((await named('echo')).schedules[0]).toMatchObject({ everyMinutes: 90, paused: false, nextRunAt: expect.any(String) });

    const started = await ok(admin.post('/api/plugins/echo/schedules/tally/runs', {}), 202);
    const run = await eventually(async () => (await named('echo')).schedules[0].runs.find((r: any) => r.id === started.id && r.status !== 'running'));
    expect(run).toMatchObject({
      trigger: 'admin',
      status: 'succeeded',
      error: null,
      report: { created: 1, updated: 0, unchanged: 0, skipped: 1, notes: [expect.stringMatching(/^\d+ tickets heard \(admin\)$/), 'row 2: an organisation needs a name of 1 to 200 characters'] },
    });
    expect(((await ok(admin.get('/api/organisations'))).items as any[]).map((o) => o.name)).toContain('Echo Hello');
    // Again: the organisation is there already.
    const again = await ok(admin.post('/api/plugins/echo/schedules/tally/runs', {}), 202);
    expect((await eventually(async () => (await named('echo')).schedules[0].runs.find((r: any) => r.id === again.id && r.status !== 'running'))).report).toMatchObject({ created: 0, unchanged: 1 });
    // The loud plug-in has no schedule; a schedule nobody declared is not found.
    expect((await admin.post('/api/plugins/loud/schedules/tally/runs', {})).status).toBe(404);
  });

  it('should run a background task in one API replica at a time, another taking it over when that one stops', async () => {
    await ok(admin.request('PUT', '/api/plugins/echo/settings', { greeting: 'Hello' }));
    const { PORT: deskPort, ...env } = desk.env;
    const second = await startApiProcess(env);
    let deskApiStopped = false;
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const beating = (holder?: string) =>
        eventually(async () => {
          const [beat] = (await db.query(`select holder from plugin_echo_beats where key = 'beat' and at > now() - interval '1 second'`)).rows;
          return beat && (!holder || beat.holder === holder) ? (beat.holder as string) : undefined;
        }, 20_000);
      const first = await beating();
      expect([deskPort, String(second.port)]).toContain(first);
      // The replica running it stops; the other, which waited for the lock, runs it within its next check.
      deskApiStopped = first === deskPort;
      await (deskApiStopped ? desk.api : second.child).stop();
      await beating(deskApiStopped ? String(second.port) : deskPort);
    } finally {
      await db.end();
      if (!deskApiStopped) await second.child.stop();
      // The desk's own API back for the suites' teardown (its port, its process).
      else await Promise.all([second.child.stop(), desk.startApi()]);
    }
  }, 60_000);
});
