// Single sign-on end to end: a real OpenID Connect provider, a desk configured for it, and real Chromium walking the login, consent and callback.
import pg from 'pg';
import type { Browser, BrowserContext, Page, Response as PageResponse } from 'playwright-core';
import { freePort } from '../../platform/servers/ports';
import { launchBrowser, UI_TIMEOUT_MS } from '../support/browser';
import { startDesk, type Desk } from '../support/desk';
import { ADMIN, Session, unique } from '../support/http';
import { startOidcProvider, TEST_CLIENT, type TestProvider } from '../support/oidc-provider';

let provider: TestProvider;
let desk: Desk;
let browser: Browser;
let db: pg.Client;
const contexts: BrowserContext[] = [];

const run = unique('sso');
const ORGANISATION = `Initech ${run}`;
const ACCOUNTS = {
  alice: { email: `${run}-alice@Example.test`, name: 'Alice Agent', roles: ['desk-agents', 'everyone'] },
  bob: { email: `${run}-bob@example.test`, name: 'Bob Customer', roles: ['everyone'], organisation: ORGANISATION },
  carol: { email: `${run}-carol@example.test`, name: 'Carol Unverified', email_verified: false },
  // Claims the address of a local account without the provider vouching for it.
  dave: { email: `${run}-dave@example.test`, name: 'Dave Claimant', email_verified: null },
  // Another subject at the same provider claiming Alice's address, verified.
  mallory: { email: `${run}-alice@example.test`, name: 'Mallory', roles: ['desk-admins'] },
} as Record<string, { email: string; name: string; roles?: string[]; organisation?: string; email_verified?: boolean | null }>;

beforeAll(async () => {
  const deskPort = await freePort();
  let providerPort = await freePort();
  while (providerPort === deskPort) providerPort = await freePort();
  provider = await startOidcProvider({ port: providerPort, redirectUris: [`http://127.0.0.1:${deskPort}/api/auth/oidc/callback`], accounts: ACCOUNTS });
  desk = await startDesk({
    taskQueue: unique('guichet-oidc'),
    env: {
      PORT: String(deskPort),
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: TEST_CLIENT.id,
      OIDC_CLIENT_SECRET: TEST_CLIENT.secret,
      OIDC_SCOPES: 'openid email profile roles',
      OIDC_ROLE_CLAIM: 'roles',
      OIDC_ROLE_MAP: JSON.stringify({ 'desk-admins': 'admin', 'desk-agents': 'agent' }),
      OIDC_ORGANISATION_CLAIM: 'organisation',
      OIDC_ALLOW_INSECURE: 'true',
    },
  });
  browser = await launchBrowser();
  db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
});

afterAll(async () => {
  await Promise.allSettled(contexts.map((c) => c.close()));
  await browser?.close();
  await desk?.stop();
  await provider?.stop();
  await db?.end();
});

async function freshContext(): Promise<BrowserContext> {
  const context = await browser.newContext({ locale: 'en-US' });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(UI_TIMEOUT_MS);
  // Nothing leaves the machine (the provider's dev pages import a web font).
  await context.route((url) => url.hostname !== '127.0.0.1', (route) => route.abort());
  contexts.push(context);
  return context;
}

/** Walks desk → provider login form → consent → desk callback; returns the page and the callback's response. */
async function ssoLogin(context: BrowserContext, login: string, redirect?: string): Promise<{ page: Page; callback: { status: number; type: string; body: string } }> {
  const page = await context.newPage();
  let response: PageResponse | undefined;
  page.on('response', (r) => {
    if (r.url().startsWith(`${desk.url}/api/auth/oidc/callback`)) response = r;
  });
  await page.goto(`${desk.url}/api/auth/oidc/login${redirect ? `?redirect=${encodeURIComponent(redirect)}` : ''}`);
  for (let step = 0; step < 5 && page.url().startsWith(provider.issuer); step += 1) {
    const loginField = page.locator('input[name="login"]');
    const consent = page.locator('button[type="submit"]', { hasText: /continue|authorize/i });
    await loginField.or(consent).first().waitFor();
    if (await loginField.isVisible()) {
      await loginField.fill(login);
      await page.locator('input[name="password"]').fill('any-password');
      await Promise.all([page.waitForEvent('load'), page.locator('button[type="submit"]', { hasText: /sign-in/i }).click()]);
    } else {
      await Promise.all([page.waitForEvent('load'), consent.click()]);
    }
  }
  await page.waitForURL((url) => url.href.startsWith(desk.url));
  await page.waitForLoadState();
  if (!response) throw new Error(`never reached the desk callback; at ${page.url()}`);
  const status = response.status();
  const callback = { status, type: response.headers()['content-type'] ?? '', body: status >= 300 && status < 400 ? '' : await response.text() };
  return { page, callback };
}

