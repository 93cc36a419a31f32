// SQL injection and XSS payloads in every text field are stored verbatim, change nothing else, and never come back as markup.
import { ADMIN, Session, allUsers, unique } from '../support/http';

const PAYLOADS = [
  "'; drop table tickets; --",
  "' or '1'='1",
  '"); delete from users where ("1"="1',
  '<script>alert(document.cookie)</script>',
  '<img src=x onerror=alert(1)>',
  '{{constructor.constructor("alert(1)")()}}',
  '$(rm -rf /)',
  '%00%27',
];

let admin: Session;
beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
});

it.each(PAYLOADS)('should store %j verbatim in every text field and leave everything else intact', async (payload) => {
  const before = (await allUsers(admin)).length;
  const t = await admin.post('/api/tickets', { type: 'incident', title: `${payload} ${unique('t')}`, description: payload, priority: 'low', fields: { resolution: payload } });
  expect(t.status).toBe(201);
  expect(t.body.description).toBe(payload);
  expect(t.body.fields.resolution).toBe(payload);
  const one = await admin.get(`/api/tickets/${t.body.id}`);
  expect(one.body.title.startsWith(payload)).toBe(true);
  expect((await admin.post(`/api/tickets/${t.body.id}/comments`, { body: payload, visibility: 'public' })).status).toBe(201);
  const comment = (await admin.get(`/api/tickets/${t.body.id}/timeline`)).body.items.find((e: { type: string }) => e.type === 'commented');
  expect(comment.data.body).toBe(payload);
  expect(comment.data.html).not.toMatch(/<script|<img/i);
  const search = await admin.get(`/api/tickets?q=${encodeURIComponent(payload)}&limit=5`);
  expect(search.status).toBe(200);
  const org = await admin.post('/api/organisations', { name: `${payload} ${unique('o')}` });
  expect(org.status).toBe(201);
  const user = await admin.post('/api/users', { email: `${unique('h')}@example.test`, name: payload, role: 'customer', password: 'a-long-password-1' });
  expect(user.status).toBe(201);
  expect(user.body.name).toBe(payload);
  const view = await admin.post('/api/views', { name: `${payload} ${unique('v')}`, query: { q: payload } });
  expect(view.status).toBe(201);
  // Nothing else moved: the users table grew by exactly the one account, and the ticket list still answers.
  expect((await allUsers(admin)).length).toBe(before + 1);
  expect((await admin.get('/api/tickets?limit=1')).status).toBe(200);
});

it('should serve the console with headers that forbid inline scripts and framing', async () => {
  const res = await fetch(`${process.env.GUICHET_TEST_URL}/`);
  expect(res.status).toBe(200);
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  expect(res.headers.get('x-frame-options')).toBe('DENY');
});

it('should answer a malformed percent-encoding in a path with 400, on API and console paths alike', async () => {
  for (const path of ['/api/tickets/%zz', '/api/kb/articles/%E0%A4%A', '/%E0%A4%A', '/assets/%zz.js']) {
    const res = await fetch(`${admin.base}${path}`, { headers: { cookie: (admin as unknown as { cookie: string }).cookie } });
    expect([path, res.status]).toEqual([path, 400]);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
  }
});

it('should refuse JSON nested deeper than the desk reads with 400, signed in or not', async () => {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const nested = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
  for (const body of [deep(100_000), nested(5_000), deep(100)]) {
    const anonymous = await fetch(`${admin.base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"email":"a@b.c","password":${body}}` });
    expect(anonymous.status).toBe(400);
    expect(anonymous.headers.get('content-type')).toMatch(/problem\+json/);
    const signedIn = await admin.request('POST', '/api/tickets', `{"type":"incident","title":"deep","priority":"low","fields":{"x":${body}}}` as never, { 'content-type': 'application/json' });
    expect(signedIn.status).toBe(400);
  }
});
