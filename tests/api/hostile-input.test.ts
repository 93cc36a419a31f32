// SQL injection and XSS payloads in every text field are stored verbatim, change nothing else, and never come back as markup.
import { ADMIN, Session, unique } from '../support/http';

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
  const before = (await admin.get('/api/users')).body.items.length;
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
  expect((await admin.get('/api/users')).body.items.length).toBe(before + 1);
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