async function me(context: BrowserContext): Promise<{ status: number; body: any }> {
  const res = await context.request.get(`${desk.url}/api/auth/me`);
  return { status: res.status(), body: await res.json() };
}

async function account(email: string) {
  const { rows } = await db.query(
    `select u.id, u.role, u.password_hash, u.name, o.name as organisation from users u left join organisations o on o.id = u.organisation_id where u.email = lower($1)`,
    [email],
  );
  return rows;
}

describe('OpenID Connect single sign-on', () => {
  it('should announce single sign-on only on a desk that has it configured', async () => {
    const on = await fetch(`${desk.url}/api/auth/oidc`);
    expect(on.status).toBe(200);
    expect(await on.json()).toEqual({ enabled: true, loginUrl: '/api/auth/oidc/login' });

    const plain = process.env.GUICHET_TEST_URL!;
    expect(await (await fetch(`${plain}/api/auth/oidc`)).json()).toEqual({ enabled: false, loginUrl: null });
    const off = await fetch(`${plain}/api/auth/oidc/login`, { redirect: 'manual' });
    expect(off.status).toBe(404);
    expect(off.headers.get('content-type')).toContain('application/problem+json');
  });

  it('should redirect to the provider with PKCE, state and nonce', async () => {
    const res = await fetch(`${desk.url}/api/auth/oidc/login?redirect=/tickets`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin).toBe(provider.issuer);
    expect(location.searchParams.get('client_id')).toBe(TEST_CLIENT.id);
    expect(location.searchParams.get('redirect_uri')).toBe(`${desk.url}/api/auth/oidc/callback`);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    for (const p of ['code_challenge', 'state', 'nonce']) expect(location.searchParams.get(p)).toMatch(/^[\w-]{20,}$/);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^guichet_oidc=/);
    expect(cookie).toMatch(/httponly/i);
    expect(cookie).toMatch(/path=\/api\/auth\/oidc/i);
  });

  it('should sign an agent in through the provider in Chromium and land on the saved path', async () => {
    const context = await freshContext();
    const { page, callback } = await ssoLogin(context, 'alice', '/tickets?view=mine');
    expect(callback.status).toBe(302);
    const landed = new URL(page.url());
    expect(landed.pathname + landed.search).toBe('/tickets?view=mine');

    const session = await me(context);
    expect(session.status).toBe(200);
    expect(session.body.user).toMatchObject({ email: ACCOUNTS.alice.email.toLowerCase(), name: 'Alice Agent', role: 'agent' });
    expect(session.body.csrfToken).toEqual(expect.any(String));
    const cookies = await context.cookies(desk.url);
    expect(cookies.find((c) => c.name === 'guichet_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    const rows = await account(ACCOUNTS.alice.email);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ role: 'agent', password_hash: null, organisation: null });
  });

  it('should reuse the same account on a second login without changing it or ending other sessions', async () => {
    const first = await freshContext();
    await ssoLogin(first, 'alice');
    const before = await me(first);
    expect(before.body.user.role).toBe('agent');

    // Same browser: the provider session answers without a form.
    await ssoLogin(first, 'alice');
    // Another browser: the login form again.
    const second = await freshContext();
    const { page } = await ssoLogin(second, 'alice');
    expect(new URL(page.url()).pathname).toBe('/');

    const after = await me(second);
    expect(after.body.user).toEqual(before.body.user);
    expect((await me(first)).status).toBe(200);
    const rows = await account(ACCOUNTS.alice.email);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: before.body.user.id, role: 'agent', name: 'Alice Agent' });
  });

  it('should provision a customer in the organisation named by the claims', async () => {
    const context = await freshContext();
    await ssoLogin(context, 'bob');
    const session = await me(context);
    expect(session.body.user).toMatchObject({ email: ACCOUNTS.bob.email, name: 'Bob Customer', role: 'customer' });
    const rows = await account(ACCOUNTS.bob.email);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ role: 'customer', organisation: ORGANISATION, password_hash: null });

    // A second login finds the organisation instead of creating another.
    await ssoLogin(await freshContext(), 'bob');
    const { rows: orgs } = await db.query('select id from organisations where name = $1', [ORGANISATION]);
    expect(orgs).toHaveLength(1);
    // No password was set, so the password login cannot be used for this account.
    const pw = await fetch(`${desk.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: ACCOUNTS.bob.email, password: 'anything' }) });
    expect(pw.status).toBe(401);
  });

  it('should follow a role change at the provider on the next login and end the older sessions', async () => {
    const old = await freshContext();
    await ssoLogin(old, 'alice');
    expect((await me(old)).body.user.role).toBe('agent');

    provider.accounts.set('alice', { ...ACCOUNTS.alice, roles: ['desk-admins', 'desk-agents'] });
    const promoted = await freshContext();
    await ssoLogin(promoted, 'alice');
    expect((await me(promoted)).body.user.role).toBe('admin');
    expect((await me(old)).status).toBe(401);

    provider.accounts.set('alice', { ...ACCOUNTS.alice, roles: [] });
    const demoted = await freshContext();
    await ssoLogin(demoted, 'alice');
    expect((await me(demoted)).body.user.role).toBe('customer');
    expect((await me(promoted)).status).toBe(401);
    provider.accounts.set('alice', ACCOUNTS.alice);
  });

  it('should refuse a disabled account and an unverified email with problem+json', async () => {
    const admin = await Session.login(ADMIN.email, ADMIN.password, desk.url);
    const [bob] = await account(ACCOUNTS.bob.email);
    expect((await admin.request('PATCH', `/api/users/${bob.id}`, { disabled: true })).status).toBe(200);
    const disabled = await ssoLogin(await freshContext(), 'bob');
    expect(disabled.callback.status).toBe(403);
    expect(disabled.callback.type).toContain('application/problem+json');
    expect(JSON.parse(disabled.callback.body)).toMatchObject({ status: 403, type: 'https://guichet.dev/problems/account-disabled' });
    expect((await me(disabled.page.context())).status).toBe(401);

    const unverified = await ssoLogin(await freshContext(), 'carol');
    expect(unverified.callback.status).toBe(403);
    expect(JSON.parse(unverified.callback.body)).toMatchObject({ type: 'https://guichet.dev/problems/oidc-email-unverified' });
    expect(await account(ACCOUNTS.carol.email)).toHaveLength(0);
  });

  it('should link an existing account by email only when the provider verified it, and never to a second subject', async () => {
    const admin = await Session.login(ADMIN.email, ADMIN.password, desk.url);
    expect((await admin.post('/api/users', { email: ACCOUNTS.dave.email, name: 'Dave Local', role: 'agent', password: 'a-long-password-1' })).status).toBe(201);
    const claimed = await ssoLogin(await freshContext(), 'dave');
    expect(claimed.callback.status).toBe(403);
    expect(JSON.parse(claimed.callback.body)).toMatchObject({ type: 'https://guichet.dev/problems/oidc-link-unverified' });
    const [dave] = await account(ACCOUNTS.dave.email);
    expect((await db.query('select 1 from user_identities where user_id = $1', [dave.id])).rowCount).toBe(0);

    // Alice's account is linked to her subject since her first login: another subject with her address gets nothing.
    const [alice] = await account(ACCOUNTS.alice.email);
    expect((await db.query('select subject from user_identities where user_id = $1', [alice.id])).rows).toEqual([{ subject: 'alice' }]);
    const impostor = await ssoLogin(await freshContext(), 'mallory');
    expect(impostor.callback.status).toBe(403);
    expect(JSON.parse(impostor.callback.body)).toMatchObject({ type: 'https://guichet.dev/problems/oidc-identity-conflict' });
    expect((await account(ACCOUNTS.alice.email))[0].role).toBe(alice.role);
  });

  it('should reject forged callbacks and unsafe redirects with 4xx problem+json', async () => {
    const start = await fetch(`${desk.url}/api/auth/oidc/login`, { redirect: 'manual' });
    const cookie = start.headers.get('set-cookie')!.split(';')[0];
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const callback = (query: string, headers: Record<string, string> = {}) => fetch(`${desk.url}/api/auth/oidc/callback?${query}`, { redirect: 'manual', headers });
    const iss = encodeURIComponent(provider.issuer);

    const expectProblem = async (res: Response, status: number, code: string) => {
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.json()).toMatchObject({ status, type: `https://guichet.dev/problems/${code}` });
      expect(res.headers.get('set-cookie') ?? '').not.toContain('guichet_session=');
    };
    await expectProblem(await callback(`code=forged&state=wrong-state&iss=${iss}`, { cookie }), 400, 'oidc-state-mismatch');
    await expectProblem(await callback(`code=forged&state=${state}&iss=${iss}`), 400, 'oidc-login-expired');
    await expectProblem(await callback(`code=forged&state=${state}&iss=${iss}`, { cookie: `${cookie.slice(0, -4)}AAAA` }), 400, 'oidc-login-expired');
    await expectProblem(await callback(`code=forged&state=${state}&iss=${iss}`, { cookie }), 401, 'oidc-exchange-failed');
    await expectProblem(await callback(`error=access_denied&state=${state}&iss=${iss}`, { cookie }), 401, 'oidc-login-refused');

    for (const redirect of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const res = await fetch(`${desk.url}/api/auth/oidc/login?redirect=${encodeURIComponent(redirect)}`, { redirect: 'manual' });
      await expectProblem(res, 400, 'invalid-request');
    }
  });
});
