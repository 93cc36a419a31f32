// Webhooks end to end on real servers: signed outbound deliveries survive a receiver outage in order, inbound alerts open one incident and resolve it.
import http from 'node:http';
import { createHmac, randomUUID } from 'node:crypto';
import pg from 'pg';
import { Client, Connection } from '@temporalio/client';
import { startDesk, type Desk } from '../support/desk';
import { ADMIN, Session, eventually, unique } from '../support/http';
import { freePort } from '../../platform/servers/ports';

const RETRY_WINDOW_SECONDS = 20;
let desk: Desk;
let admin: Session;
let db: pg.Client;
const taskQueue = `webhooks-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  desk = await startDesk({
    taskQueue,
    env: {
      WEBHOOK_RETRY_INITIAL_MS: '200',
      WEBHOOK_RETRY_MAX_MS: '1000',
      WEBHOOK_RETRY_WINDOW_SECONDS: String(RETRY_WINDOW_SECONDS),
      WEBHOOK_DISABLE_AFTER_FAILURES: '2',
    },
  });
  admin = await Session.login(ADMIN.email, ADMIN.password, desk.url);
  db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
});
afterAll(async () => {
  // Subscriptions are global: leave none behind to deliver other suites' tickets.
  await db?.query('delete from webhook_subscriptions');
  await db?.end();
  // Tickets whose worker is gone would hang later suites that update every running ticket (definition migrations).
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const client = new Client({ connection });
  let terminated = 0;
  for await (const wf of client.workflow.list({ query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'` })) {
    await client.workflow.getHandle(wf.workflowId, wf.runId).terminate('webhooks suite finished').then(() => (terminated += 1), () => undefined);
  }
  await connection.close();
  // The suite leaves open incidents behind: finding none means the query went wrong, not that there was nothing to do.
  if (!terminated) throw new Error(`no running workflow found on ${taskQueue}`);
  await desk?.stop();
});

// ---- a receiver that checks every request the way an integrator would (README example) ----

interface Received {
  id: string;
  path: string;
  body: any;
  verified: boolean[];
}

function verifyStandardWebhook(secret: string, id: string, timestamp: string, body: string, header: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return header.split(' ').some((part) => part === `v1,${expected}`);
}

class Receiver {
  readonly got: Received[] = [];
  secrets: Record<string, string[]> = {};
  private server: http.Server | undefined;
  port = 0;

