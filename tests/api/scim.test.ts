// SCIM 2.0 provisioning against the real desk, following the request sequences of RFC 7644 and of the identity providers
// that drive it (Okta looks up by userName then creates; Entra ID patches with capitalised ops and string booleans).
import { ADMIN, Session, unique, userByEmail, type Res } from '../support/http';
import { freshDatabaseUrl, startApiProcess } from '../support/desk';

const SCIM = 'application/scim+json';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

let admin: Session;
let scim: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Res>;

async function scimClient(base: Session): Promise<typeof scim> {
  const made = await base.post('/api/tokens', { name: unique('idp'), scope: 'scim' });
  expect(made.status).toBe(201);
  const token = made.body.token as string;
  return (method, path, body, headers = {}) =>
    new Session(base.base).request(method, `/scim/v2${path}`, body, { authorization: `Bearer ${token}`, accept: SCIM, ...(body !== undefined ? { 'content-type': SCIM } : {}), ...headers });
}

const patch = (operations: unknown[]) => ({ schemas: [PATCH_OP], Operations: operations });
const newUser = (email: string, more: Record<string, unknown> = {}) => ({
  schemas: [USER, ENTERPRISE],
  userName: email,
  name: { givenName: 'Ana', familyName: 'Lima' },
  emails: [{ value: email, type: 'work', primary: true }],
  active: true,
  ...more,
});

beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
  scim = await scimClient(admin);
});

