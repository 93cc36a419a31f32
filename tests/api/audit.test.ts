// The audit log of configuration changes: who changed what, the change as before/after, filters and exports an auditor can take away.
import { ADMIN, Session, unique } from '../support/http';

let admin: Session;
let agent: Session;

beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
  const email = `${unique('auditor-agent')}@example.test`;
  expect((await admin.post('/api/users', { email, name: 'Agent', role: 'agent', password: 'a-long-password-1' })).status).toBe(201);
  agent = await Session.login(email, 'a-long-password-1');
});

type Entry = { id: string; action: string; entity: string | null; entityId: string | null; actorId: string | null; detail: { changes?: Array<{ path: string; before: unknown; after: unknown }> } };
const entries = async (query: string): Promise<Entry[]> => {
  const res = await admin.get(`/api/audit?${query}`);
  expect(res.status).toBe(200);
  return res.body.items;
};

describe('audit of configuration changes', () => {
  it('should record each change with the entity it touched and its before/after diff', async () => {
    const group = unique('audit_g').replace(/-/g, '_');
    const queue = unique('audit_q').replace(/-/g, '_');
    expect((await admin.post('/api/groups', { key: group, name: 'Audit group' })).status).toBe(201);
    expect((await admin.post('/api/queues', { key: queue, name: 'Audit queue' })).status).toBe(201);
    expect((await admin.request('PUT', `/api/queues/${queue}/groups`, { groups: [group] })).status).toBe(200);

    const [routed, created] = await entries(`entity=queue&entityId=${queue}`);
    expect(routed).toMatchObject({ action: 'PUT /api/queues/:key/groups', entity: 'queue', entityId: queue, actorId: admin.user!.id });
    expect(routed!.detail.changes).toEqual([{ path: '/groups/0', before: null, after: group }]);
    expect(created).toMatchObject({ action: 'POST /api/queues' });
    expect(created!.detail.changes).toEqual([{ path: '/', before: null, after: { key: queue, name: 'Audit queue', description: '', assignment: 'off', maxOpenPerAgent: null, groups: [] } }]);

    const email = `${unique('audited')}@example.test`;
    const user = await admin.post('/api/users', { email, name: 'Audited', role: 'customer', password: 'a-long-password-1' });
    expect((await admin.request('PATCH', `/api/users/${user.body.id}`, { role: 'agent', name: 'Audited Agent' })).status).toBe(200);
    const [patched] = await entries(`entity=user&entityId=${user.body.id}`);
    expect(patched!.detail.changes).toEqual([
      { path: '/name', before: 'Audited', after: 'Audited Agent' },
      { path: '/role', before: 'customer', after: 'agent' },
    ]);
  });

  it('should never copy a secret into the log, yet show that it was rotated', async () => {
    const sub = await admin.post('/api/webhooks/subscriptions', { name: unique('audit sub'), url: 'http://127.0.0.1:9/x', allowPrivateNetwork: true, eventTypes: ['ticket.event_emitted'] });
    expect(sub.status).toBe(201);
    const id = sub.body.subscription.id;
    const rotated = await admin.post(`/api/webhooks/subscriptions/${id}/rotate`, { graceHours: 1 });
    expect(rotated.status).toBe(200);
    const log = await entries(`entity=webhook_subscription&entityId=${id}`);
    expect(log.map((e) => e.action)).toEqual(['POST /api/webhooks/subscriptions/:id/rotate', 'POST /api/webhooks/subscriptions']);
    expect(log[0]!.detail.changes!.map((c) => c.path)).toEqual(['/previousSecretUntil']);
    const text = JSON.stringify(log);
    expect(text).not.toContain(sub.body.secret);
    expect(text).not.toContain(rotated.body.secret);
    expect(text).not.toMatch(/whsec_/);
    await admin.request('DELETE', `/api/webhooks/subscriptions/${id}`);
  });

  it('should show a definition draft change as the paths it changed', async () => {
    const versions = (await admin.get('/api/definitions/problem/versions')).body.items as Array<{ version: number }>;
    const { version: _v, status: _s, ...doc } = (await admin.get(`/api/definitions/problem/versions/${Math.max(...versions.map((v) => v.version))}`)).body;
    const edited = { ...doc, numberPrefix: 'PRBA' };
    const save = await admin.request('PUT', '/api/definitions/problem/draft', edited);
    expect(save.body).toMatchObject({ key: 'problem' });
    expect((await admin.request('DELETE', '/api/definitions/problem/draft')).status).toBe(204);
    const [dropped, saved] = await entries('entity=definition&entityId=problem');
    expect(dropped!.action).toBe('DELETE /api/definitions/:key/draft');
    expect(dropped!.detail.changes).toEqual([{ path: '/draft', before: edited, after: null }]);
    expect(saved!.detail.changes!.some((c) => c.path === '/draft')).toBe(true);
  });

  it('should filter by actor, outcome and period, and refuse a malformed date', async () => {
    expect((await agent.get('/api/users')).status).toBe(403);
    const denied = await entries(`outcome=denied&actorId=${agent.user!.id}`);
    expect(denied[0]).toMatchObject({ action: 'GET /api/users', actorId: agent.user!.id });
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    expect(await entries(`from=${encodeURIComponent(tomorrow)}`)).toEqual([]);
    expect(await entries(`actorId=${agent.user!.id}&to=2000-01-01`)).toEqual([]);
    expect((await entries(`actorId=${agent.user!.id}&from=2000-01-01&to=${encodeURIComponent(tomorrow)}`)).length).toBe(denied.length);
    const bad = await admin.get('/api/audit?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
  });

  it('should export the filtered log as CSV and JSON downloads, for admins only', async () => {
    const queue = unique('export_q').replace(/-/g, '_');
    expect((await admin.post('/api/queues', { key: queue, name: 'Export, "quoted"' })).status).toBe(201);
    const res = await fetch(`${admin.base}/api/audit?format=csv&entity=queue&entityId=${queue}`, { headers: { cookie: (admin as unknown as { cookie: string }).cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="guichet-audit-.*\.csv"$/);
    expect(res.headers.get('guichet-export-truncated')).toBe('false');
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,at,actorId,actorName,actorRole,via,action,target,entity,entityId,outcome,status,ip,requestId,count,changes');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`POST /api/queues,/api/queues,queue,${queue},allowed,201`);
    expect(lines[1]).toContain('""name"":""Export, \\""quoted\\""""');

    const json = await admin.get(`/api/audit?format=json&entity=queue&entityId=${queue}`);
    expect(json.headers.get('content-disposition')).toMatch(/\.json"$/);
    expect(json.body).toMatchObject({ truncated: false, items: [expect.objectContaining({ entity: 'queue', entityId: queue })] });
    expect((await agent.get('/api/audit?format=csv')).status).toBe(403);
  });
});
