// The agent workspace in a real Chromium, in English and French: a queue worked with the keyboard, filters, a mass
// assignment with per-ticket results, and a ticket created by someone else appearing live (server-sent events).
import type { Page } from 'playwright-core';
import { createUser, loginUi, useBrowser, shot, type Locale } from '../support/browser';
import { ADMIN, Session, unique, userByEmail } from '../support/http';

const TEXT = {
  en: { tickets: 'Tickets', high: 'High', me: 'Me', selected: '2 tickets selected', keys: 'Keyboard', live: 'Live', bulkDone: '2 done, 0 refused.' },
  fr: { tickets: 'Tickets', high: 'Haute', me: 'Moi', selected: '2 tickets sélectionnés', keys: 'Clavier', live: 'En direct', bulkDone: '2 effectué(s), 0 refusé(s).' },
} as const;

const { openPage } = useBrowser();
let admin: Session;
let savedRules: unknown[] = [];

beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
  savedRules = (await admin.get('/api/routing-rules')).body.items;
}, 60_000);

afterAll(async () => {
  await admin.request('PUT', '/api/routing-rules', { items: savedRules });
});

/** Picks `label` in a PrimeVue Select identified by its data-testid. */
async function choose(page: Page, testId: string, label: string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: label, exact: true }).click();
}

const rowTitles = (page: Page) => page.getByTestId('ticket-row-title').allTextContents().then((all) => all.map((x) => x.trim()));

async function waitForTitles(page: Page, expected: string[]): Promise<void> {
  await page
    .waitForFunction(
    (want) => {
      const got = Array.from(document.querySelectorAll('[data-testid="ticket-row-title"]')).map((e) => e.textContent!.trim());
      return got.length === want.length && want.every((w, i) => got[i] === w);
    },
      expected,
    )
    .catch(async (e: unknown) => {
      await shot(page, `console-agent-failure-${Date.now()}`);
      throw new Error(`rows ${JSON.stringify(await rowTitles(page))} instead of ${JSON.stringify(expected)}: ${String(e)}`);
    });
}

const focusedTitle = (page: Page) => page.evaluate(() => document.activeElement?.closest('tr')?.querySelector('[data-testid="ticket-row-title"]')?.textContent?.trim() ?? null);

/** A queue of its own, worked by one group, fed by a routing rule on the customer's organisation. */
async function setUpQueue(locale: Locale) {
  const org = (await admin.post('/api/organisations', { name: unique(`Org ${locale}`) })).body;
  const customer = await createUser('customer', locale, 'Chris Customer');
  const agent = await createUser('agent', locale, 'Ari Agent');
  const customerId = (await userByEmail(admin, customer.email)).id;
  const agentId = (await userByEmail(admin, agent.email)).id;
  const idOf = (email: string) => (email === customer.email ? customerId : email === agent.email ? agentId : undefined)!;
  expect((await admin.request('PATCH', `/api/users/${idOf(customer.email)}`, { organisationId: org.id })).status).toBe(200);
  const group = unique(`g_${locale}`).replace(/-/g, '_');
  const queue = unique(`q_${locale}`).replace(/-/g, '_');
  expect((await admin.post('/api/groups', { key: group, name: `Group ${locale}` })).status).toBe(201);
  expect((await admin.request('PUT', `/api/groups/${group}/members`, { userIds: [idOf(agent.email)] })).status).toBe(200);
  expect((await admin.post('/api/queues', { key: queue, name: `Queue ${locale} ${group}` })).status).toBe(201);
  expect((await admin.request('PUT', `/api/queues/${queue}/groups`, { groups: [group] })).status).toBe(200);
  const rules = (await admin.get('/api/routing-rules')).body.items;
  expect((await admin.request('PUT', '/api/routing-rules', { items: [...rules, { name: `org ${locale}`, conditions: { organisationId: org.id }, queue }] })).status).toBe(200);
  const customerSession = await Session.login(customer.email, customer.password);
  return { queue, agent, customer: customerSession };
}

