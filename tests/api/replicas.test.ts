// Two API replicas on one database: one public rate limit, one login throttle and one session store for both, and the
// client address taken from a proxy's header only by the replica told to trust it.
import http from 'node:http';
import type { Child } from '../../platform/processes';
import { startApiProcess } from '../support/desk';
import { ADMIN } from '../support/http';

let replicas: Array<{ url: string; child: Child }> = [];
const LIMIT = 6;

beforeAll(async () => {
  const start = (extra: NodeJS.ProcessEnv) => startApiProcess({ PUBLIC_RATE_LIMIT_PER_MINUTE: String(LIMIT), ...extra });
  replicas = await Promise.all([start({}), start({ TRUST_PROXY: 'true' })]);
}, 60_000);
afterAll(async () => Promise.all(replicas.map((r) => r.child.stop())));

/** One request from a loopback address of the test's choosing (all of 127/8 reaches the replicas on Linux). */
function send(base: string, from: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }>((resolve, reject) => {
    const req = http.request(
      new URL(path, base),
      { method, localAddress: from, headers: { ...(text ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } : {}), ...headers } },
      (res) => {
        let raw = '';
        res.on('data', (c) => (raw += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: raw ? JSON.parse(raw) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

const wrongLogin = (base: string, from: string, email: string, headers: Record<string, string> = {}) =>
  send(base, from, 'POST', '/api/auth/login', { email, password: 'not-the-password' }, headers);

describe('two API replicas', () => {
  it('should hold one public rate limit for both', async () => {
    const from = '127.0.0.91';
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT; i++) statuses.push((await wrongLogin(replicas[i % 2]!.url, from, `nobody${i}@example.test`)).status);
    expect(statuses).toEqual(Array(LIMIT).fill(401));
    for (const r of replicas) {
      const over = await wrongLogin(r.url, from, 'nobody@example.test');
      expect(over.status).toBe(429);
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    }
  });

  it('should hold one login throttle for both, and let a session opened on one work on the other', async () => {
    const from = '127.0.0.92';
    // Five failures split across the replicas lock the admin out from this address, on either replica, right password or not.
    for (let i = 0; i < 5; i++) expect((await wrongLogin(replicas[i % 2]!.url, from, ADMIN.email)).status).toBe(401);
    const locked = await send(replicas[0]!.url, from, 'POST', '/api/auth/login', { email: ADMIN.email, password: ADMIN.password });
    expect(locked.status).toBe(429);

    const login = await send(replicas[0]!.url, '127.0.0.93', 'POST', '/api/auth/login', { email: ADMIN.email, password: ADMIN.password });
    expect(login.status).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const me = await send(replicas[1]!.url, '127.0.0.93', 'GET', '/api/auth/me', undefined, { cookie });
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(ADMIN.email);
  });

  it('should serve a file uploaded through one replica from the other (the bytes are in PostgreSQL)', async () => {
    const from = '127.0.0.96';
    const login = await send(replicas[0]!.url, from, 'POST', '/api/auth/login', { email: ADMIN.email, password: ADMIN.password });
    const headers = { cookie: String(login.headers['set-cookie']).split(';')[0]!, 'x-csrf-token': login.body.csrfToken };
    const ticket = await send(replicas[0]!.url, from, 'POST', '/api/tickets', { type: 'incident', title: `replicated file ${Date.now()}`, priority: 'low' }, headers);
    expect(ticket.status).toBe(201);
    const text = 'log line 1\nlog line 2\n';
    const uploaded = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = http.request(new URL(`/api/tickets/${ticket.body.id}/attachments?filename=app.log&visibility=public`, replicas[0]!.url), {
        method: 'POST',
        localAddress: from,
        headers: { ...headers, 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) },
      }, (res) => {
        let raw = '';
        res.on('data', (c) => (raw += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(raw) }));
      });
      req.on('error', reject);
      req.end(text);
    });
    expect(uploaded.status).toBe(201);
    const back = await fetch(`${replicas[1]!.url}${uploaded.body.url}`, { headers: { cookie: headers.cookie } });
    expect(back.status).toBe(200);
    expect(await back.text()).toBe(text);
  });

  it('should take the client address from X-Forwarded-For only on the replica that trusts a proxy', async () => {
    const proxy = '127.0.0.94';
    const [untrusting, trusting] = replicas;
    // Behind a trusted proxy, each client has its own limit although every request comes from the proxy's address.
    for (let i = 0; i < LIMIT + 2; i++) {
      expect((await wrongLogin(trusting!.url, proxy, `nobody${i}@example.test`, { 'x-forwarded-for': `198.51.100.${i + 1}` })).status).toBe(401);
    }
    // Without trust, the same header is ignored: the proxy's own address is the client, and it runs out.
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 1; i++) statuses.push((await wrongLogin(untrusting!.url, '127.0.0.95', `nobody${i}@example.test`, { 'x-forwarded-for': `203.0.113.${i + 1}` })).status);
    expect(statuses.at(-1)).toBe(429);
    // A client cannot forge its way past the trusted proxy either: only the address the proxy added counts.
    const forged: number[] = [];
    for (let i = 0; i < LIMIT + 1; i++) forged.push((await wrongLogin(trusting!.url, proxy, `nobody${i}@example.test`, { 'x-forwarded-for': `10.9.9.${i}, 192.0.2.7` })).status);
    expect(forged.at(-1)).toBe(429);
  });
});
