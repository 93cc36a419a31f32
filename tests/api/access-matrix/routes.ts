// What every route answers each principal: one entry per route of the API's route table (the test fails for a route without one).
// Writes act on data of organisation A and group X, or on a fresh object made for the call, so each principal's answer is its own.
// Long by nature (one entry per route, ~200 routes): it is read by route, never whole.
import { randomUUID } from 'node:crypto';
import { ADMIN, Session, unique, type Res } from '../../support/http';
import type { Principal, World } from './principals';
import { codeAt, stepAt } from '../../../api/modules/auth/totp';

/**
 * A SCIM token reaches the SCIM service only: every other route answers it 403 unless its entry says otherwise. customX
 * (an agent of group X with a custom role, RESPONDER) answers as agentX unless its entry says otherwise.
 */
export type Expect = Record<Exclude<Principal, 'scimToken' | 'customX'>, number> & { scimToken?: number; customX?: number };
export interface Case {
  /** Says what the case adds when a route has more than one. */
  name?: string;
  expect: Expect;
  call: (s: Session, w: World, who: Principal) => Promise<Res>;
  /** Puts back shared configuration the call changed or prepared, so later suites see the desk as they expect. */
  undo?: (w: World) => Promise<void>;
}

const all = (n: number): Expect => ({ anonymous: n, customerA: n, customerB: n, agentX: n, agentY: n, admin: n, readToken: n, writeToken: n });
const everyone = all;
const adminOnly = (n: number): Expect => ({ ...all(403), anonymous: 401, admin: n });
const staffRead = (n: number): Expect => ({ anonymous: 401, customerA: 403, customerB: 403, agentX: n, agentY: n, admin: n, readToken: n, writeToken: n });
const staffWrite = (n: number): Expect => ({ ...staffRead(n), readToken: 403 });
const userRead = (n: number): Expect => ({ ...all(n), anonymous: 401 });
const userWrite = (n: number): Expect => ({ ...userRead(n), readToken: 403 });
/** On data of organisation A in a queue of group X. */
const ticketRead = (n: number): Expect => ({ anonymous: 401, customerA: n, customerB: 404, agentX: n, agentY: 404, admin: n, readToken: n, writeToken: n });
const ticketWrite = (n: number): Expect => ({ ...ticketRead(n), readToken: 403 });
const staffTicketWrite = (n: number): Expect => ({ ...ticketWrite(n), customerA: 403, customerB: 403 });
/** On an asset or plan owned by group X. */
const ownedRead = (n: number): Expect => ({ ...staffRead(n), agentY: 404 });
const ownedWrite = (n: number): Expect => ({ ...ownedRead(n), readToken: 403 });

/** The SCIM service: scim tokens only. */
const scimOnly = (n: number): Expect => ({ ...all(403), anonymous: 401, scimToken: n });
const scimUser = async (w: World) =>
  (await w.sessions.scimToken.request('POST', '/scim/v2/Users', { userName: `${unique('scim')}@example.test` })).body.id as string;
const scimGroup = async (w: World) => (await w.sessions.scimToken.request('POST', '/scim/v2/Groups', { displayName: unique('Matrix SCIM group') })).body.id as string;
const scimPatch = (ops: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: ops });

const admin = (w: World) => w.sessions.admin;
const freshRole = async (w: World) => (await admin(w).post('/api/roles', { key: key('mx_role'), name: 'Matrix role', areas: [], queues: {} })).body.key as string;
/** A disabled policy that could never match (closed 100 years ago): safe to run, change or delete. */
const freshPolicy = async (w: World) => (await admin(w).post('/api/retention/policies', { name: unique('matrix retention'), afterDays: 36500, enabled: false })).body.id as string;
/** A directory nobody answers for (port 9): safe to test, sync (the run fails), change or delete; the undo removes them. */
const freshDirectory = async (w: World) =>
  (await admin(w).post('/api/ldap/directories', { name: unique('matrix-ldap'), url: 'ldap://127.0.0.1:9', bindDn: 'cn=admin,dc=example,dc=test', bindSecret: 'x', userBaseDns: ['dc=example,dc=test'] })).body.id as string;
const dropDirectories = async (w: World) => {
  for (const d of (await admin(w).get('/api/ldap/directories')).body.items ?? []) if (String(d.name).startsWith('matrix-ldap')) await json(admin(w), 'DELETE', `/api/ldap/directories/${d.id}`);
};
async function freshCustomer(w: World): Promise<{ id: string; email: string }> {
  const email = `${unique('erasable')}@example.test`;
  const made = await admin(w).post('/api/users', { email, name: 'Erasable', role: 'customer', password: 'a-long-password-1' });
  return { id: made.body.id, email };
}
const json = (s: Session, method: string, path: string, body?: unknown) => s.request(method, path, body);
/** An SLA policy for no organisation: safe to read, change or delete. */
// A disabled rule that would only tag: the matrix checks who may manage rules, not what rules do.
const matrixRule = () => ({ name: unique('matrix rule'), when: { event: 'created' }, then: [{ action: 'add_tags', tags: ['matrix-rule'] }] });
const freshRule = async (w: World): Promise<string> => (await admin(w).post('/api/rules', matrixRule())).body.id as string;

const freshSlaPolicy = async (w: World) =>
  (await admin(w).post('/api/sla-policies', { name: unique('matrix sla'), organisationIds: [], calendar: '24x7', targets: { low: { resolutionMinutes: 600 } } })).body.id as string;
/** A custom ticket type no ticket uses: safe to change or delete. */
const freshType = async (w: World) => {
  const k = unique('mx_type').replace(/[^a-z0-9_]/gi, '_').toLowerCase();
  await admin(w).post('/api/ticket-types', { key: k, name: { en: 'Matrix', fr: 'Matrice' }, definitionKey: 'incident' });
  return k;
};
/** A published offering open to organisation A only, with a person picker; made once per run. */
const offeringsA = new WeakMap<World, Promise<{ id: string; key: string }>>();
const offeringA = (w: World) => {
  if (!offeringsA.has(w)) offeringsA.set(w, freshOffering(w, [w.orgA]));
  return offeringsA.get(w)!;
};
const freshOffering = async (w: World, organisationIds: string[] = []) => {
  const made = await admin(w).post('/api/catalogue/offerings', {
    key: unique('mx-offer').toLowerCase().replace(/[^a-z0-9-]/g, '-'),
    name: { en: 'Matrix offering', fr: 'Offre matrice' },
    description: { en: '', fr: '' },
    category: { en: 'Matrix', fr: 'Matrice' },
    icon: 'box',
    ticketType: 'service_request',
    priority: 'low',
    published: true,
    organisationIds,
    form: { fields: [{ name: 'who', kind: 'user', label: { en: 'Who', fr: 'Qui' } }, { name: 'why', kind: 'text', label: { en: 'Why', fr: 'Pourquoi' }, required: true }] },
  });
  if (made.status !== 201) throw new Error(`offering: ${made.status} ${JSON.stringify(made.body)}`);
  return made.body as { id: string; key: string };
};
const key = (p: string) => unique(p).replace(/[^a-z0-9_]/gi, '_').toLowerCase();

async function freshSharedMacro(w: World): Promise<string> {
  return (await admin(w).post('/api/macros', { name: unique('Matrix macro'), shared: true, addTags: ['matrix-macro'] })).body.id;
}

async function freshView(w: World): Promise<string> {
  return (await admin(w).post('/api/views', { name: unique('view'), query: { priority: 'high' } })).body.id;
}

/** The latest published problem definition as a draft body: drafts of a served key are the only kind a desk accepts. */
async function problemDefinition(w: World): Promise<Record<string, unknown>> {
  const versions = (await admin(w).get('/api/definitions/problem/versions')).body.items as Array<{ version: number }>;
  const latest = Math.max(...versions.map((v) => v.version));
  const { version: _version, status: _status, ...doc } = (await admin(w).get(`/api/definitions/problem/versions/${latest}`)).body as Record<string, unknown>;
  return doc;
}