describe('SCIM access', () => {
  it('should take only tokens of scope scim, which reach nothing else, and answer errors in SCIM form', async () => {
    const anonymous = await new Session().request('GET', '/scim/v2/Users');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain(SCIM);
    expect(anonymous.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' });
    const bySession = await admin.get('/scim/v2/Users');
    expect(bySession.status).toBe(403);
    expect(bySession.body.detail).toContain("scope 'scim'");
    const write = await admin.post('/api/tokens', { name: unique('w'), scope: 'write' });
    const byWriteToken = await new Session().request('GET', '/scim/v2/Users', undefined, { authorization: `Bearer ${write.body.token}` });
    expect(byWriteToken.status).toBe(403);
    expect((await scim('GET', '/../../api/tickets')).status).toBe(403);
    const tickets = await new Session().request('GET', '/api/tickets', undefined, { authorization: (await scimToken()).header });
    expect(tickets.status).toBe(403);
    expect(tickets.body.detail).toContain("scope 'scim'");
    // Only an admin's token may provision accounts.
    const customer = await admin.post('/api/users', { email: `${unique('c')}@example.test`, name: 'C', role: 'customer', password: 'a-long-password-1' });
    const refused = await admin.post('/api/tokens', { name: unique('scim'), scope: 'scim', userId: customer.body.id });
    expect(refused.status).toBe(422);
    expect(refused.body.type).toMatch(/invalid-scope$/);
    expect((await scim('GET', '/Nothing')).status).toBe(404);
    expect((await scim('POST', '/Users', 'userName=a', { 'content-type': 'text/plain' })).status).toBe(415);
  });

  it('should describe itself: ServiceProviderConfig, ResourceTypes and Schemas', async () => {
    const config = await scim('GET', '/ServiceProviderConfig');
    expect(config.status).toBe(200);
    expect(config.body).toMatchObject({ patch: { supported: true }, filter: { supported: true, maxResults: 200 }, etag: { supported: true }, bulk: { supported: false } });
    expect((await scim('GET', '/ResourceTypes')).body.Resources.map((r: { id: string }) => r.id)).toEqual(['User', 'Group']);
    const schemas = (await scim('GET', '/Schemas')).body.Resources as Array<{ id: string; attributes: Array<{ name: string }> }>;
    expect(schemas.find((s) => s.id === USER)!.attributes.map((a) => a.name)).toEqual(expect.arrayContaining(['userName', 'emails', 'active', 'roles']));
  });
});

async function scimToken(): Promise<{ header: string }> {
  const made = await admin.post('/api/tokens', { name: unique('idp'), scope: 'scim' });
  return { header: `Bearer ${made.body.token}` };
}

describe('SCIM Users', () => {
  it('should look up, create, read with ETags and refuse a duplicate (the Okta sequence)', async () => {
    const email = `${unique('ana')}@Example.test`;
    const lookup = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}&startIndex=1&count=100`);
    expect(lookup.status).toBe(200);
    expect(lookup.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, Resources: [] });

    const created = await scim('POST', '/Users', newUser(email, { externalId: 'okta-1', roles: [{ value: 'agent', primary: true }], [ENTERPRISE]: { organization: unique('Acme') } }));
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toContain(SCIM);
    expect(created.headers.get('location')).toBe(created.body.meta.location);
    expect(created.headers.get('etag')).toBe(created.body.meta.version);
    expect(created.body).toMatchObject({
      userName: email,
      externalId: 'okta-1',
      displayName: 'Ana Lima',
      name: { givenName: 'Ana', familyName: 'Lima' },
      emails: [{ value: email.toLowerCase(), primary: true }],
      active: true,
      roles: [{ value: 'agent', primary: true }],
      meta: { resourceType: 'User' },
    });
    // The desk account is a real one: the console sees it with its role and organisation.
    const account = await userByEmail(admin, email.toLowerCase());
    expect(account).toMatchObject({ id: created.body.id, role: 'agent', disabled: false });
    expect(account!.organisationId).toBeTruthy();

    const found = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${email.toUpperCase()}"`)}`);
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0].id).toBe(created.body.id);
    const read = await scim('GET', `/Users/${created.body.id}`);
    expect(read.headers.get('etag')).toBe(created.body.meta.version);
    expect((await scim('GET', `/Users/${created.body.id}`, undefined, { 'if-none-match': read.headers.get('etag')! })).status).toBe(304);
    expect((await scim('GET', `/Users/${created.body.id}?attributes=userName`)).body).toEqual({ schemas: [USER, ENTERPRISE], id: created.body.id, userName: email, meta: read.body.meta });

    const again = await scim('POST', '/Users', newUser(email));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
  });

  it("should apply Entra's PATCH shapes, disable and re-enable, and take a desk change into the ETag", async () => {
    const email = `${unique('entra')}@example.test`;
    const created = (await scim('POST', '/Users', newUser(email, { roles: [{ value: 'customer' }] }))).body;
    const disabled = await scim('PATCH', `/Users/${created.id}`, patch([{ op: 'Replace', path: 'active', value: 'False' }, { op: 'Add', path: 'emails[type eq "work"].value', value: email }, { op: 'Replace', path: 'name.givenName', value: 'Ana-Maria' }]));
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ active: false, name: { givenName: 'Ana-Maria', familyName: 'Lima' } });
    expect((await userByEmail(admin, email))!.disabled).toBe(true);
    const enabled = await scim('PATCH', `/Users/${created.id}`, patch([{ op: 'replace', value: { active: true, displayName: 'Ana Maria Lima', [ENTERPRISE]: { organization: unique('Org') } } }]));
    expect(enabled.body).toMatchObject({ active: true, displayName: 'Ana Maria Lima' });
    expect((await userByEmail(admin, email))!.disabled).toBe(false);

    // A change made in the console is a new version for the provider too.
    const before = enabled.headers.get('etag')!;
    expect((await admin.request('PATCH', `/api/users/${created.id}`, { name: 'Renamed in the console' })).status).toBe(200);
    const after = await scim('GET', `/Users/${created.id}`);
    expect(after.body.displayName).toBe('Renamed in the console');
    expect(after.headers.get('etag')).not.toBe(before);
    const stale = await scim('PATCH', `/Users/${created.id}`, patch([{ op: 'replace', path: 'displayName', value: 'Lost update' }]), { 'if-match': before });
    expect(stale.status).toBe(412);
    const fresh = await scim('PATCH', `/Users/${created.id}`, patch([{ op: 'replace', path: 'displayName', value: 'Kept update' }]), { 'if-match': after.headers.get('etag')! });
    expect(fresh.status).toBe(200);
    expect(fresh.body.displayName).toBe('Kept update');
  });

  it('should refuse a PATCH with an unknown path, a bad value or a bad op as a whole, changing nothing', async () => {
    const email = `${unique('bad')}@example.test`;
    const created = (await scim('POST', '/Users', newUser(email))).body;
    const cases: Array<[unknown[], string]> = [
      [[{ op: 'replace', path: 'active', value: false }, { op: 'replace', path: 'nickName', value: 'Annie' }], 'invalidPath'],
      [[{ op: 'replace', path: 'active', value: false }, { op: 'replace', path: 'roles', value: [{ value: 'superuser' }] }], 'invalidValue'],
      [[{ op: 'replace', path: 'active', value: false }, { op: 'replace', path: 'emails[type eq "work"].value', value: 'not an address' }], 'invalidValue'],
      [[{ op: 'replace', path: 'active', value: 'perhaps' }], 'invalidValue'],
      [[{ op: 'replace', path: 'id', value: 'x' }], 'mutability'],
      [[{ op: 'copy', path: 'active', value: false }], 'invalidSyntax'],
    ];
    for (const [ops, scimType] of cases) {
      const res = await scim('PATCH', `/Users/${created.id}`, patch(ops));
      expect({ ops, status: res.status, scimType: res.body.scimType }).toEqual({ ops, status: 400, scimType });
    }
    const noSchema = await scim('PATCH', `/Users/${created.id}`, { Operations: [{ op: 'replace', path: 'active', value: false }] });
    expect(noSchema.status).toBe(400);
    const unchanged = await scim('GET', `/Users/${created.id}`);
    expect(unchanged.body.meta.version).toBe(created.meta.version);
    expect(unchanged.body.active).toBe(true);
    expect((await scim('GET', `/Users?filter=${encodeURIComponent('title eq "x"')}`)).body).toMatchObject({ status: '400', scimType: 'invalidFilter' });
  });

  it('should page with startIndex and count, and replace a user with PUT', async () => {
    const mark = unique('page');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await scim('POST', '/Users', newUser(`${mark}-${i}@example.test`, { externalId: `${mark}-${i}` }))).body.id);
    const filter = encodeURIComponent(`externalId sw "${mark}"`);
    const first = await scim('GET', `/Users?filter=${filter}&startIndex=1&count=2`);
    expect(first.body).toMatchObject({ totalResults: 3, startIndex: 1, itemsPerPage: 2 });
    const second = await scim('GET', `/Users?filter=${filter}&startIndex=3&count=2`);
    expect(second.body).toMatchObject({ totalResults: 3, startIndex: 3, itemsPerPage: 1 });
    expect([...first.body.Resources, ...second.body.Resources].map((r: { id: string }) => r.id)).toEqual(ids);
    expect((await scim('GET', `/Users?filter=${filter}&count=0`)).body).toMatchObject({ totalResults: 3, itemsPerPage: 0, Resources: [] });

    const replaced = await scim('PUT', `/Users/${ids[0]}`, { schemas: [USER], userName: `${mark}-0@example.test`, displayName: 'Replaced', locale: 'fr-FR', active: true });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ displayName: 'Replaced', locale: 'fr' });
    expect(replaced.body.externalId).toBeUndefined();
    expect((await scim('PUT', `/Users/${ids[0]}`, { schemas: [USER], userName: 'not-an-email' })).body).toMatchObject({ status: '400', scimType: 'invalidValue' });
  });

  it("should provision a custom role by its key, and refuse a role the desk does not have", async () => {
    const role = unique('scim_role').replace(/[^a-z0-9_]/g, '_');
    expect((await admin.post('/api/roles', { key: role, name: 'SCIM role', areas: [], queues: { '*': ['reply'] } })).status).toBe(201);
    const email = `${unique('custom')}@example.test`;
    const created = await scim('POST', '/Users', newUser(email, { roles: [{ value: role, primary: true }] }));
    expect(created.status).toBe(201);
    expect(created.body.roles).toEqual([{ value: role, primary: true }]);
    expect((await admin.get(`/api/users?q=${encodeURIComponent(email)}`)).body.items[0]).toMatchObject({ role: 'agent', customRole: role });
    const back = await scim('PATCH', `/Users/${created.body.id}`, patch([{ op: 'replace', path: 'roles', value: [{ value: 'customer' }] }]));
    expect(back.body.roles).toEqual([{ value: 'customer', primary: true }]);
    expect((await admin.get(`/api/users?q=${encodeURIComponent(email)}`)).body.items[0]).toMatchObject({ role: 'customer', customRole: null });
    expect((await scim('PATCH', `/Users/${created.body.id}`, patch([{ op: 'replace', path: 'roles', value: [{ value: 'no_such_role' }] }]))).body).toMatchObject({ status: '400', scimType: 'invalidValue' });
  });

  it('should deprovision a user by disabling it, keep its tickets, and give the same account back when provisioned again', async () => {
    const email = `${unique('gone')}@example.test`;
    const created = (await scim('POST', '/Users', newUser(email))).body;
    const ticket = await admin.post('/api/tickets', { type: 'incident', title: unique('Printer of a leaver'), priority: 'low', requesterId: created.id });
    expect(ticket.status).toBe(201);
    expect((await scim('DELETE', `/Users/${created.id}`)).status).toBe(204);
    expect((await scim('GET', `/Users/${created.id}`)).status).toBe(404);
    expect((await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}`)).body.totalResults).toBe(0);
    expect((await userByEmail(admin, email))!.disabled).toBe(true);
    expect((await admin.get(`/api/tickets/${ticket.body.id}`)).body.requesterId).toBe(created.id);
    const back = await scim('POST', '/Users', newUser(email));
    expect(back.status).toBe(201);
    expect(back.body).toMatchObject({ id: created.id, active: true });
  });
});

