// Accounts: password change and reset end old sessions; repeated failures lock the account with back-off.
import { ADMIN, Session, statusFrom, unique } from '../support/http';

let admin: Session;
beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
});

async function newUser(password = 'first-password-1') {
  const email = `${unique('user')}@example.test`;
  const res = await admin.post('/api/users', { email, name: 'Pat', role: 'agent', password });
  return { email, id: res.body.id as string, password };
}

it('should change a password only with the current one, ending the other sessions', async () => {
  const u = await newUser();
  const laptop = await Session.login(u.email, u.password);
  const phone = await Session.login(u.email, u.password);
  expect((await laptop.post('/api/auth/password', { currentPassword: 'wrong', newPassword: 'second-password-2' })).status).toBe(403);
  expect((await laptop.post('/api/auth/password', { currentPassword: u.password, newPassword: 'short' })).status).toBe(400);
  expect((await laptop.post('/api/auth/password', { currentPassword: u.password, newPassword: 'second-password-2' })).status).toBe(204);
  expect((await laptop.get('/api/auth/me')).status).toBe(200);
  expect((await phone.get('/api/auth/me')).status).toBe(401);
  expect((await new Session().post('/api/auth/login', { email: u.email, password: u.password })).status).toBe(401);
  expect((await new Session().post('/api/auth/login', { email: u.email, password: 'second-password-2' })).status).toBe(200);
});

it('should reset a password once with an admin-issued token', async () => {
  const u = await newUser();
  const old = await Session.login(u.email, u.password);
  const issued = await admin.post(`/api/users/${u.id}/password-reset`);
  expect(issued.status).toBe(201);
  const anon = new Session();
  expect((await anon.post('/api/auth/password-reset', { token: issued.body.token, newPassword: 'reset-password-3' })).status).toBe(204);
  expect((await anon.post('/api/auth/password-reset', { token: issued.body.token, newPassword: 'another-password-4' })).status).toBe(400);
  expect((await old.get('/api/auth/me')).status).toBe(401);
  expect((await new Session().post('/api/auth/login', { email: u.email, password: 'reset-password-3' })).status).toBe(200);
});

it('should retire every earlier reset token once the password is reset or changed', async () => {
  const u = await newUser();
  const anon = new Session();
  const [first, second] = [await admin.post(`/api/users/${u.id}/password-reset`), await admin.post(`/api/users/${u.id}/password-reset`)];
  expect((await anon.post('/api/auth/password-reset', { token: second.body.token, newPassword: 'reset-password-3' })).status).toBe(204);
  const stale = await anon.post('/api/auth/password-reset', { token: first.body.token, newPassword: 'attacker-password-9' });
  expect(stale.status).toBe(400);

  const third = await admin.post(`/api/users/${u.id}/password-reset`);
  const me = await Session.login(u.email, 'reset-password-3');
  expect((await me.post('/api/auth/password', { currentPassword: 'reset-password-3', newPassword: 'chosen-password-5' })).status).toBe(204);
  expect((await anon.post('/api/auth/password-reset', { token: third.body.token, newPassword: 'attacker-password-9' })).status).toBe(400);
  expect((await new Session().post('/api/auth/login', { email: u.email, password: 'chosen-password-5' })).status).toBe(200);
});

it('should lock an account for the failing address after repeated failures, even against the right password, with Retry-After', async () => {
  const u = await newUser();
  for (let i = 0; i < 5; i++) expect((await new Session().post('/api/auth/login', { email: u.email, password: `guess-${i}` })).status).toBe(401);
  const locked = await new Session().post('/api/auth/login', { email: u.email, password: u.password });
  expect(locked.status).toBe(429);
  expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  // Other accounts are not affected.
  expect((await new Session().post('/api/auth/login', { email: ADMIN.email, password: ADMIN.password })).status).toBe(200);
});

it('should never lock the right password out from a clean address, however often others fail on the account', async () => {
  const u = await newUser();
  for (let i = 0; i < 5; i++) expect(await statusFrom('127.0.0.3', 'POST', '/api/auth/login', { email: u.email, password: `guess-${i}` })).toBe(401);
  expect(await statusFrom('127.0.0.3', 'POST', '/api/auth/login', { email: u.email, password: u.password })).toBe(429);
  expect(await statusFrom('127.0.0.4', 'POST', '/api/auth/login', { email: u.email, password: u.password })).toBe(200);
});

it('should reject a session fixed by the client and set security headers', async () => {
  const forged = await fetch(`${process.env.GUICHET_TEST_URL}/api/auth/me`, { headers: { cookie: 'guichet_session=attacker-chosen-value' } });
  expect(forged.status).toBe(401);
  const login = await fetch(`${process.env.GUICHET_TEST_URL}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: 'guichet_session=attacker-chosen-value' },
    body: JSON.stringify(ADMIN),
  });
  expect(login.headers.get('set-cookie')).not.toContain('attacker-chosen-value');
  expect(login.headers.get('set-cookie')).toMatch(/httponly/i);
  expect(login.headers.get('set-cookie')).toMatch(/samesite=lax/i);
  expect(login.headers.get('x-content-type-options')).toBe('nosniff');
  expect(login.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
});
