// The eight callers of the access matrix and the data it runs on: everything the matrix asks about belongs to organisation A
// and agent group X; organisation B and group Y own look-alike data whose marks must never reach A's or X's people.
import { ADMIN, Session, eventually, unique } from '../../support/http';

export const PRINCIPALS = ['anonymous', 'customerB', 'agentY', 'readToken', 'customerA', 'agentX', 'writeToken', 'admin', 'scimToken', 'customX'] as const;

/** The custom role customX holds: an agent of group X who may reply and move tickets and read reports, nothing more. */
export const RESPONDER = { key: 'matrix_responder', name: 'Matrix responder', areas: ['reports.view'], queues: { '*': ['reply', 'transition'] } };
export type Principal = (typeof PRINCIPALS)[number];

export interface World {
  sessions: Record<Principal, Session>;
  ids: Record<'customerA' | 'customerB' | 'agentX' | 'agentY' | 'admin' | 'customX', string>;
  emails: Record<'customerA' | 'customerB' | 'agentX' | 'agentY' | 'customX', string>;
  passwords: string;
  orgA: string;
  orgB: string;
  groupX: string;
  groupY: string;
  queueX: string;
  queueY: string;
  ticketA: { id: string; title: string };
  ticketB: { id: string; title: string };
  ratedTicketA: string;
  publicAttachment: string;
  internalAttachment: string;
  publicArticle: string;
  internalArticle: string;
  assetX: string;
  planX: string;
  workOrderX: string;
  subscription: string;
  endpoint: string;
  /** Strings that must never appear in any answer given to the principal. */
  secretsFrom: Record<Principal, string[]>;
  /** Makes a new ticket of customer A in queue X (for commands that change the ticket they act on). */
  freshTicketA: () => Promise<string>;
  freshTokenId: () => Promise<string>;
}

const PASSWORD = 'a-long-password-for-the-matrix';

async function bearer(token: string): Promise<Session> {
  const s = new Session();
  const request = s.request.bind(s);
  s.request = (method, path, body, headers = {}) => request(method, path, body, { authorization: `Bearer ${token}`, ...headers });
  return s;
}