  async start(port = 0): Promise<void> {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const id = String(req.headers['webhook-id']);
        const ts = String(req.headers['webhook-timestamp']);
        const sig = String(req.headers['webhook-signature']);
        const secrets = this.secrets[req.url!] ?? [];
        this.got.push({ id, path: req.url!, body: JSON.parse(raw), verified: secrets.map((s) => verifyStandardWebhook(s, id, ts, raw, sig)) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  url(path: string) {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  forTicket(ticketId: string, path: string) {
    return this.got.filter((g) => g.path === path && g.body.data.ticket.id === ticketId);
  }
}

const receiver = new Receiver();
beforeAll(() => receiver.start());
afterAll(() => receiver.stop());

async function subscribe(path: string, body: Record<string, unknown>) {
  const res = await admin.post('/api/webhooks/subscriptions', { name: unique('sub'), url: receiver.url(path), allowPrivateNetwork: true, ...body });
  expect(res.status).toBe(201);
  expect(res.body.secret).toMatch(/^whsec_/);
  receiver.secrets[path] = [res.body.secret];
  return res.body.subscription as { id: string };
}

async function ticket(title = unique('hooked')) {
  const res = await admin.post('/api/tickets', { type: 'incident', title, priority: 'low' });
  expect(res.status).toBe(201);
  return res.body as { id: string; number: string };
}

const comment = async (id: string, body: string, visibility = 'public') => expect((await admin.post(`/api/tickets/${id}/comments`, { body, visibility })).status).toBe(201);

describe('outbound webhooks', () => {
  it('should deliver an event a definition emits as ticket.event_emitted, from a real escalation of a running ticket', async () => {
    // A problem definition whose first-response warning comes 0.6 s after opening and emits an event; the published
    // version is put back at once, so only this ticket (pinned to its version) runs the short one.
    const versions = (await admin.get('/api/definitions/problem/versions')).body.items as Array<{ version: number }>;
    const { version: _v, status: _s, ...original } = (await admin.get(`/api/definitions/problem/versions/${Math.max(...versions.map((v) => v.version))}`)).body;
    const short = structuredClone(original);
    short.sla = { ...(short.sla ?? {}), policies: { ...(short.sla?.policies ?? {}), low: { calendar: '24x7', firstResponseMinutes: 1, warnAtPercent: 1 } } };
    short.escalations = [{ name: 'crm_alert', on: 'firstResponse.warning', actions: [{ type: 'emit', event: 'crm.follow_up_requested' }] }];
    const sub = await subscribe('/emitted', { eventTypes: ['ticket.event_emitted'], includeInternal: true });
    let id: string;
    try {
      expect((await admin.request('PUT', '/api/definitions/problem/draft', short)).status).toBe(200);
      expect((await admin.post('/api/definitions/problem/publish')).status).toBe(200);
      const created = await admin.post('/api/tickets', { type: 'problem', title: unique('emitting problem'), priority: 'low' });
      expect(created.status).toBe(201);
      id = created.body.id;
    } finally {
      await admin.request('PUT', '/api/definitions/problem/draft', original);
      await admin.post('/api/definitions/problem/publish');
    }
    const [delivered] = await eventually(async () => {
      const got = receiver.forTicket(id, '/emitted');
      return got.length ? got : undefined;
    }, 30_000);
    expect(delivered!.verified).toEqual([true]);
    expect(delivered!.body).toMatchObject({ type: 'ticket.event_emitted', data: { event: { type: 'event_emitted', data: { event: 'crm.follow_up_requested', escalation: 'crm_alert' } } } });
    expect((await admin.request('DELETE', `/api/webhooks/subscriptions/${sub.id}`)).status).toBe(204);
  });

  it('should refuse a loopback URL without allowPrivateNetwork (422) and keep the secret out of reads', async () => {
    const refused = await admin.post('/api/webhooks/subscriptions', { name: 'x', url: receiver.url('/nope'), eventTypes: ['ticket.created'] });
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body.errors[0].pointer).toBe('/url');
    const sub = await subscribe('/read', { eventTypes: ['ticket.created'] });
    const read = await admin.get(`/api/webhooks/subscriptions/${sub.id}`);
    expect(JSON.stringify(read.body)).not.toContain('whsec_');
    expect((await admin.request('DELETE', `/api/webhooks/subscriptions/${sub.id}`)).status).toBe(204);
  });

  it('should deliver every event signed, in order per ticket, none lost across a receiver outage, internal comments only to internal subscriptions', async () => {
    const types = ['ticket.created', 'ticket.commented', 'ticket.transitioned', 'ticket.assigned'];
    await subscribe('/public', { eventTypes: types });
    await subscribe('/internal', { eventTypes: types, includeInternal: true });
    const a = await ticket();
    await comment(a.id, 'first public words');
    await eventually(async () => (receiver.forTicket(a.id, '/public').length >= 2 ? true : undefined));

    await receiver.stop();
    const b = await ticket();
    await comment(a.id, 'while down 1');
    await comment(a.id, 'agents only', 'internal');
    await comment(b.id, 'while down 2');
    expect((await admin.post(`/api/tickets/${a.id}/transitions`, { transition: 'start' })).status).toBe(200);
    await comment(a.id, 'while down 3');
    // The outage is visible in the delivery log: failed attempts, still pending.
    const subs = (await admin.get('/api/webhooks/subscriptions')).body.items as Array<{ id: string; url: string }>;
    const pub = subs.find((s) => s.url.endsWith('/public'))!;
    const failing = await eventually(async () => {
      const log = await admin.get(`/api/webhooks/subscriptions/${pub.id}/deliveries?status=pending`);
      const d = log.body.items.find((x: { ticketId: string; attempts: number }) => x.ticketId === b.id && x.attempts >= 2);
      return d;
    }, 20_000);
    expect(failing.lastError).toMatch(/ECONNREFUSED|connect/);
    await receiver.start(receiver.port);

    const expected = async (ticketId: string, internal: boolean) => {
      const timeline = (await admin.get(`/api/tickets/${ticketId}/timeline`)).body.items as Array<{ seq: number; type: string; visibility: string }>;
      return timeline.filter((e) => ['created', 'commented', 'transitioned', 'assigned'].includes(e.type) && (internal || e.type !== 'commented' || e.visibility === 'public')).map((e) => e.seq);
    };
    for (const [path, internal] of [['/public', false], ['/internal', true]] as const) {
      for (const t of [a, b]) {
        const want = await expected(t.id, internal);
        const got = await eventually(async () => {
          const seqs = [...new Set(receiver.forTicket(t.id, path).map((g) => g.body.data.event.seq as number))];
          return want.every((s) => seqs.includes(s)) ? receiver.forTicket(t.id, path) : undefined;
        }, 30_000);
        // In order per ticket (first arrival of each event id), nothing unexpected, duplicates only as exact repeats.
        const firsts: number[] = [];
        for (const g of got) if (!firsts.includes(g.body.data.event.seq)) firsts.push(g.body.data.event.seq);
        expect(firsts).toEqual(want);
        expect(new Set(got.map((g) => g.id)).size).toBe(want.length);
        for (const g of got) {
          expect(g.verified).toEqual([true]);
          expect(g.id).toBe(`evt_${t.id.replace(/-/g, '')}_${g.body.data.event.seq}`);
        }
      }
    }
    const internalNote = (await admin.get(`/api/tickets/${a.id}/timeline`)).body.items.find((e: { data: { body?: string } }) => e.data.body === 'agents only');
    expect(receiver.forTicket(a.id, '/public').some((g) => g.body.data.event.seq === internalNote.seq)).toBe(false);
    expect(receiver.forTicket(a.id, '/internal').some((g) => g.body.data.event.seq === internalNote.seq)).toBe(true);

    // The log is written just after the receiver answers: wait for the last write.
    const ofB = await eventually(async () => {
      const log = await admin.get(`/api/webhooks/subscriptions/${pub.id}/deliveries`);
      const mine = log.body.items.filter((d: { ticketId: string }) => d.ticketId === b.id);
      return mine.every((d: { status: string }) => d.status === 'succeeded') ? mine : undefined;
    });
    expect(Math.max(...ofB.map((d: { attempts: number }) => d.attempts))).toBeGreaterThan(1);
    expect(ofB[0]).toMatchObject({ responseStatus: 204, latencyMs: expect.any(Number), eventType: expect.stringMatching(/^ticket\./) });

    // Redelivery sends the same event id again; receivers de-duplicate on it.
    const one = ofB[0];
    const before = receiver.got.filter((g) => g.id === one.eventId && g.path === '/public').length;
    expect((await admin.post(`/api/webhooks/subscriptions/${pub.id}/redeliver`, { deliveryId: one.id })).status).toBe(202);
    await eventually(async () => (receiver.got.filter((g) => g.id === one.eventId && g.path === '/public').length > before ? true : undefined));
    const since = await admin.post(`/api/webhooks/subscriptions/${pub.id}/redeliver`, { since: new Date(Date.now() - 3_600_000).toISOString() });
    expect(since.status).toBe(202);
    expect(since.body.queued).toBeGreaterThanOrEqual(ofB.length);
    await db.query('delete from webhook_subscriptions where id = any($1)', [subs.map((s) => s.id)]);
  });

  it('should sign with the old and the new secret while a rotation lasts', async () => {
    const sub = await subscribe('/rotate', { eventTypes: ['ticket.created'] });
    const oldSecret = receiver.secrets['/rotate'][0];
    const rotated = await admin.post(`/api/webhooks/subscriptions/${sub.id}/rotate`, { graceHours: 1 });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(oldSecret);
    expect(rotated.body.subscription.rotatingUntil).toEqual(expect.any(String));
    receiver.secrets['/rotate'] = [rotated.body.secret, oldSecret];
    const t = await ticket();
    const [got] = await eventually(async () => {
      const g = receiver.forTicket(t.id, '/rotate');
      return g.length ? g : undefined;
    });
    expect(got.verified).toEqual([true, true]);
    await admin.request('DELETE', `/api/webhooks/subscriptions/${sub.id}`);
  });

  it('should refuse at delivery a private address the subscription no longer allows, without reaching it', async () => {
    const sub = await subscribe('/ssrf', { eventTypes: ['ticket.created'] });
    // As if DNS now pointed a public name at loopback: the flag is off, the address is private.
    await db.query('update webhook_subscriptions set allow_private_network = false where id = $1', [sub.id]);
    const t = await ticket();
    const d = await eventually(async () => {
      const log = await admin.get(`/api/webhooks/subscriptions/${sub.id}/deliveries`);
      return log.body.items.find((x: { ticketId: string; attempts: number }) => x.ticketId === t.id && x.attempts >= 1);
    });
    expect(d.lastError).toMatch(/blocked address/);
    expect(receiver.forTicket(t.id, '/ssrf')).toHaveLength(0);
    await admin.request('DELETE', `/api/webhooks/subscriptions/${sub.id}`);
  });

  it('should disable a subscription whose deliveries keep failing, with its reason, an audit entry and a notice for its owner', async () => {
    const dead = await freePort();
    const res = await admin.post('/api/webhooks/subscriptions', { name: unique('dead'), url: `http://127.0.0.1:${dead}/gone`, allowPrivateNetwork: true, eventTypes: ['ticket.created'] });
    expect(res.status).toBe(201);
    const id = res.body.subscription.id;
    await ticket();
    await ticket();
    const sub = await eventually(async () => {
      const s = await admin.get(`/api/webhooks/subscriptions/${id}`);
      return s.body.enabled === false ? s.body : undefined;
    }, (RETRY_WINDOW_SECONDS + 40) * 1000, 500);
    expect(sub.disabledReason).toMatch(/in a row failed/);
    const notices = await db.query('select owner_id from webhook_disabled_notices where subscription_id = $1', [id]);
    expect(notices.rows).toEqual([{ owner_id: admin.user!.id }]);
    const audit = await db.query(`select 1 from audit_log where action = 'webhook.subscription.disabled' and target like $1`, [`%${id}`]);
    expect(audit.rowCount).toBe(1);
    const failed = await admin.get(`/api/webhooks/subscriptions/${id}/deliveries?status=failed`);
    expect(failed.body.items.length).toBeGreaterThanOrEqual(2);
    // Re-enabling clears the reason; redelivery of a disabled subscription is refused until then.
    expect((await admin.post(`/api/webhooks/subscriptions/${id}/redeliver`, { since: new Date(0).toISOString() })).status).toBe(422);
    const enabled = await admin.request('PATCH', `/api/webhooks/subscriptions/${id}`, { enabled: true });
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null, consecutiveFailures: 0 });
    await admin.request('DELETE', `/api/webhooks/subscriptions/${id}`);
  }, 120_000);
});

// ---- inbound ----