describe.each(['en', 'fr'] as const)('agent workspace (%s)', (locale) => {
  const text = TEXT[locale];

  it('should let an agent work a queue with the keyboard, filter, mass-assign and see new tickets live', async () => {
    const { queue, agent, customer } = await setUpQueue(locale);
    const tag = unique(`kbd${locale}`);
    const titles = { alpha: `${tag} alpha printer jammed`, beta: `${tag} beta screen flickers`, gamma: `${tag} gamma mouse broken` };
    for (const [title, priority] of [[titles.gamma, 'low'], [titles.beta, 'medium'], [titles.alpha, 'high']]) {
      const res = await customer.post('/api/tickets', { type: 'service_request', title, priority });
      expect(res.status).toBe(201);
      expect(res.body.queue).toBe(queue);
    }

    const { page, errors } = await openPage(locale);
    await page.goto('/login');
    await loginUi(page, agent.email, agent.password);
    await page.waitForURL(/\/tickets$/);
    await page.getByRole('heading', { name: text.tickets, level: 1 }).waitFor();
    await page.getByTestId('keyboard-hint').filter({ hasText: text.keys }).waitFor();
    await page.getByTestId('live-status').filter({ hasText: text.live }).waitFor();

    // The side list shows the queue with its open count; choosing it shows its tickets by priority.
    const queueButton = page.locator(`[data-testid="queue-item"][data-queue="${queue}"]`);
    await queueButton.getByTestId('queue-open').filter({ hasText: '3' }).waitFor();
    await queueButton.click();
    await waitForTitles(page, [titles.alpha, titles.beta, titles.gamma]);
    expect(await page.getByTestId('sla-badge').count()).toBeGreaterThanOrEqual(3);
    const badge = page.getByTestId('sla-badge').first();
    expect(['ok', 'warning', 'breached']).toContain(await badge.getAttribute('data-status'));
    const before = await badge.textContent();
    await page.waitForFunction((b) => document.querySelector('[data-testid="sla-badge"]')?.textContent !== b, before, { timeout: 5000 }).catch(() => undefined);

    // Filters: priority, then full-text search reached with "/".
    await choose(page, 'filter-priority', text.high);
    await waitForTitles(page, [titles.alpha]);
    await page.getByTestId('filters-clear').click();
    await queueButton.click();
    await waitForTitles(page, [titles.alpha, titles.beta, titles.gamma]);
    await page.getByTestId('ticket-row').first().click();
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('ticket-search');
    await page.keyboard.type('gamma');
    await waitForTitles(page, [titles.gamma]);
    await page.keyboard.press('Escape');
    expect(await focusedTitle(page)).toBe(titles.gamma);
    await page.getByTestId('ticket-search').fill('');
    await waitForTitles(page, [titles.alpha, titles.beta, titles.gamma]);

    // j / k move a visible focus, x selects.
    await page.getByTestId('ticket-row').first().click();
    await page.keyboard.press('j');
    expect(await focusedTitle(page)).toBe(titles.beta);
    await page.keyboard.press('x');
    await page.keyboard.press('ArrowDown');
    expect(await focusedTitle(page)).toBe(titles.gamma);
    await page.keyboard.press('k');
    await page.keyboard.press('k');
    expect(await focusedTitle(page)).toBe(titles.alpha);
    await page.keyboard.press('x');
    await page.getByTestId('bulk-count').filter({ hasText: text.selected }).waitFor();
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
    await shot(page, `console-agent-keyboard-${locale}`);

    // Mass assignment to myself, with each ticket's outcome.
    await choose(page, 'bulk-assignee', text.me);
    await page.getByTestId('bulk-assign').click();
    await page.getByTestId('bulk-results').filter({ hasText: text.bulkDone }).waitFor();
    expect(await page.locator('[data-testid="bulk-result"][data-ok="true"]').count()).toBe(2);
    await page.locator('[data-testid="ticket-row"]', { hasText: titles.beta }).getByTestId('ticket-assignee').filter({ hasText: text.me }).waitFor();
    await page.locator('[data-testid="ticket-row"]', { hasText: titles.alpha }).getByTestId('ticket-assignee').filter({ hasText: text.me }).waitFor();
    await shot(page, `console-agent-bulk-${locale}`);

    // Both tagged at once: each row shows the tag.
    await page.getByTestId('bulk-tag').fill(`Bulk ${locale}`);
    await page.getByTestId('bulk-tag-apply').click();
    await page.getByTestId('bulk-results').filter({ hasText: text.bulkDone }).waitFor();
    for (const title of [titles.alpha, titles.beta]) {
      await page.locator('[data-testid="ticket-row"]', { hasText: title }).getByTestId('ticket-row-tag').filter({ hasText: `bulk-${locale}` }).waitFor();
    }

    // Someone else opens a critical ticket: it appears at the top without a reload.
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    const urgent = `${tag} delta server room flooded`;
    // Critical is the agents' call: the phone desk files it for the customer.
    const urgentTicket = await admin.post('/api/tickets', { type: 'service_request', title: urgent, priority: 'critical', requesterId: customer.user!.id, channel: 'phone' });
    expect(urgentTicket.status).toBe(201);
    await waitForTitles(page, [urgent, titles.alpha, titles.beta, titles.gamma]);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    await page.getByTestId('live-announcement').filter({ hasText: urgent }).waitFor();
    await shot(page, `console-agent-live-${locale}`);

    // Enter opens the focused ticket.
    await page.getByTestId('ticket-row').first().click();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/tickets\/[0-9a-f-]{36}$/);
    await page.getByTestId('ticket-title').filter({ hasText: urgent }).waitFor();
    expect(errors).toEqual([]);
  });

  it('should fit the portal on a 375 px wide phone', async () => {
    const customer = await createUser('customer', locale, 'Pat Phone');
    const session = await Session.login(customer.email, customer.password);
    expect((await session.post('/api/tickets', { type: 'service_request', title: unique(`Phone request ${locale}`), priority: 'medium' })).status).toBe(201);
    const { page, errors } = await openPage(locale, { viewport: { width: 375, height: 812 } });
    await page.goto('/login');
    await loginUi(page, customer.email, customer.password);
    await page.waitForURL(/\/portal$/);
    await page.getByTestId('ticket-row').first().waitFor();
    await page.getByTestId('new-ticket-title').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await shot(page, `console-portal-375-${locale}`);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
  });

  it('should fit the queue on a 1366 px laptop screen without scrolling the table sideways', async () => {
    const agentUser = await createUser('agent', locale, 'Lee Laptop');
    const admin = await Session.login(ADMIN.email, ADMIN.password);
    // A critical ticket carries the longest SLA badge ("first response: … left") in either language.
    const mark = unique('laptopfit').replace(/[^a-z0-9]/g, '');
    expect((await admin.post('/api/tickets', { type: 'service_request', title: `A rather long title an agent types in a hurry ${mark}`, priority: 'critical' })).status).toBe(201);
    // A title pasted from a log line has no spaces at all.
    expect((await admin.post('/api/tickets', { type: 'incident', title: `ERR_${'X'.repeat(120)} ${mark}`, priority: 'critical' })).status).toBe(201);
    const { page, errors } = await openPage(locale, { viewport: { width: 1366, height: 768 } });
    await page.goto('/login');
    await loginUi(page, agentUser.email, agentUser.password);
    await page.goto('/tickets');
    await page.getByTestId('sla-badge').first().waitFor();
    // Only this test's rows, so what the table must hold does not depend on what other suites left in the queue.
    await page.getByTestId('ticket-search').fill(mark);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="ticket-row"]').length === 2);
    const [tableWidth, room] = await page.getByTestId('tickets-table').evaluate((t) => [t.scrollWidth, t.parentElement!.clientWidth]);
    await shot(page, `console-queue-1366-${locale}`);
    expect(tableWidth).toBeLessThanOrEqual(room);
    expect(errors).toEqual([]);
  });
});
