// Inbound webhooks (monitoring and other tools opening and moving tickets through a signed mapping) and who may manage
// webhooks at all, on the shared desk. Outbound deliveries, which need short retry settings, are in webhooks.test.ts.
import { createHmac } from 'node:crypto';
import pg from 'pg';
import { ADMIN, Session, unique } from '../support/http';

let admin: Session;
let db: pg.Client;
beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
  db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
});

const alertmanager = {
  rules: [
    {
      name: 'firing opens an incident',
      when: [{ pointer: '/status', equals: 'firing' }],
      action: {
        type: 'create',
        ticketType: 'incident',
        title: '{{/commonLabels/alertname}} on {{/commonLabels/instance}}',
        description: '{{/commonAnnotations/summary}}',
        priority: '{{/commonLabels/severity}}',
        priorityMap: { page: 'critical', warning: 'medium' },
        externalRef: '{{/groupKey}}',
      },
    },
    { name: 'resolved resolves it', when: [{ pointer: '/status', equals: 'resolved' }], action: { type: 'transition', externalRef: '{{/groupKey}}', transition: 'resolve', fields: { resolution: 'Alert {{/commonLabels/alertname}} recovered' } } },
  ],
};

function signed(secret: string, id: string, body: string, badSignature = false) {
  const ts = String(Math.floor(Date.now() / 1000));
  const sig = createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64')).update(`${id}.${ts}.${body}`).digest('base64');
  return { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': `v1,${badSignature ? sig.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) : sig}` };
}

async function send(slug: string, headers: Record<string, string>, body: string) {
  const res = await fetch(`${admin.base}/api/hooks/${slug}`, { method: 'POST', headers, body });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
}

describe('inbound webhooks', () => {
  it('should open exactly one incident for an alert sent three times, resolve it on recovery, refuse and log a bad signature, and replay it', async () => {
    const created = await admin.post('/api/webhooks/endpoints', { name: 'Alertmanager', mapping: alertmanager });
    expect(created.status).toBe(201);
    const { endpoint, secret } = created.body;
    expect(secret).toMatch(/^whsec_/);
    const groupKey = unique('{}:{alertname="DiskFull"}');
    const alert = (status: string) => JSON.stringify({ status, groupKey, commonLabels: { alertname: 'DiskFull', instance: unique('db'), severity: 'page' }, commonAnnotations: { summary: 'disk 95% full' } });

    const firing = alert('firing');
    const eventId = unique('msg');
    const answers = await Promise.all([1, 2, 3].map(() => send(endpoint.slug, signed(secret, eventId, firing), firing)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const ticketIds = new Set(answers.map((a) => a.body.ticketId));
    expect(ticketIds.size).toBe(1);
    const ticketId = [...ticketIds][0];
    expect(answers.filter((a) => a.body.outcome === 'accepted').length).toBeGreaterThanOrEqual(1);
    const t = (await admin.get(`/api/tickets/${ticketId}`)).body;
    expect(t).toMatchObject({ type: 'incident', priority: 'critical', title: expect.stringMatching(/^DiskFull on db-/), state: 'new' });
    const same = await db.query('select count(*)::int as n from tickets where title = $1', [t.title]);
    expect(same.rows[0].n).toBe(1);

    // A later identical retry (after processing) answers as a duplicate.
    const again = await send(endpoint.slug, signed(secret, eventId, firing), firing);
    expect(again.body).toMatchObject({ outcome: 'duplicate', ticketId });

    const resolved = alert('resolved');
    const ok = await send(endpoint.slug, signed(secret, unique('msg'), resolved), resolved);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ outcome: 'accepted', action: 'transition', ticketId });
    expect((await admin.get(`/api/tickets/${ticketId}`)).body.state).toBe('resolved');

    // Resolving a resolved incident is refused by its definition, and logged.
    const twice = await send(endpoint.slug, signed(secret, unique('msg'), resolved), resolved);
    expect(twice.status).toBe(409);
    expect(twice.type).toContain('application/problem+json');

    // A bad signature: 401, logged with its body, then replayed by an admin.
    const other = JSON.stringify({ status: 'firing', groupKey: unique('grp'), commonLabels: { alertname: 'CPU', instance: 'web1', severity: 'warning' } });
    const bad = await send(endpoint.slug, signed(secret, unique('msg'), other, true), other);
    expect(bad.status).toBe(401);
    expect(bad.type).toContain('application/problem+json');
    expect(bad.body).toMatchObject({ status: 401, type: expect.stringContaining('invalid-signature') });
    const unmatched = JSON.stringify({ status: 'silenced' });
    const noRule = await send(endpoint.slug, signed(secret, unique('msg'), unmatched), unmatched);
    expect(noRule.status).toBe(422);
    expect(noRule.body.type).toContain('mapping-failed');

    const log = (await admin.get(`/api/webhooks/endpoints/${endpoint.id}/requests?outcome=rejected`)).body.items as Array<{ id: string; status: number; body: string; problem: { detail: string } }>;
    const refused = log.find((r) => r.status === 401)!;
    expect(refused.body).toBe(other);
    expect(refused.problem.detail).toMatch(/signature/);
    expect(log.some((r) => r.status === 409)).toBe(true);
    const replay = await admin.post(`/api/webhooks/endpoints/${endpoint.id}/requests/${refused.id}/replay`);
    expect(replay.body).toMatchObject({ outcome: 'accepted', action: 'create', number: expect.stringMatching(/^INC-/) });
    expect(replay.status).toBe(200);
    expect((await admin.get(`/api/tickets/${replay.body.ticketId}`)).body).toMatchObject({ priority: 'medium', title: 'CPU on web1' });
    const replayedAgain = await admin.post(`/api/webhooks/endpoints/${endpoint.id}/requests/${refused.id}/replay`);
    expect(replayedAgain.body).toMatchObject({ outcome: 'duplicate', ticketId: replay.body.ticketId });
    // The timeline names the integration, not a person.
    const timeline = (await admin.get(`/api/tickets/${ticketId}/timeline`)).body.items as Array<{ type: string; actor?: { name?: string } }>;
    expect(JSON.stringify(timeline.find((e) => e.type === 'created'))).toContain('Webhook: Alertmanager');
  });

  it('should accept a bearer token endpoint, comment by external reference, and refuse a wrong token', async () => {
    const mapping = {
      eventId: '/id',
      rules: [
        { when: [{ pointer: '/event', equals: 'case.opened' }], action: { type: 'create', ticketType: 'service_request', title: 'CRM: {{/case/subject}}', priority: 'low', externalRef: '{{/case/id}}' } },
        { when: [{ pointer: '/event', equals: 'case.note' }], action: { type: 'comment', externalRef: '{{/case/id}}', body: '{{/note}}', visibility: 'public' } },
      ],
    };
    const created = await admin.post('/api/webhooks/endpoints', { name: 'CRM', auth: 'bearer', mapping });
    expect(created.status).toBe(201);
    const { endpoint, secret } = created.body;
    const caseId = unique('case');
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${secret}` };
    const open = await send(endpoint.slug, headers, JSON.stringify({ id: unique('e'), event: 'case.opened', case: { id: caseId, subject: 'Invoice wrong' } }));
    expect(open.status).toBe(200);
    const note = await send(endpoint.slug, headers, JSON.stringify({ id: unique('e'), event: 'case.note', case: { id: caseId }, note: 'customer called back' }));
    expect(note.body).toMatchObject({ action: 'comment', ticketId: open.body.ticketId });
    const unknown = await send(endpoint.slug, headers, JSON.stringify({ id: unique('e'), event: 'case.note', case: { id: 'nope' }, note: 'x' }));
    expect(unknown.status).toBe(422);
    expect((await send(endpoint.slug, { ...headers, authorization: 'Bearer wrong' }, '{}')).status).toBe(401);
    expect((await send('no-such-endpoint', headers, '{}')).status).toBe(404);
  });

  it('should refuse a mapping that does not validate, naming the field', async () => {
    const res = await admin.post('/api/webhooks/endpoints', { name: 'Broken', mapping: { rules: [{ action: { type: 'explode' } }] } });
    expect(res.status).toBe(400);
    expect(res.body.errors.some((e: { pointer: string }) => e.pointer.startsWith('/mapping/rules/0/action'))).toBe(true);
  });
});

describe('access', () => {
  it('should let only admins manage subscriptions and endpoints', async () => {
    const password = 'webhook-user-password-1';
    const sessions: Session[] = [];
    for (const role of ['agent', 'customer']) {
      const email = `${unique(role)}@example.test`;
      expect((await admin.post('/api/users', { email, name: role, role, password })).status).toBe(201);
      sessions.push(await Session.login(email, password));
    }
    for (const s of sessions) {
      expect((await s.get('/api/webhooks/subscriptions')).status).toBe(403);
      expect((await s.post('/api/webhooks/subscriptions', { name: 'x', url: 'https://example.org/', eventTypes: ['ticket.created'] })).status).toBe(403);
      expect((await s.get('/api/webhooks/endpoints')).status).toBe(403);
      expect((await s.post('/api/webhooks/endpoints', { name: 'x', mapping: alertmanager })).status).toBe(403);
    }
    expect((await new Session().get('/api/webhooks/subscriptions')).status).toBe(401);
  });
});
