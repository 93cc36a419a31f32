// LDAP / Active Directory end to end against a real OpenLDAP slapd started here (StartTLS with its self-signed
// certificate): directory configuration, connection tests, syncs through the Temporal schedule's workflow, disabling
// accounts gone from the directory, failed syncs that change nothing, and logins with the directory password.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Client, Connection } from '@temporalio/client';
import { freshDatabaseUrl, startDesk, type Desk } from '../support/desk';
import { ADMIN, eventually, Session, unique } from '../support/http';
import { groupLdif, personLdif, startSlapd, type Slapd } from '../support/slapd';

let slapd: Slapd;
let desk: Desk;
let admin: Session;
let db: pg.Client;
let temporal: Client;
let connection: Connection;

const run = unique('ldap').replace(/[^a-z0-9]/g, '');
const mail = (who: string) => `${who}.${run}@corp.test`;
const ACME = `Acme ${run}`;
const GLOBEX = `Globex ${run}`;
const AGENT_GROUP = 'ldap_support';

beforeAll(async () => {
  const base = 'dc=example,dc=test';
  slapd = await startSlapd({
    baseDn: base,
    ldif:
      personLdif(base, { uid: 'ann', cn: 'Ann Agent', mail: mail('ann'), password: 'ann-directory-pw', o: ACME }) +
      personLdif(base, { uid: 'bob', cn: 'Bob Customer', mail: mail('bob'), password: 'bob-directory-pw', o: GLOBEX }) +
      personLdif(base, { uid: 'cid', cn: 'Cid Customer', mail: mail('cid'), password: 'cid-directory-pw', o: GLOBEX }) +
      personLdif(base, { uid: 'nomail', cn: 'No Mail' }) +
      groupLdif(base, 'desk-agents', ['ann']),
  });
  const dbUrl = await freshDatabaseUrl('ldap');
  desk = await startDesk({ taskQueue: unique('guichet-ldap'), env: { DATABASE_URL: dbUrl, WEBHOOK_SECRETS_KEY: randomBytes(32).toString('base64') } });
  admin = await Session.login(ADMIN.email, ADMIN.password, desk.url);
  db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
  temporal = new Client({ connection });
  expect((await admin.post('/api/groups', { key: AGENT_GROUP, name: 'Directory support' })).status).toBe(201);
});

afterAll(async () => {
  await desk?.stop();
  await slapd?.destroy();
  await db?.end();
  await connection?.close();
});

const config = () => ({
  name: `Corporate ${run}`,
  url: slapd.url,
  startTls: true,
  caCertificate: slapd.caPem,
  bindDn: slapd.adminDn,
  bindSecret: slapd.adminPassword,
  userBaseDns: [`ou=people,${slapd.baseDn}`],
  userFilter: '(objectClass=inetOrgPerson)',
  groupBaseDns: [`ou=groups,${slapd.baseDn}`],
  attributes: { id: 'entryUUID', email: 'mail', name: 'cn', login: 'uid', organisation: 'o' },
  groupMappings: [{ group: 'desk-agents', role: 'agent', agentGroups: [AGENT_GROUP] }],
  defaultRole: 'customer',
  syncIntervalMinutes: 60,
});

async function account(email: string) {
  const { rows } = await db.query(
    `select u.id, u.name, u.role, u.disabled, u.password_hash, o.name as organisation,
            coalesce((select array_agg(group_key order by group_key) from group_members g where g.user_id = u.id), '{}') as groups
       from users u left join organisations o on o.id = u.organisation_id where u.email = $1`,
    [email],
  );
  return rows[0] as { id: string; name: string; role: string; disabled: boolean; password_hash: string | null; organisation: string | null; groups: string[] } | undefined;
}

/** Starts a sync through the API and waits for its run to finish; the run's report. */
async function syncNow(id: string) {
  const before = (await admin.get(`/api/ldap/directories/${id}/runs`)).body.items.length;
  const started = await admin.post(`/api/ldap/directories/${id}/sync`);
  expect(started.status).toBe(202);
  await temporal.workflow.getHandle(started.body.workflowId, started.body.runId).result();
  return eventually(async () => {
    const runs = (await admin.get(`/api/ldap/directories/${id}/runs`)).body.items;
    return runs.length > before && runs[0].status !== 'running' ? runs[0] : undefined;
  });
}

