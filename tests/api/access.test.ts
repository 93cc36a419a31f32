// Every endpoint × every role: who may read, write and administer, and that nobody sees another organisation's tickets or an internal note by any route.
import { randomUUID } from 'node:crypto';
import { ADMIN, Session, statusFrom, unique } from '../support/http';

let admin: Session;
let callers: Record<string, Session>;
let ticket: { id: string; number: string; title: string };
let tokenIds: Record<string, string>;

async function bearer(token: string): Promise<Session> {
  const s = new Session();
  const request = s.request.bind(s);
  s.request = (method, path, body, headers = {}) => request(method, path, body, { authorization: `Bearer ${token}`, ...headers });
  return s;
}

// This file's own audit entries are those from here on (suites run one after another), whatever others logged before.
const fileStartedAt = new Date().toISOString();
beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
  const orgA = (await admin.post('/api/organisations', { name: unique('Acme'), shareTickets: true })).body;
  const orgB = (await admin.post('/api/organisations', { name: unique('Globex') })).body;
  const make = async (role: string, organisationId?: string) => {
    const email = `${unique(role)}@example.test`;
    const res = await admin.post('/api/users', { email, name: role, role, password: 'a-long-password-1', ...(organisationId ? { organisationId } : {}) });
    expect(res.status).toBe(201);
    return { id: res.body.id as string, s: await Session.login(email, 'a-long-password-1') };
  };
  const agentIn = await make('agent');
  const agentOut = await make('agent');
  const customerA1 = await make('customer', orgA.id);
  const customerA2 = await make('customer', orgA.id);
  const customerB = await make('customer', orgB.id);

  const group = unique('net').replace(/-/g, '_');
  const queue = unique('netq').replace(/-/g, '_');
  expect((await admin.post('/api/groups', { key: group, name: 'Network' })).status).toBe(201);
  expect((await admin.request('PUT', `/api/groups/${group}/members`, { userIds: [agentIn.id] })).status).toBe(200);
  expect((await admin.post('/api/queues', { key: queue, name: 'Network queue' })).status).toBe(201);
  expect((await admin.request('PUT', `/api/queues/${queue}/groups`, { groups: [group] })).status).toBe(200);
  await admin.request('PUT', '/api/routing-rules', { items: [{ name: 'net', conditions: { field: { name: 'category', equals: 'network' } }, queue }] });

  const title = unique('Secret VPN outage');
  const created = await customerA1.s.post('/api/tickets', { type: 'incident', title, priority: 'high', fields: { category: 'network' } });
  expect(created.status).toBe(201);
  expect(created.body.queue).toBe(queue);
  ticket = { id: created.body.id, number: created.body.number, title };
  await admin.request('PUT', '/api/routing-rules', { items: [] });
  expect((await admin.post(`/api/tickets/${ticket.id}/comments`, { body: 'INTERNAL-ONLY note', visibility: 'internal' })).status).toBe(201);

  tokenIds = {};
  const tokens: Record<string, Session> = {};
  for (const scope of ['read', 'write', 'admin']) {
    const t = await admin.post('/api/tokens', { name: `${scope} token`, scope });
    expect(t.status).toBe(201);
    tokenIds[scope] = t.body.id;
    tokens[scope] = await bearer(t.body.token);
  }
  callers = {
    admin,
    agentInGroup: agentIn.s,
    agentOutside: agentOut.s,
    customer: customerA1.s,
    colleague: customerA2.s,
    otherOrgCustomer: customerB.s,
    anonymous: new Session(),
    tokenRead: tokens.read,
    tokenWrite: tokens.write,
    tokenAdmin: tokens.admin,
  };
});

const roles = ['admin', 'agentInGroup', 'agentOutside', 'customer', 'colleague', 'otherOrgCustomer', 'anonymous', 'tokenRead', 'tokenWrite', 'tokenAdmin'] as const;
type Role = (typeof roles)[number];