describe('SCIM Groups', () => {
  it('should create agent groups with members, patch members both ways, filter, and refuse customers as members', async () => {
    const agent = (await scim('POST', '/Users', newUser(`${unique('ag')}@example.test`, { roles: [{ value: 'agent' }] }))).body;
    const agent2 = (await scim('POST', '/Users', newUser(`${unique('ag')}@example.test`, { roles: [{ value: 'agent' }] }))).body;
    const customer = (await scim('POST', '/Users', newUser(`${unique('cu')}@example.test`))).body;
    const name = unique('Network team');
    const group = await scim('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: name, externalId: 'grp-1', members: [{ value: agent.id }] });
    expect(group.status).toBe(201);
    expect(group.body).toMatchObject({ displayName: name, externalId: 'grp-1', members: [{ value: agent.id, display: 'Ana Lima' }] });
    expect(group.body.id).toMatch(/^network_team/);
    // The console's group is the same one.
    const consoleGroups = (await admin.get('/api/groups')).body.items as Array<{ key: string; userIds: string[] }>;
    expect(consoleGroups.find((g) => g.key === group.body.id)!.userIds).toEqual([agent.id]);

    const added = await scim('PATCH', `/Groups/${group.body.id}`, patch([{ op: 'Add', path: 'members', value: [{ value: agent2.id }] }]));
    expect(added.body.members.map((m: { value: string }) => m.value).sort()).toEqual([agent.id, agent2.id].sort());
    const removed = await scim('PATCH', `/Groups/${group.body.id}`, patch([{ op: 'Remove', path: `members[value eq "${agent.id}"]` }]));
    expect(removed.body.members.map((m: { value: string }) => m.value)).toEqual([agent2.id]);
    const refused = await scim('PATCH', `/Groups/${group.body.id}`, patch([{ op: 'add', path: 'members', value: [{ value: customer.id }] }, { op: 'replace', path: 'displayName', value: 'Renamed' }]));
    expect(refused.status).toBe(400);
    expect(refused.body.scimType).toBe('invalidValue');
    expect((await scim('GET', `/Groups/${group.body.id}`)).body.displayName).toBe(name);

    const byName = await scim('GET', `/Groups?filter=${encodeURIComponent(`displayName eq "${name}"`)}&excludedAttributes=members`);
    expect(byName.body.totalResults).toBe(1);
    expect(byName.body.Resources[0].members).toBeUndefined();
    const byMember = await scim('GET', `/Groups?filter=${encodeURIComponent(`members[value eq "${agent2.id}"]`)}`);
    expect(byMember.body.Resources.map((g: { id: string }) => g.id)).toEqual([group.body.id]);
    expect((await scim('POST', '/Groups', { displayName: name.toUpperCase() })).body.scimType).toBe('uniqueness');
  });

  it('should refuse to delete a group that works a queue, and delete one that does not', async () => {
    const group = (await scim('POST', '/Groups', { displayName: unique('Queue workers') })).body;
    const queue = unique('scimq').replace(/[^a-z0-9_]/g, '_');
    expect((await admin.post('/api/queues', { key: queue, name: 'SCIM queue' })).status).toBe(201);
    expect((await admin.request('PUT', `/api/queues/${queue}/groups`, { groups: [group.id] })).status).toBe(200);
    const refused = await scim('DELETE', `/Groups/${group.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain(queue);
    expect((await admin.request('PUT', `/api/queues/${queue}/groups`, { groups: [] })).status).toBe(200);
    expect((await scim('DELETE', `/Groups/${group.id}`, undefined, { 'if-match': 'W/"stale"' })).status).toBe(412);
    expect((await scim('DELETE', `/Groups/${group.id}`)).status).toBe(204);
    expect((await scim('GET', `/Groups/${group.id}`)).status).toBe(404);
  });
});

describe('SCIM and the last admin', () => {
  it('should refuse to disable, demote or delete the only admin, through SCIM and the console alike', async () => {
    const api = await startApiProcess({ DATABASE_URL: await freshDatabaseUrl('scim_admin') });
    try {
      const own = await Session.login(ADMIN.email, ADMIN.password, api.url);
      const call = await scimClient(own);
      const me = (await call('GET', `/Users?filter=${encodeURIComponent(`userName eq "${ADMIN.email}"`)}`)).body.Resources[0];
      for (const res of [
        await call('PATCH', `/Users/${me.id}`, patch([{ op: 'replace', path: 'active', value: false }])),
        await call('PATCH', `/Users/${me.id}`, patch([{ op: 'replace', path: 'roles', value: [{ value: 'agent' }] }])),
        await call('DELETE', `/Users/${me.id}`),
      ]) {
        expect(res.status).toBe(409);
        expect(res.body.detail).toContain('last active admin');
      }
      const consoleTry = await own.request('PATCH', `/api/users/${me.id}`, { role: 'agent' });
      expect(consoleTry.status).toBe(409);
      expect(consoleTry.body.type).toMatch(/last-admin$/);
      // With a second admin, the first may go.
      const second = (await call('POST', '/Users', newUser(`${unique('admin2')}@example.test`, { roles: [{ value: 'admin' }] }))).body;
      expect(second.roles).toEqual([{ value: 'admin', primary: true }]);
      expect((await call('PATCH', `/Users/${me.id}`, patch([{ op: 'replace', path: 'roles', value: [{ value: 'agent' }] }]))).status).toBe(200);
    } finally {
      await api.child.stop();
    }
  }, 60_000);
});