async function usersSnapshot() {
  return (await db.query(`select id, email, name, role, organisation_id, disabled from users order by id`)).rows;
}

describe('LDAP directories', () => {
  let id: string;

  it('should store a directory with its bind secret sealed, never returned, and make its Temporal schedule', async () => {
    const made = await admin.post('/api/ldap/directories', config());
    expect(made.status).toBe(201);
    id = made.body.id;
    expect(made.body).toMatchObject({ name: `Corporate ${run}`, startTls: true, bindSecretSet: true, defaultRole: 'customer', lastRun: null });
    expect(JSON.stringify(made.body)).not.toContain(slapd.adminPassword);
    expect(JSON.stringify((await admin.get('/api/ldap/directories')).body)).not.toContain(slapd.adminPassword);
    expect(JSON.stringify((await admin.get(`/api/ldap/directories/${id}`)).body)).not.toContain(slapd.adminPassword);
    const { rows } = await db.query('select bind_secret_sealed from ldap_directories where id = $1', [id]);
    expect(rows[0].bind_secret_sealed).toMatch(/^v1:/);
    expect(rows[0].bind_secret_sealed).not.toContain(slapd.adminPassword);

    const schedule = await temporal.schedule.getHandle(`ldap-sync-schedule-${id}`).describe();
    expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'directorySyncWorkflow', workflowId: `ldap-sync-${id}` });
    expect(schedule.spec.intervals?.[0]?.every).toBe(60 * 60_000);
    expect(schedule.state.paused).toBe(false);

    // Changing the interval changes the schedule; a disabled directory's schedule is paused.
    expect((await admin.request('PATCH', `/api/ldap/directories/${id}`, { syncIntervalMinutes: 30, enabled: false })).status).toBe(200);
    const changed = await temporal.schedule.getHandle(`ldap-sync-schedule-${id}`).describe();
    expect(changed.spec.intervals?.[0]?.every).toBe(30 * 60_000);
    expect(changed.state.paused).toBe(true);
    expect((await admin.request('PATCH', `/api/ldap/directories/${id}`, { enabled: true })).body.enabled).toBe(true);
    expect((await temporal.schedule.getHandle(`ldap-sync-schedule-${id}`).describe()).state.paused).toBe(false);
  });

  it('should refuse bad configurations with clear problems', async () => {
    const bad = await admin.post('/api/ldap/directories', { ...config(), name: unique('bad'), userFilter: '(&(objectClass=inetOrgPerson)', caCertificate: 'not a certificate' });
    expect(bad.status).toBe(422);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.body.type).toBe('https://guichet.dev/problems/invalid-directory');
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/caCertificate', '/userFilter']);
    const group = await admin.post('/api/ldap/directories', { ...config(), name: unique('bad'), groupMappings: [{ group: 'x', agentGroups: ['no_such_group'] }] });
    expect(group.status).toBe(422);
    expect(group.body.type).toBe('https://guichet.dev/problems/unknown-group');
    const role = await admin.post('/api/ldap/directories', { ...config(), name: unique('bad'), groupMappings: [{ group: 'x', customRole: 'no_such_role' }] });
    expect(role.status).toBe(422);
    expect(role.body.type).toBe('https://guichet.dev/problems/unknown-role');
    expect((await admin.post('/api/ldap/directories', config())).status).toBe(409);
    expect((await admin.post('/api/ldap/directories', { ...config(), name: unique('x'), url: 'http://example.test' })).status).toBe(400);
  });

  it('should test the connection over StartTLS, and say clearly when the bind is refused or the directory is down', async () => {
    const ok = await admin.post(`/api/ldap/directories/${id}/test`);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, tls: 'starttls', users: 3, skipped: 1 });
    expect(ok.body.sample.find((s: { email: string }) => s.email === mail('ann'))).toMatchObject({ role: 'agent', organisation: ACME, agentGroups: [AGENT_GROUP] });

    const wrong = await admin.post('/api/ldap/directories', { ...config(), name: unique('wrong'), bindSecret: 'not-the-secret' });
    expect(wrong.status).toBe(201);
    const refused = await admin.post(`/api/ldap/directories/${wrong.body.id}/test`);
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ type: 'https://guichet.dev/problems/directory-bind-failed', status: 422 });

    // A certificate the directory does not have: TLS fails, and says so.
    const otherCa = await startSlapd();
    const untrusted = await admin.post('/api/ldap/directories', { ...config(), name: unique('tls'), caCertificate: otherCa.caPem });
    await otherCa.destroy();
    const tls = await admin.post(`/api/ldap/directories/${untrusted.body.id}/test`);
    expect(tls.status).toBe(422);
    expect(tls.body.type).toBe('https://guichet.dev/problems/directory-tls-failed');

    const down = await admin.post('/api/ldap/directories', { ...config(), name: unique('down'), url: 'ldap://127.0.0.1:9' });
    const unreachable = await admin.post(`/api/ldap/directories/${down.body.id}/test`);
    expect(unreachable.status).toBe(422);
    expect(unreachable.headers.get('content-type')).toContain('application/problem+json');
    expect(unreachable.body).toMatchObject({ type: 'https://guichet.dev/problems/directory-unreachable', status: 422 });
    for (const d of [wrong.body.id, untrusted.body.id, down.body.id]) expect((await admin.request('DELETE', `/api/ldap/directories/${d}`)).status).toBe(204);
    await expect(temporal.schedule.getHandle(`ldap-sync-schedule-${down.body.id}`).describe()).rejects.toThrow();
  });

  it('should sync users with their organisation, role and agent groups, and report it', async () => {
    const report = await syncNow(id);
    expect(report).toMatchObject({ status: 'succeeded', trigger: 'manual', entries: 4, created: 3, updated: 0, disabled: 0, skipped: 1, errorCode: null });
    expect(report.warnings.join('\n')).toContain('uid=nomail');
    expect(await account(mail('ann'))).toMatchObject({ name: 'Ann Agent', role: 'agent', organisation: ACME, disabled: false, password_hash: null, groups: [AGENT_GROUP] });
    expect(await account(mail('bob'))).toMatchObject({ name: 'Bob Customer', role: 'customer', organisation: GLOBEX, groups: [] });
    const { rows } = await db.query(`select count(*)::int as n from user_identities where issuer = $1`, [`ldap:${id}`]);
    expect(rows[0].n).toBe(3);
    // Nothing changed: a second sync changes nothing.
    expect(await syncNow(id)).toMatchObject({ status: 'succeeded', created: 0, updated: 0, disabled: 0, unchanged: 3 });
  });

  it('should log in with the directory password, and refuse a wrong one with 401', async () => {
    const ann = await Session.login(mail('ann'), 'ann-directory-pw', desk.url);
    expect(ann.user).toMatchObject({ email: mail('ann'), role: 'agent' });
    expect((await ann.get('/api/auth/me')).status).toBe(200);
    const wrong = await new Session(desk.url).request('POST', '/api/auth/login', { email: mail('ann'), password: 'not-her-password' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.type).toBe('https://guichet.dev/problems/unauthorized');
    // The login throttle counts directory failures like local ones.
    const { rows } = await db.query(`select count from throttle_counters where key like $1`, [`login:${mail('ann')}%`]);
    expect(rows[0]?.count).toBe(1);
    expect((await Session.login(mail('ann'), 'ann-directory-pw', desk.url)).user?.email).toBe(mail('ann'));
    // Or by the login name the directory knows her by (uid here; sAMAccountName in Active Directory), in any case.
    expect((await Session.login('ANN', 'ann-directory-pw', desk.url)).user?.email).toBe(mail('ann'));
    expect((await new Session(desk.url).request('POST', '/api/auth/login', { email: 'nobody-here', password: 'x' })).status).toBe(401);
  });

  it('should update changed attributes and memberships on the next sync', async () => {
    slapd.modify(
      [
        `dn: uid=bob,ou=people,${slapd.baseDn}`,
        'changetype: modify',
        'replace: cn',
        'cn: Robert Customer',
        '-',
        'replace: o',
        `o: ${ACME}`,
        '',
        `dn: cn=desk-agents,ou=groups,${slapd.baseDn}`,
        'changetype: modify',
        'add: member',
        `member: uid=bob,ou=people,${slapd.baseDn}`,
        '',
      ].join('\n'),
    );
    const report = await syncNow(id);
    expect(report).toMatchObject({ status: 'succeeded', created: 0, updated: 1, disabled: 0, unchanged: 2 });
    expect(await account(mail('bob'))).toMatchObject({ name: 'Robert Customer', role: 'agent', organisation: ACME, groups: [AGENT_GROUP] });
  });

  it('should disable, never delete, an account removed from the directory; its tickets stay', async () => {
    const cid = await Session.login(mail('cid'), 'cid-directory-pw', desk.url);
    const ticket = await cid.post('/api/tickets', { type: 'incident', title: `Printer ${run}`, priority: 'low' });
    expect(ticket.status).toBe(201);
    slapd.remove(`uid=cid,ou=people,${slapd.baseDn}`);
    const report = await syncNow(id);
    expect(report).toMatchObject({ status: 'succeeded', disabled: 1, created: 0 });
    expect(await account(mail('cid'))).toMatchObject({ disabled: true });
    // Its session ended and it cannot log in; its ticket is still there.
    expect((await cid.get('/api/auth/me')).status).toBe(401);
    expect((await new Session(desk.url).request('POST', '/api/auth/login', { email: mail('cid'), password: 'cid-directory-pw' })).status).toBe(401);
    const kept = await admin.get(`/api/tickets/${ticket.body.id}`);
    expect(kept.status).toBe(200);
    expect(kept.body.title).toBe(`Printer ${run}`);
    // Still gone: disabled once, not again.
    expect(await syncNow(id)).toMatchObject({ status: 'succeeded', disabled: 0 });
  });

  it('should change nothing when the directory is down, record the error, and answer logins with 503', async () => {
    slapd.modify([`dn: uid=ann,ou=people,${slapd.baseDn}`, 'changetype: modify', 'replace: cn', 'cn: Ann Renamed', ''].join('\n'));
    const before = await usersSnapshot();
    await slapd.stop();
    try {
      const report = await syncNow(id);
      expect(report).toMatchObject({ status: 'failed', errorCode: 'directory-unreachable', created: 0, updated: 0, disabled: 0 });
      expect(report.error).toMatch(/cannot be reached/);
      expect(await usersSnapshot()).toEqual(before);
      const listed = (await admin.get(`/api/ldap/directories/${id}`)).body;
      expect(listed.lastRun).toMatchObject({ status: 'failed', errorCode: 'directory-unreachable' });
      const login = await new Session(desk.url).request('POST', '/api/auth/login', { email: mail('ann'), password: 'ann-directory-pw' });
      expect(login.status).toBe(503);
      expect(login.headers.get('content-type')).toContain('application/problem+json');
      expect(login.body.type).toBe('https://guichet.dev/problems/directory-unavailable');
    } finally {
      await slapd.start();
    }
    expect(await syncNow(id)).toMatchObject({ status: 'succeeded', updated: 1 });
    expect(await account(mail('ann'))).toMatchObject({ name: 'Ann Renamed', disabled: false });
  });

  it('should refuse a sync whose search finds nobody rather than disable everyone', async () => {
    expect((await admin.request('PATCH', `/api/ldap/directories/${id}`, { userFilter: '(uid=nobody-at-all)' })).status).toBe(200);
    const before = await usersSnapshot();
    expect(await syncNow(id)).toMatchObject({ status: 'failed', errorCode: 'directory-search-failed', disabled: 0 });
    expect(await usersSnapshot()).toEqual(before);
    expect((await admin.request('PATCH', `/api/ldap/directories/${id}`, { userFilter: '(objectClass=inetOrgPerson)' })).status).toBe(200);
  });

  it('should run the sync from its Temporal schedule', async () => {
    slapd.add(personLdif(slapd.baseDn, { uid: 'dee', cn: 'Dee Scheduled', mail: mail('dee'), password: 'dee-directory-pw' }));
    await temporal.schedule.getHandle(`ldap-sync-schedule-${id}`).trigger();
    const runRow = await eventually(async () => {
      const runs = (await admin.get(`/api/ldap/directories/${id}/runs`)).body.items;
      return runs[0]?.trigger === 'schedule' && runs[0].status !== 'running' ? runs[0] : undefined;
    }, 30_000);
    expect(runRow).toMatchObject({ status: 'succeeded', created: 1 });
    expect(await account(mail('dee'))).toMatchObject({ name: 'Dee Scheduled', role: 'customer', disabled: false });
  });

  it('should keep directories to admins', async () => {
    const agent = await Session.login(mail('ann'), 'ann-directory-pw', desk.url);
    expect((await agent.get('/api/ldap/directories')).status).toBe(403);
    expect((await agent.post(`/api/ldap/directories/${id}/sync`)).status).toBe(403);
    expect((await new Session(desk.url).get('/api/ldap/directories')).status).toBe(401);
  });

  it('should delete a directory with its schedule, keeping its accounts', async () => {
    expect((await admin.request('DELETE', `/api/ldap/directories/${id}`)).status).toBe(204);
    await expect(temporal.schedule.getHandle(`ldap-sync-schedule-${id}`).describe()).rejects.toThrow();
    expect(await account(mail('ann'))).toMatchObject({ disabled: false });
    expect((await admin.get(`/api/ldap/directories/${id}`)).status).toBe(404);
  });
  it('should sync Active Directory style: memberOf on the user, the DN as id, mappings by group DN', async () => {
    const base = slapd.baseDn;
    // Added online, so the memberof overlay fills memberOf as Active Directory would.
    slapd.add(
      personLdif(base, { uid: 'ad-zoe', cn: 'Zoe Admin', mail: mail('zoe'), password: 'zoe-directory-pw' }) +
        personLdif(base, { uid: 'ad-yan', cn: 'Yan Agent', mail: mail('yan'), password: 'yan-directory-pw' }) +
        groupLdif(base, 'Desk Admins', ['ad-zoe']) +
        groupLdif(base, 'Service Desk', ['ad-yan', 'ad-zoe']),
    );
    // The service desk's members hold a custom role; an admin who is also a member stays an admin.
    const responder = `responder_${run}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
    expect((await admin.post('/api/roles', { key: responder, name: 'Responder', areas: [], queues: { '*': ['reply'] } })).status).toBe(201);
    const made = await admin.post('/api/ldap/directories', {
      ...config(),
      name: `AD style ${run}`,
      userFilter: '(&(objectClass=inetOrgPerson)(uid=ad-*))',
      groupBaseDns: [],
      attributes: { id: 'dn', email: 'mail', name: 'cn', login: 'uid', organisation: null, memberOf: 'memberOf' },
      // DNs compare without regard to case or spaces after commas.
      groupMappings: [
        { group: `CN=Desk Admins, OU=groups, ${base.toUpperCase()}`, role: 'admin' },
        { group: `cn=Service Desk,ou=groups,${base}`, role: 'agent', customRole: responder, agentGroups: [AGENT_GROUP] },
      ],
    });
    expect(made.status).toBe(201);
    expect(await syncNow(made.body.id)).toMatchObject({ status: 'succeeded', created: 2, skipped: 0 });
    expect(await account(mail('zoe'))).toMatchObject({ role: 'admin', organisation: null, groups: [AGENT_GROUP] });
    expect(await account(mail('yan'))).toMatchObject({ role: 'agent', groups: [AGENT_GROUP] });
    const roles = await db.query(`select email, custom_role from users where email in ($1, $2) order by email`, [mail('yan'), mail('zoe')]);
    expect(roles.rows).toEqual([{ email: mail('yan'), custom_role: responder }, { email: mail('zoe'), custom_role: null }]);
    const { rows } = await db.query(`select subject from user_identities where issuer = $1 order by subject`, [`ldap:${made.body.id}`]);
    expect(rows.map((r) => r.subject)).toEqual([`uid=ad-yan,ou=people,${base}`, `uid=ad-zoe,ou=people,${base}`]);
    expect((await Session.login(mail('zoe'), 'zoe-directory-pw', desk.url)).user?.role).toBe('admin');
  });
});