const matrix: Array<[string, (s: Session) => Promise<{ status: number }>, Record<Role, number>]> = [
  ['GET /api/tickets/:id', (s) => s.get(`/api/tickets/${ticket.id}`),
    { admin: 200, agentInGroup: 200, agentOutside: 404, customer: 200, colleague: 200, otherOrgCustomer: 404, anonymous: 401, tokenRead: 200, tokenWrite: 200, tokenAdmin: 200 }],
  ['GET /api/tickets/:id/timeline', (s) => s.get(`/api/tickets/${ticket.id}/timeline`),
    { admin: 200, agentInGroup: 200, agentOutside: 404, customer: 200, colleague: 200, otherOrgCustomer: 404, anonymous: 401, tokenRead: 200, tokenWrite: 200, tokenAdmin: 200 }],
  ['GET /api/tickets/:id/transitions', (s) => s.get(`/api/tickets/${ticket.id}/transitions`),
    { admin: 200, agentInGroup: 200, agentOutside: 404, customer: 200, colleague: 200, otherOrgCustomer: 404, anonymous: 401, tokenRead: 200, tokenWrite: 200, tokenAdmin: 200 }],
  ['POST /api/tickets/:id/comments (public)', (s) => s.post(`/api/tickets/${ticket.id}/comments`, { body: 'hello', visibility: 'public' }),
    { admin: 201, agentInGroup: 201, agentOutside: 404, customer: 201, colleague: 201, otherOrgCustomer: 404, anonymous: 401, tokenRead: 403, tokenWrite: 201, tokenAdmin: 201 }],
  ['POST /api/tickets/:id/comments (internal)', (s) => s.post(`/api/tickets/${ticket.id}/comments`, { body: 'psst', visibility: 'internal' }),
    { admin: 201, agentInGroup: 201, agentOutside: 404, customer: 403, colleague: 403, otherOrgCustomer: 404, anonymous: 401, tokenRead: 403, tokenWrite: 201, tokenAdmin: 201 }],
  ['POST /api/tickets/:id/transitions (agent-only)', (s) => s.post(`/api/tickets/${ticket.id}/transitions`, { transition: 'wait_for_customer' }),
    { admin: 422, agentInGroup: 422, agentOutside: 404, customer: 409, colleague: 409, otherOrgCustomer: 404, anonymous: 401, tokenRead: 403, tokenWrite: 422, tokenAdmin: 422 }],
  ['POST /api/tickets', (s) => s.post('/api/tickets', { type: 'incident', title: unique('matrix'), priority: 'low' }),
    { admin: 201, agentInGroup: 201, agentOutside: 201, customer: 201, colleague: 201, otherOrgCustomer: 201, anonymous: 401, tokenRead: 403, tokenWrite: 201, tokenAdmin: 201 }],
  ['POST /api/tickets (problem)', (s) => s.post('/api/tickets', { type: 'problem', title: unique('matrix'), priority: 'low' }),
    { admin: 201, agentInGroup: 201, agentOutside: 201, customer: 403, colleague: 403, otherOrgCustomer: 403, anonymous: 401, tokenRead: 403, tokenWrite: 201, tokenAdmin: 201 }],
  ['PATCH /api/tickets/:id (priority)', (s) => s.request('PATCH', `/api/tickets/${ticket.id}`, { priority: 'high' }),
    { admin: 409, agentInGroup: 409, agentOutside: 404, customer: 403, colleague: 403, otherOrgCustomer: 404, anonymous: 401, tokenRead: 403, tokenWrite: 409, tokenAdmin: 409 }],
  ['GET /api/users', (s) => s.get('/api/users'),
    { admin: 200, agentInGroup: 403, agentOutside: 403, customer: 403, colleague: 403, otherOrgCustomer: 403, anonymous: 401, tokenRead: 403, tokenWrite: 403, tokenAdmin: 200 }],
  ['GET /api/queues', (s) => s.get('/api/queues'),
    { admin: 200, agentInGroup: 200, agentOutside: 200, customer: 403, colleague: 403, otherOrgCustomer: 403, anonymous: 401, tokenRead: 200, tokenWrite: 200, tokenAdmin: 200 }],
  ['POST /api/queues', (s) => s.post('/api/queues', { key: unique('q').replace(/-/g, '_'), name: 'Q' }),
    { admin: 201, agentInGroup: 403, agentOutside: 403, customer: 403, colleague: 403, otherOrgCustomer: 403, anonymous: 401, tokenRead: 403, tokenWrite: 403, tokenAdmin: 201 }],
  ['GET /api/definitions/incident/versions/1', (s) => s.get('/api/definitions/incident/versions/1'),
    { admin: 200, agentInGroup: 200, agentOutside: 200, customer: 403, colleague: 403, otherOrgCustomer: 403, anonymous: 401, tokenRead: 200, tokenWrite: 200, tokenAdmin: 200 }],
  ['POST /api/definitions/problem/publish', (s) => s.post('/api/definitions/problem/publish'),
    { admin: 404, agentInGroup: 403, agentOutside: 403, customer: 403, colleague: 403, otherOrgCustomer: 403, anonymous: 401, tokenRead: 403, tokenWrite: 403, tokenAdmin: 404 }],
  ['GET /api/audit', (s) => s.get('/api/audit'),
    { admin: 200, agentInGroup: 403, agentOutside: 403, customer: 403, colleague: 403, otherOrgCustomer: 403, anonymous: 401, tokenRead: 403, tokenWrite: 403, tokenAdmin: 200 }],
  ['GET /api/tokens', (s) => s.get('/api/tokens'),
    { admin: 200, agentInGroup: 403, agentOutside: 403, customer: 403, colleague: 403, otherOrgCustomer: 403, anonymous: 401, tokenRead: 403, tokenWrite: 403, tokenAdmin: 200 }],
  ['GET /api/organisations', (s) => s.get('/api/organisations'),
    { admin: 200, agentInGroup: 403, agentOutside: 403, customer: 403, colleague: 403, otherOrgCustomer: 403, anonymous: 401, tokenRead: 403, tokenWrite: 403, tokenAdmin: 200 }],
];