function ok<T>(res: { status: number; body: T }, what: string): T {
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function buildWorld(): Promise<World> {
  const admin = await Session.login(ADMIN.email, ADMIN.password);
  const mark = unique('mx');
  const orgA = ok(await admin.post('/api/organisations', { name: `Org A ${mark}` }), 'org A') as { id: string };
  const orgB = ok(await admin.post('/api/organisations', { name: `CANARY-ORGB ${mark}` }), 'org B') as { id: string };
  const user = async (role: string, label: string, organisationId?: string) => {
    const email = `${label}.${mark}@example.test`.toLowerCase();
    const created = ok(await admin.post('/api/users', { email, name: `${label} ${mark}`, role, password: PASSWORD, ...(organisationId ? { organisationId } : {}) }), label) as { id: string };
    return { id: created.id, email, s: await Session.login(email, PASSWORD) };
  };
  const customerA = await user('customer', 'customer-a', orgA.id);
  const customerB = await user('customer', 'CANARY-customer-b', orgB.id);
  const agentX = await user('agent', 'CANARY-agent-x');
  const agentY = await user('agent', 'CANARY-agent-y');
  const role = await admin.post('/api/roles', RESPONDER);
  if (role.status !== 201 && role.body?.type?.endsWith('role-exists') !== true) throw new Error(`role: ${role.status} ${JSON.stringify(role.body)}`);
  const customX = await user('agent', 'CANARY-custom-x');
  ok(await admin.request('PATCH', `/api/users/${customX.id}`, { customRole: RESPONDER.key }), 'custom role');

  const key = (p: string) => `${p}_${mark}`.replace(/[^a-z0-9_]/g, '_');
  const groupX = key('gx');
  const groupY = key('gy');
  const queueX = key('qx');
  const queueY = key('qy');
  for (const [group, member, queue] of [[groupX, agentX.id, queueX], [groupY, agentY.id, queueY]] as const) {
    ok(await admin.post('/api/groups', { key: group, name: `Group ${group}` }), 'group');
    ok(await admin.request('PUT', `/api/groups/${group}/members`, { userIds: group === groupX ? [member, customX.id] : [member] }), 'members');
    ok(await admin.post('/api/queues', { key: queue, name: `Queue ${queue}` }), 'queue');
    ok(await admin.request('PUT', `/api/queues/${queue}/groups`, { groups: [group] }), 'queue groups');
  }

  const ticketIn = async (s: Session, queue: string, title: string) => {
    const t = ok(await s.post('/api/tickets', { type: 'incident', title, priority: 'medium' }), 'ticket') as { id: string };
    ok(await admin.post(`/api/tickets/${t.id}/assign`, { assigneeId: null, queue }), 'move ticket');
    return t.id;
  };
  const ticketA = { id: '', title: `Printer jam ${mark}` };
  ticketA.id = await ticketIn(customerA.s, queueX, ticketA.title);
  const ticketB = { id: '', title: `CANARY-TICKETB ${mark}` };
  ticketB.id = await ticketIn(customerB.s, queueY, ticketB.title);
  ok(await agentX.s.post(`/api/tickets/${ticketA.id}/comments`, { body: `CANARY-INTERNAL note ${mark}`, visibility: 'internal' }), 'internal note');
  ok(await agentX.s.post(`/api/tickets/${ticketA.id}/comments`, { body: 'We are on it', visibility: 'public' }), 'public reply');
  ok(await customerB.s.post(`/api/tickets/${ticketB.id}/comments`, { body: `CANARY-BCOMMENT ${mark}` }), 'B comment');
  const ratedTicketA = await ticketIn(customerA.s, queueX, `Rated ${mark}`);
  ok(await agentX.s.post(`/api/tickets/${ratedTicketA}/transitions`, { transition: 'resolve', fields: { resolution: 'Replaced the toner' } }), 'resolve');
  // The rating reads the ticket's state from the read model, which follows the workflow.
  await eventually(async () => ((await customerA.s.request('PUT', `/api/tickets/${ratedTicketA}/rating`, { score: 5, comment: 'Quick' })).status === 200 ? true : undefined));
  const upload = (visibility: string, filename: string) =>
    agentX.s.request('POST', `/api/tickets/${ticketA.id}/attachments?filename=${encodeURIComponent(filename)}&visibility=${visibility}`, 'file body' as never, { 'content-type': 'text/plain' });
  const publicAttachment = (ok(await upload('public', 'report.txt'), 'public file') as { id: string }).id;
  const internalAttachment = (ok(await upload('internal', `CANARY-INTERNALFILE-${mark}.txt`), 'internal file') as { id: string }).id;

  const article = async (visibility: string, title: string) =>
    (ok(await admin.post('/api/kb/articles', { visibility, status: 'published', translations: { en: { title, body: `${title} body` } } }), 'article') as { id: string }).id;
  const publicArticle = await article('public', `Reset your password ${mark}`);
  const internalArticle = await article('internal', `CANARY-KBINTERNAL ${mark}`);

  const asset = async (s: Session, ownerGroup: string, name: string) =>
    (ok(await s.post('/api/assets', { name, kind: 'equipment', criticality: 'medium', ownerGroup }), 'asset') as { id: string }).id;
  const assetX = await asset(agentX.s, groupX, `Boiler ${mark}`);
  const assetY = await asset(agentY.s, groupY, `CANARY-ASSETY ${mark}`);
  const start = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const plan = async (s: Session, assetId: string, ownerGroup: string, name: string) =>
    (ok(
      await s.post('/api/maintenance/plans', {
        name, assetIds: [assetId], ownerGroup, schedule: { kind: 'rrule', rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU' },
        start: `${start}T09:00`, timeZone: 'UTC', leadDays: 3, checklist: [{ id: 'check', label: 'Check', kind: 'check', mandatory: true }],
      }),
      'plan',
    ) as { id: string }).id;
  const planX = await plan(agentX.s, assetX, groupX, `Boiler service ${mark}`);
  await plan(agentY.s, assetY, groupY, `CANARY-PLANY ${mark}`);
  const workOrderX = await eventually(async () => (await admin.get(`/api/maintenance/plans/${planX}`)).body.workOrders?.[0]?.ticketId as string | undefined, 30_000);
  await eventually(async () => ((await admin.get(`/api/tickets/${workOrderX}`)).status === 200 ? true : undefined));

  // Deliveries go to a closed port and are never retried in time to matter; afterAll removes the subscription.
  const subscription = (ok(await admin.post('/api/webhooks/subscriptions', { name: `matrix ${mark}`, url: 'http://127.0.0.1:9/hook', allowPrivateNetwork: true, eventTypes: ['ticket.event_emitted'] }), 'subscription') as { subscription: { id: string } }).subscription.id;
  const endpoint = (ok(await admin.post('/api/webhooks/endpoints', { name: `matrix ${mark}`, mapping: { rules: [{ action: { type: 'transition', externalRef: '{{/id}}', transition: 'resolve', fields: {} } }] } }), 'endpoint') as { endpoint: { id: string } }).endpoint.id;

  const tokens: Record<string, Session> = {};
  for (const scope of ['read', 'write', 'scim']) tokens[scope] = await bearer((ok(await admin.post('/api/tokens', { name: `matrix ${scope}`, scope }), 'token') as { token: string }).token);

  const staffMarks = [agentX.email, agentY.email, ADMIN.email];
  const internal = [`CANARY-INTERNAL note ${mark}`, `CANARY-INTERNALFILE-${mark}`, `CANARY-KBINTERNAL ${mark}`];
  const ofB = [ticketB.title, `CANARY-ORGB ${mark}`, `CANARY-BCOMMENT ${mark}`, customerB.email];
  const ofY = [ticketB.title, `CANARY-ASSETY ${mark}`, `CANARY-PLANY ${mark}`, `CANARY-BCOMMENT ${mark}`];
  const ofA = [ticketA.title, `Org A ${mark}`, customerA.email];
  return {
    sessions: { anonymous: new Session(), customerA: customerA.s, customerB: customerB.s, agentX: agentX.s, agentY: agentY.s, admin, readToken: tokens.read!, writeToken: tokens.write!, scimToken: tokens.scim!, customX: customX.s },
    ids: { customerA: customerA.id, customerB: customerB.id, agentX: agentX.id, agentY: agentY.id, admin: admin.user!.id, customX: customX.id },
    emails: { customerA: customerA.email, customerB: customerB.email, agentX: agentX.email, agentY: agentY.email, customX: customX.email },
    passwords: PASSWORD,
    orgA: orgA.id,
    orgB: orgB.id,
    groupX, groupY, queueX, queueY, ticketA, ticketB, ratedTicketA, publicAttachment, internalAttachment, publicArticle, internalArticle, assetX, planX, workOrderX, subscription, endpoint,
    secretsFrom: {
      anonymous: [...staffMarks, ...internal, ...ofA, ...ofB, ...ofY],
      customerA: [...staffMarks, ...internal, ...ofB, ...ofY],
      customerB: [...staffMarks, ...internal, ...ofA],
      agentX: ofY,
      agentY: [...internal.slice(0, 2), ticketA.title, `Boiler ${mark}`, `Boiler service ${mark}`],
      admin: [], readToken: [], writeToken: [], scimToken: [],
      customX: ofY,
    },
    freshTicketA: () => ticketIn(customerA.s, queueX, `Fresh ${unique('t')}`),
    freshTokenId: async () => (ok(await admin.post('/api/tokens', { name: unique('doomed'), scope: 'read' }), 'token') as { id: string }).id,
  };
}