async function draft(w: World): Promise<void> {
  const res = await admin(w).request('PUT', '/api/definitions/problem/draft', await problemDefinition(w));
  if (res.status >= 300) throw new Error(`draft: ${res.status} ${JSON.stringify(res.body)}`);
}

const dropDraft = async (w: World) => void (await admin(w).request('DELETE', '/api/definitions/problem/draft'));

async function freshPlan(w: World): Promise<{ id: string; occurrence: string }> {
  const start = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
  const plan = await admin(w).post('/api/maintenance/plans', {
    name: unique('Matrix plan'), assetIds: [w.assetX], ownerGroup: w.groupX, schedule: { kind: 'rrule', rrule: 'FREQ=MONTHLY' },
    start: `${start}T09:00`, timeZone: 'UTC', leadDays: 0, checklist: [],
  });
  if (plan.status !== 201) throw new Error(`plan: ${plan.status} ${JSON.stringify(plan.body)}`);
  const upcoming = (await admin(w).get(`/api/maintenance/plans/${plan.body.id}/upcoming`)).body;
  return { id: plan.body.id, occurrence: (upcoming.items ?? upcoming)[0].occurrence };
}

/**
 * What customX answers differently from agentX: its role (RESPONDER: reply, transition, reports) refuses internal notes,
 * edits, assignment, the knowledge base's editing and maintenance, and agent X's own macro is not its own. Keys are a
 * route, or a route with one case's name in parentheses.
 */
const RESPONDER_ANSWERS: Record<string, number> = {
  'PATCH /api/tickets/{id}': 403,
  'POST /api/tickets/{id}/comments (internal)': 403,
  'POST /api/tickets/{id}/links': 403,
  'DELETE /api/tickets/{id}/links/{otherId}': 403,
  'POST /api/tickets/{id}/assign': 403,
  'PUT /api/tickets/{id}/tags': 403,
  'DELETE /api/tickets/{id}/watchers/{userId}': 403,
  "GET /api/macros/{id} (agent X's own)": 404,
  'POST /api/kb/articles': 403,
  'POST /api/kb/articles/from-ticket': 403,
  'PATCH /api/kb/articles/{id}': 403,
  'PUT /api/kb/articles/{id}/translations/{locale}': 403,
  'GET /api/kb/articles/{id}/translations/{locale}/revisions': 403,
  'GET /api/kb/articles/{id}/translations/{locale}/revisions/{revision}': 403,
  'POST /api/kb/articles/{id}/translations/{locale}/revisions/{revision}/restore': 403,
  'GET /api/kb/stats': 403,
};
const MAINTENANCE = /^[A-Z]+ \/api\/(assets|maintenance)\b/;

/** Sets customX's expected answer on the cases RESPONDER_ANSWERS names, and 403 on every maintenance route. */
function withResponder(table: Record<string, Case[]>): Record<string, Case[]> {
  for (const [route, cases] of Object.entries(table)) {
    for (const c of cases) {
      const status = RESPONDER_ANSWERS[`${route} (${c.name})`] ?? RESPONDER_ANSWERS[route] ?? (MAINTENANCE.test(route) && c.expect.agentX < 400 ? 403 : undefined);
      if (status !== undefined) c.expect = { ...c.expect, customX: status };
    }
  }
  return table;
}

export function matrix(w: World): Record<string, Case[]> {
  return withResponder(cases(w));
}