describe.each(matrix)('%s', (_route, call, expected) => {
  it.each(roles.map((r) => [r, expected[r]] as const))('should answer %s with %i', async (role, status) => {
    const res = await call(callers[role]);
    expect(res.status).toBe(status);
  });
});

describe('confidentiality', () => {
  it('should never show the internal note to a customer, nor the ticket to another organisation, by id, list, search or timeline', async () => {
    for (const role of ['customer', 'colleague'] as const) {
      const timeline = await callers[role].get(`/api/tickets/${ticket.id}/timeline`);
      expect(JSON.stringify(timeline.body)).not.toContain('INTERNAL-ONLY');
      expect(timeline.body.items.every((e: { visibility: string }) => e.visibility === 'public')).toBe(true);
    }
    for (const role of ['otherOrgCustomer', 'agentOutside'] as const) {
      const search = await callers[role].get(`/api/tickets?q=${encodeURIComponent(ticket.title)}&limit=100`);
      expect(search.status).toBe(200);
      expect(search.body.items.map((t: { id: string }) => t.id)).not.toContain(ticket.id);
    }
    const found = await callers.colleague.get(`/api/tickets?q=${encodeURIComponent(ticket.title)}`);
    expect(found.body.items.map((t: { id: string }) => t.id)).toEqual([ticket.id]);
  });

  it('should stop a revoked token at once and audit refused accesses', async () => {
    expect((await callers.tokenRead.get('/api/tickets')).status).toBe(200);
    expect((await admin.request('DELETE', `/api/tokens/${tokenIds.read}`)).status).toBe(204);
    const refused = await callers.tokenRead.get('/api/tickets');
    expect(refused.status).toBe(401);
    expect(refused.body.type).toContain('invalid-token');
    const audit = await admin.get(`/api/audit?outcome=denied&limit=500&from=${encodeURIComponent(fileStartedAt)}`);
    expect(audit.body.items.some((e: { status: number; via: string | null }) => e.status === 403 && e.via === 'token')).toBe(true);
    expect(audit.body.items.some((e: { status: number; action: string }) => e.status === 401 && e.action === 'GET /api/tickets')).toBe(true);
    const allowed = await admin.get(`/api/audit?outcome=allowed&limit=500&from=${encodeURIComponent(fileStartedAt)}`);
    expect(allowed.body.items.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['POST /api/tokens', 'PUT /api/groups/:key/members']));
  });
});

describe('audit of anonymous refusals', () => {
  // Sent from a loopback address of its own, so only this test's requests share its rows.
  it('should count a flood of refused anonymous requests in a row per address, route and minute instead of a row each', async () => {
    const address = '127.0.0.77';
    for (let i = 0; i < 50; i++) expect(await statusFrom(address, 'GET', `/api/tickets/${randomUUID()}`)).toBe(401);
    const rows = (await admin.get('/api/audit?outcome=denied&action=%2Fapi%2Ftickets%2F%3Aid&limit=1000')).body.items.filter((e: { ip: string }) => e.ip.endsWith(address));
    // A minute may turn during the flood: at most two rows, and together they count every request.
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.length).toBeLessThanOrEqual(2);
    expect(rows.reduce((n: number, e: { count: number }) => n + e.count, 0)).toBe(50);
    expect(rows[0]).toMatchObject({ action: 'GET /api/tickets/:id', status: 401, actorId: null });
  });
});
