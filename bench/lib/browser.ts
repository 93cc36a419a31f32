// Debian's Chromium for the benchmarks that measure the console, with a context signed in as the bench's admin.
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import type { BenchContext } from './context';

export async function adminBrowser(ctx: BenchContext): Promise<{ browser: Browser; context: BrowserContext }> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const context = await browser.newContext({ baseURL: ctx.desk.url, viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  const cookie = (ctx.admin as unknown as { cookie: string }).cookie;
  const [cookieName, ...rest] = cookie.split('=');
  await context.addCookies([{ name: cookieName!, value: rest.join('='), url: ctx.desk.url }]);
  return { browser, context };
}
