// Real-browser helpers: one Debian Chromium per test file (useBrowser), a fresh context per test, UI login and screenshots.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ADMIN, Session, unique } from './http';

export type Locale = 'en' | 'fr';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const SCREENSHOT_DIR = path.join(ROOT, 'tests', '.artifacts', 'screenshots');

/** Default timeout for every wait and action, well under jest's per-test budget. */
export const UI_TIMEOUT_MS = 15_000;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    timeout: 30_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh, isolated context (no cookies, no localStorage) whose navigator.language is `locale`; on the shared desk unless `baseURL` names another. */
export async function newContext(browser: Browser, locale: Locale, baseURL = process.env.GUICHET_TEST_URL): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL,
    locale: locale === 'fr' ? 'fr-FR' : 'en-US',
    timezoneId: 'Europe/Paris',
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(UI_TIMEOUT_MS);
  return context;
}

export interface OpenedPage {
  page: Page;
  /** Uncaught page errors and failed API responses seen so far (see watchErrors). */
  errors: string[];
  context: BrowserContext;
}

export interface PageOptions {
  viewport?: { width: number; height: number };
  /** Another desk than the shared one. */
  baseURL?: string;
}

export interface BrowserHarness {
  /** The test file's Chromium, launched in beforeAll. */
  readonly browser: Browser;
  /** A page in a fresh context for `locale`, watched for errors; every context opened in a test is closed after it. */
  openPage(locale: Locale, options?: PageOptions): Promise<OpenedPage>;
  /** openPage, signed in as `user` through the login form, then at `path`. */
  openSignedIn(locale: Locale, user: { email: string; password: string }, path: string, options?: PageOptions): Promise<OpenedPage>;
}

/**
 * Registers the browser hooks of a test file (call it once, at the top level): Chromium launched before all tests,
 * each test's contexts closed after it, Chromium closed after all. A failed close is only a warning, so it never
 * hides the test's own result.
 */
export function useBrowser(): BrowserHarness {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close().catch((e: unknown) => console.warn('closing the browser context failed', e));
  });
  afterAll(async () => {
    await browser?.close().catch((e: unknown) => console.warn('closing the browser failed', e));
  });
  const harness: BrowserHarness = {
    get browser(): Browser {
      if (!browser) throw new Error('the browser is not launched yet: use it inside a test or hook');
      return browser;
    },
    async openPage(locale, options = {}) {
      const context = await newContext(harness.browser, locale, options.baseURL);
      contexts.push(context);
      const page = await context.newPage();
      if (options.viewport) await page.setViewportSize(options.viewport);
      return { page, errors: watchErrors(page), context };
    },
    async openSignedIn(locale, user, path, options) {
      const opened = await harness.openPage(locale, options);
      await loginUi(opened.page, user.email, user.password);
      await opened.page.goto(path);
      return opened;
    },
  };
  return harness;
}

/** Collects uncaught page errors and failed API responses (>= 500) so a test can assert none happened. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.url().includes('/api/') && r.status() >= 500) errors.push(`${r.status()} ${r.request().method()} ${r.url()}`);
  });
  return errors;
}

/** Signs in through the login form and waits until the app has left /login. */
export async function loginUi(page: Page, email: string, password: string): Promise<void> {
  if (!page.url().includes('/login')) await page.goto('/login');
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

export async function shot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  // A message or dialog still sliding in would be caught half drawn: wait for finite animations to end (spinners never do).
  await page
    .waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity), undefined, { timeout: 2000 })
    .catch(() => undefined);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Creates a user through the admin API (of the shared desk, or the one at `base`) and returns its credentials. */
export async function createUser(role: 'agent' | 'customer' | 'admin', locale: Locale, name: string, base?: string): Promise<{ email: string; password: string; name: string }> {
  const admin = await Session.login(ADMIN.email, ADMIN.password, base);
  const email = `${unique(role)}@example.test`;
  const password = `${role}-password-for-browser`;
  const res = await admin.post('/api/users', { email, name, role, password, locale });
  if (res.status !== 201) throw new Error(`creating ${role} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { email, password, name };
}
