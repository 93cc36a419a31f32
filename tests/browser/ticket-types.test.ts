// Custom ticket types in Chromium, on a desk of their own (the type shows in every form): an admin adds one in the
// console (English); a customer opens a ticket of it from the portal, where it reads in French.
import type { BrowserContext, Page } from 'playwright-core';
import { violations } from '../support/axe';
import { launchBrowser, shot, UI_TIMEOUT_MS, type Locale } from '../support/browser';
import { ADMIN, Session, unique } from '../support/http';
import { freshDatabaseUrl, startDesk, type Desk } from '../support/desk';

const PASSWORD = 'a-long-password-for-types';
let desk: Desk;
let admin: Session;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  desk = await startDesk({ taskQueue: unique('guichet-types-ui'), env: { DATABASE_URL: await freshDatabaseUrl('types_ui') } });
  admin = await Session.login(ADMIN.email, ADMIN.password, desk.url);
  browser = await launchBrowser();
}, 120_000);

afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
});

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await desk?.stop();
});

async function signedIn(role: 'admin' | 'customer', locale: Locale): Promise<Page> {
  const email = `${unique(role)}@example.test`;
  await admin.post('/api/users', { email, name: role === 'admin' ? 'Ada' : 'Camille', role, password: PASSWORD, locale });
  const context = await browser.newContext({ baseURL: desk.url, locale: locale === 'fr' ? 'fr-FR' : 'en-US', timezoneId: 'Europe/Paris', viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  contexts.push(context);
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  return page;
}

it('should let an admin add a ticket type that customers then open from the portal in their language', async () => {
  const key = unique('onboarding').replace(/[^a-z0-9_]/gi, '_').toLowerCase();
  const page = await signedIn('admin', 'en');
  await page.goto('/admin/ticket-types');
  await page.getByTestId('type-row').filter({ hasText: 'Service request' }).waitFor();
  await page.getByTestId('type-new').click();
  await page.getByTestId('type-key').fill(key);
  await page.getByTestId('type-name-en').fill('Onboarding');
  await page.getByTestId('type-name-fr').fill('Arrivée');
  await page.getByTestId('type-definition').click();
  await page.getByRole('option', { name: /\(service_request\)/ }).click();
  await page.getByTestId('type-customers').click();
  await page.getByTestId('type-save').click();
  await page.getByTestId('admin-notice').waitFor();
  await page.getByTestId('type-row').filter({ hasText: 'Onboarding' }).waitFor();
  await shot(page, 'ticket-types-en');
  expect(await violations(page)).toEqual([]);
  expect((await admin.get('/api/ticket-types')).body.items.find((x: { key: string }) => x.key === key)).toMatchObject({ definitionKey: 'service_request', customersMayOpen: true });

  const portal = await signedIn('customer', 'fr');
  await portal.goto('/portal');
  await portal.getByTestId('new-ticket-type').click();
  await portal.getByRole('option', { name: 'Arrivée', exact: true }).click();
  const title = unique('Nouvelle arrivée');
  await portal.getByTestId('new-ticket-title').fill(title);
  await portal.getByTestId('new-ticket-submit').click();
  await portal.getByTestId('ticket-created').getByRole('link').click();
  await portal.waitForURL(/\/portal\/tickets\//);
  await portal.getByText('Arrivée', { exact: true }).first().waitFor();
  await shot(portal, 'ticket-types-portal-fr');
  expect(await violations(portal)).toEqual([]);
  const mine = (await admin.get(`/api/tickets?type=${key}`)).body.items;
  expect(mine.map((t: { title: string }) => t.title)).toEqual([title]);
}, 120_000);
