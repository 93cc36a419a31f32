// Two-step sign-in: an agent scans a secret and confirms it with a first code; from then on the password alone opens
// nothing, a code signs in once only (never replayed), recovery codes work once each, wrong codes count as failed logins,
// and API tokens cannot manage it.
import { codeAt, stepAt } from '../../api/modules/auth/totp';
import { ADMIN, Session, eventually, unique } from '../support/http';

let admin: Session;
beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
});

async function agentAccount(): Promise<{ email: string; password: string; session: Session }> {
  const email = `${unique('mfa')}@example.test`;
  const password = 'a-long-password-1';
  expect((await admin.post('/api/users', { email, name: 'Mo Factor', role: 'agent', password })).status).toBe(201);
  return { email, password, session: await Session.login(email, password) };
}

const login = (email: string, password: string, code?: string) => new Session().post('/api/auth/login', { email, password, ...(code ? { code } : {}) });

it('should ask for a code after the password, accept each code once and each recovery code once', async () => {
  const { email, password, session } = await agentAccount();
  expect((await session.get('/api/auth/mfa')).body).toEqual({ enabled: false, recoveryCodesLeft: 0 });
  const begun = await session.post('/api/auth/mfa/totp');
  expect(begun.status).toBe(201);
  expect(begun.body.otpauthUri).toBe(`otpauth://totp/${encodeURIComponent(`Guichet:${email}`)}?secret=${begun.body.secret}&issuer=Guichet&algorithm=SHA1&digits=6&period=30`);
  const secret = begun.body.secret as string;
  expect((await session.post('/api/auth/mfa/totp/confirm', { code: '000000' === codeAt(secret, stepAt(Date.now())) ? '111111' : '000000' })).status).toBe(422);
  const step = stepAt(Date.now());
  const confirmed = await session.post('/api/auth/mfa/totp/confirm', { code: codeAt(secret, step) });
  expect(confirmed.status).toBe(200);
  expect(confirmed.body.recoveryCodes).toHaveLength(10);
  expect(new Set(confirmed.body.recoveryCodes).size).toBe(10);

  // The password alone: asked for the code, no session.
  const asked = await login(email, password);
  expect(asked.status).toBe(401);
  expect(asked.body.type).toMatch(/\/mfa-required$/);
  expect(asked.headers.get('set-cookie')).toBeNull();
  // The code used to confirm cannot sign in; the next one can, once.
  expect((await login(email, password, codeAt(secret, step))).status).toBe(401);
  const next = codeAt(secret, step + 1);
  expect((await login(email, password, next)).status).toBe(200);
  expect((await login(email, password, next)).body.type).toMatch(/\/wrong-code$/);
  // A recovery code, once.
  const recovery = confirmed.body.recoveryCodes[0] as string;
  expect((await login(email, password, recovery.toUpperCase())).status).toBe(200);
  expect((await login(email, password, recovery)).status).toBe(401);
  expect((await session.get('/api/auth/mfa')).body).toEqual({ enabled: true, recoveryCodesLeft: 9 });

  // Off again with a recovery code; the password alone then signs in.
  expect((await session.post('/api/auth/mfa/totp/disable', { code: '123456' })).status).toBe(422);
  expect((await session.post('/api/auth/mfa/totp/disable', { code: confirmed.body.recoveryCodes[1] })).status).toBe(204);
  expect((await login(email, password)).status).toBe(200);
});

it('should count wrong codes as failed logins, and keep API tokens out of two-step settings', async () => {
  const { email, password, session } = await agentAccount();
  const { secret } = (await session.post('/api/auth/mfa/totp')).body;
  const step = stepAt(Date.now());
  expect((await session.post('/api/auth/mfa/totp/confirm', { code: codeAt(secret, step) })).status).toBe(200);
  const wrong = (n: number) => String((Number(codeAt(secret, step + 1)) + n) % 1_000_000).padStart(6, '0');
  for (let i = 1; i <= 5; i++) expect((await login(email, password, wrong(i))).status).toBe(401);
  // Locked for this account from this address, even with the right code now.
  const locked = await login(email, password, codeAt(secret, step + 1));
  expect(locked.status).toBe(429);
  expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);

  const token = (await admin.post('/api/tokens', { name: unique('mfa token'), scope: 'admin' })).body.token as string;
  const viaToken = await fetch(`${admin.base}/api/auth/mfa/totp`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  expect(viaToken.status).toBe(403);
});

describe('when the desk requires two-step sign-in for a role', () => {
  afterAll(async () => {
    await admin.request('PATCH', '/api/settings', { twoStepRequiredFor: [] });
  });

  it('should let a session of that role reach only its account until two-step sign-in is on, and leave tokens and other roles alone', async () => {
    const { email, password, session } = await agentAccount();
    const customerEmail = `${unique('mfa-customer')}@example.test`;
    expect((await admin.post('/api/users', { email: customerEmail, name: 'Cy', role: 'customer', password })).status).toBe(201);
    const customer = await Session.login(customerEmail, password);
    expect((await admin.request('PATCH', '/api/settings', { twoStepRequiredFor: ['agent'] })).status).toBe(200);

    // Within a few seconds every replica applies it (each caches the settings for 5 s).
    const refused = await eventually(async () => {
      const r = await session.get('/api/tickets');
      return r.status === 403 ? r : undefined;
    }, 10_000);
    expect(refused.body.type).toMatch(/\/two-step-required$/);
    expect((await session.get('/api/auth/me')).body.twoStepRequired).toBe(true);
    expect((await login(email, password)).body.twoStepRequired).toBe(true);
    expect((await customer.get('/api/tickets')).status).toBe(200);

    // Setting it up is allowed, and lifts the restriction.
    const { secret } = (await session.post('/api/auth/mfa/totp')).body;
    expect((await session.post('/api/auth/mfa/totp/confirm', { code: codeAt(secret, stepAt(Date.now())) })).status).toBe(200);
    expect((await session.get('/api/tickets')).status).toBe(200);
    expect((await session.get('/api/auth/me')).body.twoStepRequired).toBe(false);
  });
});