function cases(w: World): Record<string, Case[]> {
  const A = w.ticketA.id;
  const userId = (who: Principal) => (who === 'customerA' || who === 'customerB' || who === 'agentX' || who === 'agentY' ? w.ids[who] : w.ids.admin);
  const reportCases = (name: string): Record<string, Case[]> => ({
    [`GET /api/reports/${name}`]: [{ expect: staffRead(200), call: (s) => s.get(`/api/reports/${name}`) }],
    [`GET /api/reports/${name}/tickets`]: [
      { expect: staffRead(200), call: (s) => s.get(`/api/reports/${name}/tickets`) },
      { name: 'of the other group\'s queue', expect: staffRead(200), call: (s) => s.get(`/api/reports/${name}/tickets?queue=${w.queueY}`) },
    ],
  });
  return {
    'GET /healthz': [{ expect: everyone(200), call: (s) => s.get('/healthz') }],
    'GET /readyz': [{ expect: everyone(200), call: (s) => s.get('/readyz') }],

    'POST /api/auth/login': [{ expect: { ...everyone(401), readToken: 403 }, call: (s) => s.post('/api/auth/login', { email: `${unique('nobody')}@example.test`, password: 'not-the-password' }) }],
    'GET /api/auth/me': [{ expect: userRead(200), call: (s) => s.get('/api/auth/me') }],
    'POST /api/auth/password': [{ expect: { ...userWrite(403) }, call: (s) => s.post('/api/auth/password', { currentPassword: 'wrong-current-password', newPassword: 'another-long-password-2' }) }],
    'POST /api/auth/password-reset': [{ expect: { ...everyone(400), readToken: 403 }, call: (s) => s.post('/api/auth/password-reset', { token: 'not-a-real-reset-token-000000000000', newPassword: 'another-long-password-2' }) }],
    'POST /api/users/{id}/password-reset': [{ expect: adminOnly(201), call: (s) => s.post(`/api/users/${w.ids.customerA}/password-reset`) }],
    'POST /api/auth/logout': [{
      expect: userWrite(204),
      call: async (s, _w, who) => {
        // A session of its own, so the matrix's sessions outlive the call.
        const email = who === 'admin' ? ADMIN.email : null;
        if (email) return (await Session.login(email, ADMIN.password)).post('/api/auth/logout');
        if (who === 'customerA' || who === 'customerB' || who === 'agentX' || who === 'agentY' || who === 'customX') return (await Session.login(w.emails[who], w.passwords)).post('/api/auth/logout');
        return s.post('/api/auth/logout');
      },
    }],
    'GET /api/auth/oidc': [{ expect: everyone(200), call: (s) => s.get('/api/auth/oidc') }],
    'GET /api/auth/oidc/login': [{ expect: everyone(404), call: (s) => s.get('/api/auth/oidc/login') }],
    'GET /api/auth/oidc/callback': [{ expect: everyone(404), call: (s) => s.get('/api/auth/oidc/callback?state=x&code=y') }],

    'POST /api/tickets': [
      { expect: userWrite(201), call: (s) => s.post('/api/tickets', { type: 'incident', title: unique('Matrix ticket'), priority: 'low' }) },
      {
        name: 'for customer A',
        expect: { ...userWrite(201), customerB: 403 },
        call: (s) => s.post('/api/tickets', { type: 'incident', title: unique('Matrix ticket'), priority: 'low', requesterId: w.ids.customerA, channel: 'phone' }),
      },
    ],
    'GET /api/tickets': [
      { expect: userRead(200), call: (s) => s.get('/api/tickets?limit=100') },
      { name: 'filtered on the other group\'s queue', expect: userRead(200), call: (s) => s.get(`/api/tickets?queue=${w.queueY}&limit=100`) },
    ],
    'GET /api/tickets/{id}': [
      { expect: ticketRead(200), call: (s) => s.get(`/api/tickets/${A}`) },
      { name: 'a work order of group X', expect: { ...ticketRead(200), customerA: 404 }, call: (s) => s.get(`/api/tickets/${w.workOrderX}`) },
    ],
    'PATCH /api/tickets/{id}': [{ expect: ticketWrite(200), call: async (s) => json(s, 'PATCH', `/api/tickets/${await w.freshTicketA()}`, { fields: { category: 'hardware' } }) }],
    'GET /api/tickets/{id}/fields': [{ expect: ticketRead(200), call: (s) => s.get(`/api/tickets/${A}/fields`) }],
    'GET /api/tickets/{id}/context': [{ expect: { ...ticketRead(200), customerA: 403, customerB: 403 }, call: (s) => s.get(`/api/tickets/${A}/context`) }],
    'GET /api/people': [{ expect: staffRead(200), call: (s) => s.get(`/api/people?q=${encodeURIComponent('customer-a')}`) }],
    'POST /api/people': [{ expect: staffWrite(201), call: (s) => s.post('/api/people', { name: 'Walk-in', email: `${unique('walkin')}@example.test` }) }],
    'GET /api/tickets/{id}/transitions': [{ expect: ticketRead(200), call: (s) => s.get(`/api/tickets/${A}/transitions`) }],
    'POST /api/tickets/{id}/transitions': [
      { name: 'agents\' transition', expect: { ...ticketWrite(200), customerA: 409 }, call: async (s) => s.post(`/api/tickets/${await w.freshTicketA()}/transitions`, { transition: 'start' }) },
      { name: 'customers\' transition', expect: { ...ticketWrite(200), agentX: 409 }, call: async (s) => s.post(`/api/tickets/${await w.freshTicketA()}/transitions`, { transition: 'cancel' }) },
    ],
    'POST /api/tickets/{id}/comments': [
      { name: 'public', expect: ticketWrite(201), call: (s) => s.post(`/api/tickets/${A}/comments`, { body: 'Any news?', visibility: 'public' }) },
      { name: 'internal', expect: { ...ticketWrite(201), customerA: 403 }, call: (s) => s.post(`/api/tickets/${A}/comments`, { body: 'Between us', visibility: 'internal' }) },
    ],
    'GET /api/tickets/{id}/timeline': [{ expect: ticketRead(200), call: (s) => s.get(`/api/tickets/${A}/timeline`) }],
    'POST /api/tickets/{id}/links': [{ expect: staffTicketWrite(200), call: async (s) => s.post(`/api/tickets/${await w.freshTicketA()}/links`, { ticketId: A, relation: 'related' }) }],
    'DELETE /api/tickets/{id}/links/{otherId}': [{
      expect: staffTicketWrite(200),
      call: async (s) => {
        const t = await w.freshTicketA();
        await admin(w).post(`/api/tickets/${t}/links`, { ticketId: A, relation: 'related' });
        return json(s, 'DELETE', `/api/tickets/${t}/links/${A}?relation=related`);
      },
    }],
    'POST /api/tickets/{id}/assign': [{ expect: staffTicketWrite(200), call: (s) => s.post(`/api/tickets/${A}/assign`, { assigneeId: w.ids.agentX, queue: w.queueX }) }],
    'PATCH /api/tickets/{id}/comments/{seq}': [{
      name: 'an admin\'s comment',
      expect: { ...ticketWrite(403), admin: 200, writeToken: 200 },
      call: async (s) => {
        const t = await w.freshTicketA();
        const c = await admin(w).post(`/api/tickets/${t}/comments`, { body: 'First wording', visibility: 'public' });
        // Customers name comments by their own numbering; whoever cannot see the ticket tries the real number.
        const seen = (await s.get(`/api/tickets/${t}/timeline`)).body?.items?.find((e: { data: { body?: string } }) => e.data.body === 'First wording');
        return json(s, 'PATCH', `/api/tickets/${t}/comments/${seen?.seq ?? c.body.seq}`, { body: 'Second wording' });
      },
    }],
    'POST /api/tickets/bulk': [{ expect: { ...staffWrite(200) }, call: async (s) => s.post('/api/tickets/bulk', { ids: [await w.freshTicketA()], action: { type: 'assign', assigneeId: null, queue: w.queueX } }) }],
    'GET /api/views': [{ expect: userRead(200), call: (s) => s.get('/api/views') }],
    'POST /api/views': [{ expect: userWrite(201), call: (s) => s.post('/api/views', { name: unique('mine'), query: { priority: 'high' } }) }],
    'DELETE /api/views/{id}': [{ name: 'the admin\'s view', expect: { ...userWrite(404), admin: 204, writeToken: 204 }, call: async (s) => json(s, 'DELETE', `/api/views/${await freshView(w)}`) }],
    'GET /api/auth/mfa': [{ expect: userRead(200), call: (s) => s.get('/api/auth/mfa') }],
    'POST /api/auth/mfa/totp': [{ name: 'a pending secret', expect: { ...userWrite(201), writeToken: 403 }, call: (s) => s.post('/api/auth/mfa/totp') }],
    'POST /api/auth/mfa/totp/confirm': [{
      name: 'with a code that is surely wrong',
      expect: { ...userWrite(422), writeToken: 403 },
      call: async (s) => {
        const secret = (await s.post('/api/auth/mfa/totp')).body?.secret as string | undefined;
        const now = stepAt(Date.now());
        const current = secret ? [now - 1, now, now + 1].map((step) => codeAt(secret, step)) : [];
        const wrong = ['000000', '111111', '222222', '333333'].find((c) => !current.includes(c))!;
        return s.post('/api/auth/mfa/totp/confirm', { code: wrong });
      },
    }],
    'POST /api/auth/mfa/totp/disable': [{ name: 'without two-step sign-in on', expect: { ...userWrite(422), writeToken: 403 }, call: (s) => s.post('/api/auth/mfa/totp/disable', { code: '000000' }) }],
    'GET /api/auth/mfa/passkeys': [{ expect: userRead(200), call: (s) => s.get('/api/auth/mfa/passkeys') }],
    'POST /api/auth/mfa/passkeys/options': [{ expect: { ...userWrite(200), writeToken: 403 }, call: (s) => s.post('/api/auth/mfa/passkeys/options') }],
    'POST /api/auth/mfa/passkeys': [{ name: 'an answer to no challenge', expect: { ...userWrite(422), writeToken: 403 }, call: (s) => s.post('/api/auth/mfa/passkeys', { name: 'Key', response: { id: 'x', response: { clientDataJSON: 'e30' } } }) }],
    'DELETE /api/auth/mfa/passkeys/{credential}': [{ name: 'not theirs', expect: { ...userWrite(404), writeToken: 403 }, call: (s) => json(s, 'DELETE', '/api/auth/mfa/passkeys/no-such-credential') }],
    'GET /api/macros': [{ expect: staffRead(200), call: (s) => s.get('/api/macros') }],
    'POST /api/macros': [
      { name: 'their own', expect: staffWrite(201), call: (s) => s.post('/api/macros', { name: unique('Mine'), reply: { en: 'Hello {{requester.name}}' } }) },
      { name: 'shared', expect: { ...staffWrite(403), admin: 201, writeToken: 201 }, call: (s) => s.post('/api/macros', { name: unique('Shared'), shared: true, priority: 'high' }) },
    ],
    'GET /api/macros/{id}': [
      { name: 'shared', expect: staffRead(200), call: async (s) => s.get(`/api/macros/${await freshSharedMacro(w)}`) },
      {
        name: "agent X's own",
        expect: { anonymous: 401, customerA: 403, customerB: 403, agentX: 200, agentY: 404, admin: 404, readToken: 404, writeToken: 404 },
        call: async (s) => s.get(`/api/macros/${(await w.sessions.agentX.post('/api/macros', { name: unique('Own'), priority: 'low' })).body.id}`),
      },
    ],
    'PUT /api/macros/{id}': [{ name: 'shared', expect: { ...staffWrite(403), admin: 200, writeToken: 200 }, call: async (s) => json(s, 'PUT', `/api/macros/${await freshSharedMacro(w)}`, { name: unique('Renamed'), shared: true, priority: 'low' }) }],
    'DELETE /api/macros/{id}': [{ name: 'shared', expect: { ...staffWrite(403), admin: 204, writeToken: 204 }, call: async (s) => json(s, 'DELETE', `/api/macros/${await freshSharedMacro(w)}`) }],
    'POST /api/macros/{id}/preview': [{ expect: { ...staffTicketWrite(200) }, call: async (s) => s.post(`/api/macros/${await freshSharedMacro(w)}/preview`, { ticketId: A }) }],
    // Per-ticket outcomes are in the answer; a ticket the caller may not see is one of them (see tests/api/macros.test.ts).
    'POST /api/macros/{id}/apply': [{ expect: staffWrite(200), call: async (s) => s.post(`/api/macros/${await freshSharedMacro(w)}/apply`, { ids: [await w.freshTicketA()] }) }],
    'GET /api/tickets/{id}/time': [{ expect: { ...ticketRead(200), customerA: 403, customerB: 403 }, call: (s) => s.get(`/api/tickets/${A}/time`) }],
    'PUT /api/tickets/{id}/presence': [{ expect: staffTicketWrite(200), call: (s) => json(s, 'PUT', `/api/tickets/${A}/presence`, { typing: false }) }],
    'DELETE /api/tickets/{id}/presence': [{ expect: staffTicketWrite(204), call: (s) => json(s, 'DELETE', `/api/tickets/${A}/presence`) }],
    'PUT /api/tickets/{id}/tags': [{ expect: staffTicketWrite(200), call: async (s) => json(s, 'PUT', `/api/tickets/${await w.freshTicketA()}/tags`, { add: [key('matrix-tag')] }) }],
    'GET /api/tags': [{ expect: staffRead(200), call: (s) => s.get('/api/tags?q=matrix') }],
    'GET /api/tickets/{id}/watchers': [{ expect: ticketRead(200), call: (s) => s.get(`/api/tickets/${A}/watchers`) }],
    'POST /api/tickets/{id}/watchers': [{ expect: ticketWrite(204), call: (s) => s.post(`/api/tickets/${A}/watchers`, {}) }],
    'DELETE /api/tickets/{id}/watchers/{userId}': [{ expect: ticketWrite(204), call: (s, _w, who) => json(s, 'DELETE', `/api/tickets/${A}/watchers/${userId(who)}`) }],

    'POST /api/tickets/{id}/attachments': [{ expect: ticketWrite(201), call: (s) => s.request('POST', `/api/tickets/${A}/attachments?filename=note.txt`, 'hello' as never, { 'content-type': 'text/plain' }) }],
    'GET /api/tickets/{id}/attachments': [{ expect: ticketRead(200), call: (s) => s.get(`/api/tickets/${A}/attachments`) }],
    'GET /api/attachments/{id}': [
      { name: 'public', expect: ticketRead(200), call: (s) => s.get(`/api/attachments/${w.publicAttachment}`) },
      { name: 'internal', expect: { ...ticketRead(200), customerA: 404 }, call: (s) => s.get(`/api/attachments/${w.internalAttachment}`) },
    ],

    'GET /api/mail/settings': [{ expect: adminOnly(200), call: (s) => s.get('/api/mail/settings') }],
    'GET /api/mail/templates': [{ expect: adminOnly(200), call: (s) => s.get('/api/mail/templates') }],
    'PUT /api/mail/templates/{kind}/{locale}': [{
      expect: adminOnly(200),
      call: (s) => json(s, 'PUT', '/api/mail/templates/reminder/fr', { subject: 'Rappel {{ticket.number}}', body: 'Rappel' }),
      undo: async (wd) => void (await json(admin(wd), 'DELETE', '/api/mail/templates/reminder/fr')),
    }],
    'DELETE /api/mail/templates/{kind}/{locale}': [{ expect: adminOnly(200), call: (s) => json(s, 'DELETE', '/api/mail/templates/reminder/en') }],
    'POST /api/mail/templates/{kind}/{locale}/preview': [{ expect: adminOnly(200), call: (s) => s.post('/api/mail/templates/reminder/en/preview', { subject: 'Hi {{ticket.number}}', body: 'Body' }) }],
    'GET /api/me/notifications': [{ expect: userRead(200), call: (s) => s.get('/api/me/notifications') }],
    'PUT /api/me/notifications': [{ expect: userWrite(200), call: (s) => json(s, 'PUT', '/api/me/notifications', { kinds: {} }) }],
    'POST /api/auth/forgot-password': [{ expect: { ...everyone(202), readToken: 403 }, call: (s) => s.post('/api/auth/forgot-password', { email: `${unique('nobody')}@example.test` }) }],

    'GET /api/definitions': [{ expect: userRead(200), call: (s) => s.get('/api/definitions') }],
    'GET /api/definitions/{key}/versions/{version}': [{ expect: staffRead(200), call: (s) => s.get('/api/definitions/incident/versions/1') }],
    'POST /api/definitions/validate': [{ expect: staffWrite(200), call: async (s) => s.post('/api/definitions/validate', await problemDefinition(w)) }],
    'GET /api/definitions/{key}/versions': [{ expect: staffRead(200), call: (s) => s.get('/api/definitions/incident/versions') }],
    'PUT /api/definitions/{key}/draft': [{ expect: adminOnly(200), call: async (s) => json(s, 'PUT', '/api/definitions/problem/draft', await problemDefinition(w)), undo: dropDraft }],
    'DELETE /api/definitions/{key}/draft': [{ expect: adminOnly(204), call: async (s) => (await draft(w), json(s, 'DELETE', '/api/definitions/problem/draft')), undo: dropDraft }],
    'POST /api/definitions/{key}/publish': [{ expect: adminOnly(200), call: async (s) => (await draft(w), s.post('/api/definitions/problem/publish')), undo: dropDraft }],
    'GET /api/definitions/{key}/diff': [{ expect: staffRead(200), call: (s) => s.get('/api/definitions/incident/diff?from=1&to=1') }],
    // Backwards, so it is refused after the access check without touching running tickets.
    'POST /api/definitions/{key}/migrations': [{ name: 'backwards', expect: adminOnly(422), call: (s) => s.post('/api/definitions/problem/migrations', { fromVersion: 2, toVersion: 1 }) }],

    'POST /api/users': [{ expect: adminOnly(201), call: (s) => s.post('/api/users', { email: `${unique('new')}@example.test`, name: 'New person', role: 'customer', password: 'a-long-password-123' }) }],
    'GET /api/users': [{ expect: adminOnly(200), call: (s) => s.get('/api/users') }],
    'GET /api/queues': [{ expect: staffRead(200), call: (s) => s.get('/api/queues') }],
    'POST /api/queues': [{ expect: adminOnly(201), call: (s) => s.post('/api/queues', { key: key('mxq'), name: 'Matrix queue' }) }],
    'PATCH /api/queues/{key}': [
      {
        expect: adminOnly(200),
        call: async (s) => {
          const fresh = key('mxq');
          await admin(w).post('/api/queues', { key: fresh, name: 'Matrix queue' });
          return json(s, 'PATCH', `/api/queues/${fresh}`, { assignment: 'round_robin', maxOpenPerAgent: 5 });
        },
      },
    ],
    'GET /api/me/availability': [{ expect: userRead(200), call: (s) => s.get('/api/me/availability') }],
    'PUT /api/me/availability': [{ expect: { ...userWrite(200), customerA: 403, customerB: 403 }, call: (s) => json(s, 'PUT', '/api/me/availability', { away: false }) }],
    'GET /api/routing-rules': [{ expect: staffRead(200), call: (s) => s.get('/api/routing-rules') }],
    'PUT /api/routing-rules': [{ expect: adminOnly(200), call: async (s) => json(s, 'PUT', '/api/routing-rules', { items: (await admin(w).get('/api/routing-rules')).body.items }) }],
    'GET /api/organisations': [{ expect: adminOnly(200), call: (s) => s.get('/api/organisations') }],
    'POST /api/organisations': [{ expect: adminOnly(201), call: (s) => s.post('/api/organisations', { name: unique('Matrix org') }) }],
    'PATCH /api/organisations/{id}': [{ expect: adminOnly(200), call: (s) => json(s, 'PATCH', `/api/organisations/${w.orgA}`, { shareTickets: false }) }],
    'GET /api/groups': [{ expect: adminOnly(200), call: (s) => s.get('/api/groups') }],
    'POST /api/groups': [{ expect: adminOnly(201), call: (s) => s.post('/api/groups', { key: key('mxg'), name: 'Matrix group' }) }],
    'PUT /api/groups/{key}/members': [{ expect: adminOnly(200), call: (s) => json(s, 'PUT', `/api/groups/${w.groupX}/members`, { userIds: [w.ids.agentX, w.ids.customX] }) }],
    'PUT /api/queues/{key}/groups': [{ expect: adminOnly(200), call: (s) => json(s, 'PUT', `/api/queues/${w.queueX}/groups`, { groups: [w.groupX] }) }],
    'PATCH /api/users/{id}': [{ expect: adminOnly(200), call: (s) => json(s, 'PATCH', `/api/users/${w.ids.customerA}`, { locale: 'en' }) }],
    'POST /api/tokens': [{ expect: adminOnly(201), call: (s) => s.post('/api/tokens', { name: unique('matrix token'), scope: 'read' }) }],
    'GET /api/tokens': [{ expect: adminOnly(200), call: (s) => s.get('/api/tokens') }],
    'DELETE /api/tokens/{id}': [{ expect: adminOnly(204), call: async (s) => json(s, 'DELETE', `/api/tokens/${await w.freshTokenId()}`) }],
    'GET /api/audit': [{ expect: adminOnly(200), call: (s) => s.get('/api/audit') }],

    'POST /api/webhooks/subscriptions': [{ expect: adminOnly(201), call: (s) => s.post('/api/webhooks/subscriptions', { name: `matrix ${unique('s')}`, url: 'http://127.0.0.1:9/hook', allowPrivateNetwork: true, eventTypes: ['ticket.event_emitted'] }) }],
    'GET /api/webhooks/subscriptions': [{ expect: adminOnly(200), call: (s) => s.get('/api/webhooks/subscriptions') }],
    'GET /api/webhooks/subscriptions/{id}': [{ expect: adminOnly(200), call: (s) => s.get(`/api/webhooks/subscriptions/${w.subscription}`) }],
    'PATCH /api/webhooks/subscriptions/{id}': [{ expect: adminOnly(200), call: (s) => json(s, 'PATCH', `/api/webhooks/subscriptions/${w.subscription}`, { name: `matrix ${unique('s')}` }) }],
    'DELETE /api/webhooks/subscriptions/{id}': [{
      expect: adminOnly(204),
      call: async (s) => json(s, 'DELETE', `/api/webhooks/subscriptions/${(await admin(w).post('/api/webhooks/subscriptions', { name: `matrix ${unique('s')}`, url: 'http://127.0.0.1:9/hook', allowPrivateNetwork: true, eventTypes: ['ticket.event_emitted'] })).body.subscription.id}`),
    }],
    'POST /api/webhooks/subscriptions/{id}/rotate': [{ expect: adminOnly(200), call: (s) => s.post(`/api/webhooks/subscriptions/${w.subscription}/rotate`, { graceHours: 0 }) }],
    'GET /api/webhooks/subscriptions/{id}/deliveries': [{ expect: adminOnly(200), call: (s) => s.get(`/api/webhooks/subscriptions/${w.subscription}/deliveries`) }],
    'POST /api/webhooks/subscriptions/{id}/redeliver': [{ expect: adminOnly(202), call: (s) => s.post(`/api/webhooks/subscriptions/${w.subscription}/redeliver`, { since: new Date().toISOString() }) }],
    'POST /api/webhooks/endpoints': [{ expect: adminOnly(201), call: (s) => s.post('/api/webhooks/endpoints', { name: `matrix ${unique('e')}`, mapping: { rules: [{ action: { type: 'transition', externalRef: '{{/id}}', transition: 'resolve', fields: {} } }] } }) }],
    'GET /api/webhooks/endpoints': [{ expect: adminOnly(200), call: (s) => s.get('/api/webhooks/endpoints') }],
    'GET /api/webhooks/endpoints/{id}': [{ expect: adminOnly(200), call: (s) => s.get(`/api/webhooks/endpoints/${w.endpoint}`) }],
    'PATCH /api/webhooks/endpoints/{id}': [{ expect: adminOnly(200), call: (s) => json(s, 'PATCH', `/api/webhooks/endpoints/${w.endpoint}`, { name: `matrix ${unique('e')}` }) }],
    'DELETE /api/webhooks/endpoints/{id}': [{
      expect: adminOnly(204),
      call: async (s) => json(s, 'DELETE', `/api/webhooks/endpoints/${(await admin(w).post('/api/webhooks/endpoints', { name: `matrix ${unique('e')}`, mapping: { rules: [{ action: { type: 'transition', externalRef: '{{/id}}', transition: 'resolve', fields: {} } }] } })).body.endpoint.id}`),
    }],
    'POST /api/webhooks/endpoints/{id}/rotate': [{ expect: adminOnly(200), call: (s) => s.post(`/api/webhooks/endpoints/${w.endpoint}/rotate`) }],
    'GET /api/webhooks/endpoints/{id}/requests': [{ expect: adminOnly(200), call: (s) => s.get(`/api/webhooks/endpoints/${w.endpoint}/requests`) }],
    'POST /api/webhooks/endpoints/{id}/requests/{request}/replay': [{
      name: 'of a request naming no ticket',
      expect: adminOnly(422),
      call: async (s) => {
        const slug = (await admin(w).get(`/api/webhooks/endpoints/${w.endpoint}`)).body.slug;
        await new Session().request('POST', `/api/hooks/${slug}`, JSON.stringify({ id: unique('evt') }), { 'content-type': 'application/json' });
        const last = (await admin(w).get(`/api/webhooks/endpoints/${w.endpoint}/requests`)).body.items[0];
        return s.post(`/api/webhooks/endpoints/${w.endpoint}/requests/${last.id}/replay`);
      },
    }],
    'POST /api/hooks/{endpoint}': [{
      name: 'unsigned',
      // The endpoint's own secret authenticates here; no API token does, of any scope.
      expect: { ...everyone(401), scimToken: 401 },
      call: async (s) => s.request('POST', `/api/hooks/${(await admin(w).get(`/api/webhooks/endpoints/${w.endpoint}`)).body.slug}`, JSON.stringify({ id: 'x' }), { 'content-type': 'application/json' }),
    }],
    'GET /api/settings': [{ expect: userRead(200), call: (s) => s.get('/api/settings') }],
    'PATCH /api/settings': [{ name: 'unchanged', expect: adminOnly(200), call: async (s) => json(s, 'PATCH', '/api/settings', { customersMayChooseCritical: (await admin(w).get('/api/settings')).body.customersMayChooseCritical }) }],
    'GET /api/directory': [{ expect: staffRead(200), call: (s) => s.get('/api/directory') }],

    'GET /api/sla-policies': [{ expect: adminOnly(200), call: (s) => s.get('/api/sla-policies') }],
    'POST /api/sla-policies': [{ expect: adminOnly(201), call: (s) => s.post('/api/sla-policies', { name: unique('matrix sla'), organisationIds: [], calendar: '24x7', targets: { low: { resolutionMinutes: 600 } } }) }],
    'POST /api/sla-policies/preview': [{ expect: adminOnly(200), call: (s) => s.post('/api/sla-policies/preview', { organisationIds: [w.orgA], calendar: '24x7', targets: { high: { firstResponseMinutes: 60 } } }) }],
    'GET /api/sla-policies/{id}': [{ expect: adminOnly(200), call: async (s) => s.get(`/api/sla-policies/${await freshSlaPolicy(w)}`) }],
    'PATCH /api/sla-policies/{id}': [{ expect: adminOnly(200), call: async (s) => json(s, 'PATCH', `/api/sla-policies/${await freshSlaPolicy(w)}`, { targets: { low: { resolutionMinutes: 700 } } }) }],
    'DELETE /api/sla-policies/{id}': [{ expect: adminOnly(204), call: async (s) => json(s, 'DELETE', `/api/sla-policies/${await freshSlaPolicy(w)}`) }],
    'GET /api/catalogue/offerings': [{ expect: adminOnly(200), call: (s) => s.get('/api/catalogue/offerings') }],
    'POST /api/catalogue/offerings': [
      {
        expect: adminOnly(201),
        call: (s) =>
          s.post('/api/catalogue/offerings', { key: unique('mx-new').toLowerCase().replace(/[^a-z0-9-]/g, '-'), name: { en: 'M', fr: 'M' }, description: { en: '', fr: '' }, category: { en: 'M', fr: 'M' }, icon: 'box', ticketType: 'service_request', priority: 'low', form: { fields: [{ name: 'a', kind: 'text', label: { en: 'A', fr: 'A' } }] } }),
      },
    ],
    'GET /api/catalogue/offerings/{id}': [{ expect: adminOnly(200), call: async (s) => s.get(`/api/catalogue/offerings/${(await offeringA(w)).id}`) }],
    'PATCH /api/catalogue/offerings/{id}': [{ expect: adminOnly(200), call: async (s) => json(s, 'PATCH', `/api/catalogue/offerings/${(await freshOffering(w)).id}`, { published: false }) }],
    'DELETE /api/catalogue/offerings/{id}': [{ expect: adminOnly(204), call: async (s) => json(s, 'DELETE', `/api/catalogue/offerings/${(await freshOffering(w)).id}`) }],
    'GET /api/catalogue/items': [{ expect: userRead(200), call: (s) => s.get('/api/catalogue/items?q=matrix') }],
    'GET /api/catalogue/items/{key}': [{ expect: { ...userRead(200), customerB: 404 }, call: async (s) => s.get(`/api/catalogue/items/${(await offeringA(w)).key}`) }],
    'GET /api/catalogue/items/{key}/forms/{version}/check.js': [{ expect: { ...userRead(200), customerB: 404 }, call: async (s) => s.get(`/api/catalogue/items/${(await offeringA(w)).key}/forms/1/check.js`) }],
    'GET /api/catalogue/items/{key}/choices/{field}': [{ expect: { ...userRead(200), customerB: 404 }, call: async (s) => s.get(`/api/catalogue/items/${(await offeringA(w)).key}/choices/who?q=a`) }],
    'POST /api/catalogue/items/{key}/requests': [
      { expect: { ...userWrite(201), customerB: 404 }, call: async (s) => s.post(`/api/catalogue/items/${(await offeringA(w)).key}/requests`, { version: 1, answers: { why: 'matrix' } }) },
    ],
    'GET /api/tickets/{id}/request-form': [{ expect: ticketRead(200), call: (s) => s.get(`/api/tickets/${A}/request-form`) }],
    'GET /api/rules': [{ expect: adminOnly(200), call: (s) => s.get('/api/rules') }],
    'POST /api/rules': [{ expect: adminOnly(201), call: (s) => s.post('/api/rules', matrixRule()) }],
    'POST /api/rules/dry-run': [{ expect: adminOnly(200), call: (s) => s.post('/api/rules/dry-run', { rule: matrixRule(), days: 1 }) }],
    'GET /api/rules/{id}': [{ expect: adminOnly(200), call: async (s) => s.get(`/api/rules/${await freshRule(w)}`) }],
    'GET /api/rules/{id}/versions': [{ expect: adminOnly(200), call: async (s) => s.get(`/api/rules/${await freshRule(w)}/versions`) }],
    'PATCH /api/rules/{id}': [{ expect: adminOnly(200), call: async (s) => json(s, 'PATCH', `/api/rules/${await freshRule(w)}`, { enabled: false }) }],
    'DELETE /api/rules/{id}': [{ expect: adminOnly(204), call: async (s) => json(s, 'DELETE', `/api/rules/${await freshRule(w)}`) }],
    // No plug-in on the matrix desk: staff see no panel, and none by name; customers never see panels.
    'GET /api/tickets/{id}/panels': [{ expect: ownedRead(200), call: (s) => s.get(`/api/tickets/${A}/panels`) }],
    'GET /api/tickets/{id}/panels/{plugin}/{key}': [{ expect: staffRead(404), call: (s) => s.get(`/api/tickets/${A}/panels/echo/heard`) }],
    'GET /api/plugins/pages': [{ expect: staffRead(200), call: (s) => s.get('/api/plugins/pages') }],
    'GET /api/plugins/pages/{plugin}/{key}': [{ expect: staffRead(404), call: (s) => s.get('/api/plugins/pages/echo/stats') }],
    'GET /api/plugins/actions': [{ expect: adminOnly(200), call: (s) => s.get('/api/plugins/actions') }],
    'GET /api/plugins': [{ expect: adminOnly(200), call: (s) => s.get('/api/plugins') }],
    // The matrix desk loads no plug-in: an admin learns there is none of that name (tests/api/plugins.test.ts saves real ones).
    'GET /api/mail/undeliverable': [{ expect: adminOnly(200), call: (s) => s.get('/api/mail/undeliverable') }],
    'DELETE /api/mail/undeliverable/{email}': [{ expect: adminOnly(404), call: (s) => s.request('DELETE', '/api/mail/undeliverable/nobody%40example.test') }],
    'PUT /api/plugins/{name}/settings': [{ expect: adminOnly(404), call: (s) => json(s, 'PUT', '/api/plugins/echo/settings', { greeting: 'hi' }) }],
    'POST /api/plugins/{name}/schedules/{key}/runs': [{ expect: adminOnly(404), call: (s) => json(s, 'POST', '/api/plugins/crm/schedules/sync/runs', {}) }],
    'GET /api/ticket-types': [{ expect: userRead(200), call: (s) => s.get('/api/ticket-types') }],
    'POST /api/ticket-types': [{ expect: adminOnly(201), call: (s) => s.post('/api/ticket-types', { key: key('mx_type'), name: { en: 'Matrix', fr: 'Matrice' }, definitionKey: 'incident' }) }],
    'PATCH /api/ticket-types/{key}': [{ expect: adminOnly(200), call: async (s) => json(s, 'PATCH', `/api/ticket-types/${await freshType(w)}`, { name: { en: 'Matrix 2', fr: 'Matrice 2' } }) }],
    'DELETE /api/ticket-types/{key}': [{ expect: adminOnly(204), call: async (s) => json(s, 'DELETE', `/api/ticket-types/${await freshType(w)}`) }],
    'GET /api/approvals': [{ expect: userRead(200), call: (s) => s.get('/api/approvals?status=all') }],
    'GET /api/tickets/{id}/approvals': [{ expect: ticketRead(200), call: (s) => s.get(`/api/tickets/${A}/approvals`) }],
    // Ticket A never waited for approval: nobody may know of a round there (the approvals suite decides real ones).
    'POST /api/tickets/{id}/approvals/{round}/decision': [{ expect: userWrite(404), call: (s) => s.post(`/api/tickets/${A}/approvals/1/decision`, { decision: 'approve' }) }],
    'GET /api/approval-links/{token}': [{ expect: all(403), call: (s) => s.get('/api/approval-links/eyJmb3JnZWQiOnRydWV9.bm90LWEtc2lnbmF0dXJl') }],
    'POST /api/approval-links/{token}': [{ expect: all(403), call: (s) => s.post('/api/approval-links/eyJmb3JnZWQiOnRydWV9.bm90LWEtc2lnbmF0dXJl', { decision: 'approve' }) }],
    'GET /api/kb/categories': [{ expect: userRead(200), call: (s) => s.get('/api/kb/categories') }],
    'POST /api/kb/categories': [{ expect: adminOnly(201), call: (s) => s.post('/api/kb/categories', { key: key('mxc'), name: { en: 'Matrix', fr: 'Matrice' } }) }],
    'DELETE /api/kb/categories/{key}': [{
      expect: adminOnly(204),
      call: async (s) => {
        const k = key('mxc');
        await admin(w).post('/api/kb/categories', { key: k, name: { en: 'Doomed', fr: 'Condamnée' } });
        return json(s, 'DELETE', `/api/kb/categories/${k}`);
      },
    }],
    'GET /api/kb/articles': [{ expect: userRead(200), call: (s) => s.get('/api/kb/articles?limit=50') }],
    'POST /api/kb/articles': [{ expect: staffWrite(201), call: (s) => s.post('/api/kb/articles', { visibility: 'internal', translations: { en: { title: unique('Draft'), body: 'Body' } } }) }],
    'GET /api/kb/suggestions': [{ expect: userRead(200), call: (s) => s.get('/api/kb/suggestions?q=password') }],
    'POST /api/kb/articles/from-ticket': [{ expect: staffTicketWrite(201), call: async (s) => {
        const t = await w.freshTicketA();
        await admin(w).post(`/api/tickets/${t}/comments`, { body: 'Turn it off and on again', visibility: 'public' });
        return s.post('/api/kb/articles/from-ticket', { ticketId: t });
      },
    }],
    'POST /api/kb/render': [{ expect: userRead(200), call: (s) => s.post('/api/kb/render', { body: '**bold**' }) }],
    'GET /api/kb/articles/{id}': [
      { name: 'public', expect: userRead(200), call: (s) => s.get(`/api/kb/articles/${w.publicArticle}`) },
      { name: 'internal', expect: { ...userRead(200), customerA: 404, customerB: 404 }, call: (s) => s.get(`/api/kb/articles/${w.internalArticle}`) },
    ],
    'PATCH /api/kb/articles/{id}': [{ expect: staffWrite(200), call: (s) => json(s, 'PATCH', `/api/kb/articles/${w.publicArticle}`, { tags: ['password'] }) }],
    'PUT /api/kb/articles/{id}/translations/{locale}': [{ expect: staffWrite(200), call: (s) => json(s, 'PUT', `/api/kb/articles/${w.publicArticle}/translations/fr`, { title: unique('Réinitialiser'), body: 'Corps' }) }],
    'GET /api/kb/articles/{id}/translations/{locale}/revisions': [{ expect: staffRead(200), call: (s) => s.get(`/api/kb/articles/${w.publicArticle}/translations/en/revisions`) }],
    'GET /api/kb/articles/{id}/translations/{locale}/revisions/{revision}': [{ expect: staffRead(200), call: (s) => s.get(`/api/kb/articles/${w.publicArticle}/translations/en/revisions/1`) }],
    'POST /api/kb/articles/{id}/translations/{locale}/revisions/{revision}/restore': [{ expect: staffWrite(200), call: (s) => s.post(`/api/kb/articles/${w.publicArticle}/translations/en/revisions/1/restore`) }],
    'POST /api/kb/articles/{id}/feedback': [{ expect: userWrite(204), call: (s) => s.post(`/api/kb/articles/${w.publicArticle}/feedback`, { helpful: true }) }],
    'POST /api/kb/events': [{ expect: userWrite(204), call: (s) => s.post('/api/kb/events', { sessionId: randomUUID(), type: 'suggestion_opened', articleId: w.publicArticle }) }],
    'GET /api/kb/stats': [{ expect: staffRead(200), call: (s) => s.get('/api/kb/stats') }],

    'GET /api/assets': [{ expect: staffRead(200), call: (s) => s.get('/api/assets') }],
    'POST /api/assets': [{ expect: staffWrite(201), call: (s) => s.post('/api/assets', { name: unique('Matrix asset'), kind: 'equipment', criticality: 'low', ownerGroup: null }) }],
    'GET /api/assets/{id}': [{ expect: ownedRead(200), call: (s) => s.get(`/api/assets/${w.assetX}`) }],
    'PATCH /api/assets/{id}': [{ expect: ownedWrite(200), call: (s) => json(s, 'PATCH', `/api/assets/${w.assetX}`, { location: 'Basement' }) }],
    'GET /api/maintenance/plans': [{ expect: staffRead(200), call: (s) => s.get('/api/maintenance/plans') }],
    'POST /api/maintenance/plans': [{
      expect: { ...ownedWrite(201), agentY: 422 },
      call: (s) => s.post('/api/maintenance/plans', {
        name: unique('Matrix plan'), assetIds: [w.assetX], ownerGroup: null, schedule: { kind: 'rrule', rrule: 'FREQ=YEARLY' },
        start: `${new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10)}T09:00`, timeZone: 'UTC', leadDays: 0, checklist: [],
      }),
    }],
    'POST /api/maintenance/preview': [{ expect: staffRead(200), call: (s) => s.post('/api/maintenance/preview', { schedule: { kind: 'rrule', rrule: 'FREQ=DAILY' }, start: '2030-01-01T09:00', timeZone: 'UTC', count: 3 }) }],
    'GET /api/maintenance/plans/{id}': [{ expect: ownedRead(200), call: (s) => s.get(`/api/maintenance/plans/${w.planX}`) }],
    'PUT /api/maintenance/plans/{id}': [{
      expect: ownedWrite(200),
      call: async (s) => {
        const p = await freshPlan(w);
        const plan = (await admin(w).get(`/api/maintenance/plans/${p.id}`)).body;
        return json(s, 'PUT', `/api/maintenance/plans/${p.id}`, { name: `${plan.name} (renamed)`, assetIds: [w.assetX], schedule: plan.schedule, start: plan.start, timeZone: plan.timeZone, leadDays: plan.leadDays, checklist: [], ownerGroup: w.groupX });
      },
    }],
    'GET /api/maintenance/plans/{id}/upcoming': [{ expect: ownedRead(200), call: (s) => s.get(`/api/maintenance/plans/${w.planX}/upcoming`) }],
    'POST /api/maintenance/plans/{id}/pause': [{ expect: ownedWrite(200), call: async (s) => s.post(`/api/maintenance/plans/${(await freshPlan(w)).id}/pause`) }],
    'POST /api/maintenance/plans/{id}/resume': [{
      expect: ownedWrite(200),
      call: async (s) => {
        const p = await freshPlan(w);
        await admin(w).post(`/api/maintenance/plans/${p.id}/pause`);
        return s.post(`/api/maintenance/plans/${p.id}/resume`, {});
      },
    }],
    'POST /api/maintenance/plans/{id}/skip': [{ expect: ownedWrite(200), call: async (s) => { const p = await freshPlan(w); return s.post(`/api/maintenance/plans/${p.id}/skip`, { occurrence: p.occurrence }); } }],
    'POST /api/maintenance/plans/{id}/postpone': [{
      expect: ownedWrite(200),
      call: async (s) => { const p = await freshPlan(w); return s.post(`/api/maintenance/plans/${p.id}/postpone`, { occurrence: p.occurrence, to: new Date(Date.parse(p.occurrence) + 86_400_000).toISOString() }); },
    }],
    'POST /api/maintenance/plans/{id}/stop': [{ expect: ownedWrite(200), call: async (s) => s.post(`/api/maintenance/plans/${(await freshPlan(w)).id}/stop`) }],
    'GET /api/maintenance/calendar': [{ expect: staffRead(200), call: (s) => s.get(`/api/maintenance/calendar?from=${new Date().toISOString().slice(0, 10)}&to=${new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10)}`) }],
    'GET /api/maintenance/overdue': [{ expect: staffRead(200), call: (s) => s.get('/api/maintenance/overdue') }],
    'GET /api/maintenance/compliance': [{ expect: staffRead(200), call: (s) => s.get('/api/maintenance/compliance') }],
    'GET /api/maintenance/work-orders/{id}/checklist': [{ expect: ownedRead(200), call: (s) => s.get(`/api/maintenance/work-orders/${w.workOrderX}/checklist`) }],
    'PUT /api/maintenance/work-orders/{id}/checklist/{item}': [{ expect: ownedWrite(200), call: (s) => json(s, 'PUT', `/api/maintenance/work-orders/${w.workOrderX}/checklist/check`, { done: true }) }],
    'POST /api/maintenance/work-orders/{id}/incident': [{ expect: ownedWrite(201), call: (s) => s.post(`/api/maintenance/work-orders/${w.workOrderX}/incident`, { title: unique('Found a leak') }) }],

    ...['sla', 'backlog', 'volume', 'agents', 'reopens', 'escalations', 'satisfaction', 'tags', 'time'].reduce((acc, name) => ({ ...acc, ...reportCases(name) }), {} as Record<string, Case[]>),
    'GET /api/roles': [{ expect: adminOnly(200), call: (s) => s.get('/api/roles') }],
    'POST /api/roles': [{ expect: adminOnly(201), call: (s) => s.post('/api/roles', { key: key('mx_role'), name: 'Matrix role', areas: [], queues: { '*': ['reply'] } }) }],
    'PATCH /api/roles/{key}': [{ expect: adminOnly(200), call: async (s) => json(s, 'PATCH', `/api/roles/${await freshRole(w)}`, { areas: ['reports.view'] }) }],
    'DELETE /api/roles/{key}': [{ expect: adminOnly(204), call: async (s) => json(s, 'DELETE', `/api/roles/${await freshRole(w)}`) }],
    'GET /api/users/{id}/personal-data': [{ expect: adminOnly(200), call: (s) => s.get(`/api/users/${w.ids.customerA}/personal-data`) }],
    'POST /api/users/{id}/erase': [{ expect: adminOnly(200), call: async (s) => { const c = await freshCustomer(w); return s.post(`/api/users/${c.id}/erase`, { confirm: c.email }); } }],
    'GET /api/retention/policies': [{ expect: adminOnly(200), call: (s) => s.get('/api/retention/policies') }],
    'POST /api/retention/preview': [{ expect: adminOnly(200), call: (s) => s.post('/api/retention/preview', { afterDays: 36500 }) }],
    'POST /api/retention/policies': [{ expect: adminOnly(201), call: (s) => s.post('/api/retention/policies', { name: unique('matrix retention'), afterDays: 36500, enabled: false }) }],
    'PATCH /api/retention/policies/{id}': [{ expect: adminOnly(200), call: async (s) => json(s, 'PATCH', `/api/retention/policies/${await freshPolicy(w)}`, { afterDays: 36000 }) }],
    'DELETE /api/retention/policies/{id}': [{ expect: adminOnly(204), call: async (s) => json(s, 'DELETE', `/api/retention/policies/${await freshPolicy(w)}`) }],
    'POST /api/retention/policies/{id}/run': [{ expect: adminOnly(200), call: async (s) => s.post(`/api/retention/policies/${await freshPolicy(w)}/run`) }],
    'POST /api/imports/{kind}': [
      { name: 'dry run', expect: adminOnly(200), call: (s) => s.request('POST', '/api/imports/organisations?source=matrix&dryRun=true', 'name\nMatrix import\n' as never, { 'content-type': 'text/csv' }) },
    ],
    'POST /api/imports/request-tracker': [{ name: 'unreachable', expect: adminOnly(422), call: (s) => s.post('/api/imports/request-tracker', { url: 'http://127.0.0.1:9', token: 'x', dryRun: true }) }],
    'GET /api/imports': [{ expect: adminOnly(200), call: (s) => s.get('/api/imports') }],
    'POST /api/ldap/directories': [{ expect: adminOnly(201), call: (s) => s.post('/api/ldap/directories', { name: unique('matrix-ldap'), url: 'ldap://127.0.0.1:9', bindDn: 'cn=admin,dc=example,dc=test', bindSecret: 'x', userBaseDns: ['dc=example,dc=test'] }), undo: dropDirectories }],
    'GET /api/ldap/directories': [{ expect: adminOnly(200), call: (s) => s.get('/api/ldap/directories') }],
    'GET /api/ldap/directories/{id}': [{ expect: adminOnly(200), call: async (s) => s.get(`/api/ldap/directories/${await freshDirectory(w)}`), undo: dropDirectories }],
    'PATCH /api/ldap/directories/{id}': [{ expect: adminOnly(200), call: async (s) => json(s, 'PATCH', `/api/ldap/directories/${await freshDirectory(w)}`, { syncIntervalMinutes: 120 }), undo: dropDirectories }],
    'DELETE /api/ldap/directories/{id}': [{ expect: adminOnly(204), call: async (s) => json(s, 'DELETE', `/api/ldap/directories/${await freshDirectory(w)}`), undo: dropDirectories }],
    'POST /api/ldap/directories/{id}/test': [{ name: 'a directory that is down', expect: adminOnly(422), call: async (s) => s.post(`/api/ldap/directories/${await freshDirectory(w)}/test`), undo: dropDirectories }],
    'POST /api/ldap/directories/{id}/sync': [{ expect: adminOnly(202), call: async (s) => s.post(`/api/ldap/directories/${await freshDirectory(w)}/sync`), undo: dropDirectories }],
    'GET /api/ldap/directories/{id}/runs': [{ expect: adminOnly(200), call: async (s) => s.get(`/api/ldap/directories/${await freshDirectory(w)}/runs`), undo: dropDirectories }],
    'GET /scim/v2/ServiceProviderConfig': [{ expect: scimOnly(200), call: (s) => s.get('/scim/v2/ServiceProviderConfig') }],
    'GET /scim/v2/ResourceTypes': [{ expect: scimOnly(200), call: (s) => s.get('/scim/v2/ResourceTypes') }],
    'GET /scim/v2/Schemas': [{ expect: scimOnly(200), call: (s) => s.get('/scim/v2/Schemas') }],
    'GET /scim/v2/Users': [{ expect: scimOnly(200), call: (s) => s.get(`/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${w.emails.customerA}"`)}`) }],
    'POST /scim/v2/Users': [{ expect: scimOnly(201), call: (s) => s.post('/scim/v2/Users', { userName: `${unique('scim')}@example.test` }) }],
    'GET /scim/v2/Users/{id}': [{ expect: scimOnly(200), call: (s) => s.get(`/scim/v2/Users/${w.ids.customerA}`) }],
    'PUT /scim/v2/Users/{id}': [{ expect: scimOnly(200), call: async (s) => { const id = await scimUser(w); return json(s, 'PUT', `/scim/v2/Users/${id}`, { userName: `${unique('scim')}@example.test` }); } }],
    'PATCH /scim/v2/Users/{id}': [{ expect: scimOnly(200), call: async (s) => json(s, 'PATCH', `/scim/v2/Users/${await scimUser(w)}`, scimPatch([{ op: 'replace', path: 'active', value: false }])) }],
    'DELETE /scim/v2/Users/{id}': [{ expect: scimOnly(204), call: async (s) => json(s, 'DELETE', `/scim/v2/Users/${await scimUser(w)}`) }],
    'GET /scim/v2/Groups': [{ expect: scimOnly(200), call: (s) => s.get('/scim/v2/Groups?excludedAttributes=members') }],
    'POST /scim/v2/Groups': [{ expect: scimOnly(201), call: (s) => s.post('/scim/v2/Groups', { displayName: unique('Matrix SCIM group') }) }],
    'GET /scim/v2/Groups/{key}': [{ expect: scimOnly(200), call: (s) => s.get(`/scim/v2/Groups/${w.groupX}`) }],
    'PUT /scim/v2/Groups/{key}': [{ expect: scimOnly(200), call: async (s) => json(s, 'PUT', `/scim/v2/Groups/${await scimGroup(w)}`, { displayName: unique('Matrix SCIM group') }) }],
    'PATCH /scim/v2/Groups/{key}': [{ expect: scimOnly(200), call: async (s) => json(s, 'PATCH', `/scim/v2/Groups/${await scimGroup(w)}`, scimPatch([{ op: 'replace', path: 'displayName', value: unique('Matrix SCIM group') }])) }],
    'DELETE /scim/v2/Groups/{key}': [{ expect: scimOnly(204), call: async (s) => json(s, 'DELETE', `/scim/v2/Groups/${await scimGroup(w)}`) }],
    'GET /api/tickets/{id}/rating': [{ expect: ticketRead(200), call: (s) => s.get(`/api/tickets/${w.ratedTicketA}/rating`) }],
    'PUT /api/tickets/{id}/rating': [{ name: 'on an open ticket', expect: { ...ticketWrite(403), customerA: 409 }, call: (s) => json(s, 'PUT', `/api/tickets/${A}/rating`, { score: 5 }) }],
  };
}
