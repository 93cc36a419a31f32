// Automation rules in Chromium, on a desk of their own (an enabled rule acts on every ticket): an admin writes a rule in
// the console (English), sees a refusal at the action at fault, tries the rule on the last 30 days (the dry run lists
// the ticket it would have fired on, not the other) and enables it; a new ticket is then changed by it, and an agent
// reads in French, on the ticket's timeline, which rule did what.
import type { Page } from 'playwright-core';
import { violations } from '../support/axe';
import { loginUi, shot, useBrowser, type Locale } from '../support/browser';
import { ADMIN, Session, eventually, unique } from '../support/http';
import { freshDatabaseUrl, startDesk, type Desk } from '../support/desk';

const PASSWORD = 'a-long-password-for-rules';
let desk: Desk;
let admin: Session;
const { openPage } = useBrowser();

beforeAll(async () => {
  desk = await startDesk({ taskQueue: unique('guichet-rules-ui'), env: { DATABASE_URL: await freshDatabaseUrl('rules_ui') } });
  admin = await Session.login(ADMIN.email, ADMIN.password, desk.url);
}, 120_000);

afterAll(async () => {
  await desk?.stop();
});

async function signedIn(role: 'admin' | 'agent', locale: Locale): Promise<Page> {
  const email = `${unique(role)}@example.test`;
  await admin.post('/api/users', { email, name: role === 'admin' ? 'Ada' : 'Aurélien', role, password: PASSWORD, locale });
  const { page } = await openPage(locale, { baseURL: desk.url });
  await loginUi(page, email, PASSWORD);
  return page;
}

async function pick(page: Page, testId: string, option: string | RegExp, within?: ReturnType<Page['getByTestId']>): Promise<void> {
  await (within ?? page).getByTestId(testId).click();
  await page.getByRole('option', { name: option }).first().click();
}

it('should let an admin write a rule, dry-run it on past tickets, enable it, and show its work on the timeline', async () => {
  const past = (await admin.post('/api/tickets', { type: 'incident', title: unique('Core switch down'), priority: 'critical' })).body;
  const calm = (await admin.post('/api/tickets', { type: 'incident', title: unique('Mouse squeaks'), priority: 'low' })).body;
  const name = unique('Critical to ops');

  const page = await signedIn('admin', 'en');
  await page.goto('/admin/rules');
  await page.getByTestId('rules').waitFor();
  await page.getByTestId('rule-new').click();
  const dialog = page.getByTestId('rule-dialog');
  await dialog.getByTestId('rule-name').fill(name);
  await dialog.getByTestId('rule-add-condition').click();
  await pick(page, 'rule-condition-value', 'Critical', dialog.getByTestId('rule-condition-0'));
  await dialog.getByTestId('rule-action-0').getByTestId('rule-action-tags').fill('ops, paged');
  await dialog.getByTestId('rule-add-action').click();
  await pick(page, 'rule-action-kind', 'Move to queue', dialog.getByTestId('rule-action-1'));
  // No queue chosen: refused at that action, nothing saved.
  await dialog.getByTestId('rule-save').click();
  await dialog.getByTestId('rule-error').waitFor();
  // The banner says the form has errors; each shows at its element.
  expect(await dialog.getByTestId('rule-error').textContent()).toContain('see the marked elements');
  await dialog.getByTestId('rule-action-1').getByTestId('rule-action-error').waitFor();
  await shot(page, 'rules-refused-en');
  expect((await admin.get('/api/rules')).body.items).toHaveLength(0);

  await pick(page, 'rule-action-kind', 'Post a comment', dialog.getByTestId('rule-action-1'));
  await dialog.getByTestId('rule-action-1').getByTestId('rule-action-body').fill('Paged the on-call engineer.');
  // The dry run lists the critical ticket of the last days, not the low one.
  await dialog.getByTestId('rule-try').click();
  await dialog.getByTestId('rule-dry-run').waitFor();
  const matches = dialog.getByTestId('rule-dry-run-match');
  await matches.filter({ hasText: past.number }).waitFor();
  expect(await matches.filter({ hasText: calm.number }).count()).toBe(0);
  await expect(matches.filter({ hasText: past.number }).textContent()).resolves.toContain('add ops, paged');
  await shot(page, 'rules-dry-run-en');
  expect(await violations(page)).toEqual([]);
  expect((await admin.get(`/api/tickets/${past.id}`)).body.tags).toEqual([]);

  await dialog.getByTestId('rule-enabled').click();
  await dialog.getByTestId('rule-save').click();
  await dialog.waitFor({ state: 'hidden' });
  await page.getByTestId('rules').getByText(name).waitFor();
  // An idle rule, counted in business hours: the list says what triggers it.
  await page.getByTestId('rule-new').click();
  await dialog.getByTestId('rule-name').fill(`${name} idle`);
  await pick(page, 'rule-event', 'A ticket stays idle', dialog);
  await dialog.getByTestId('rule-when-minutes').locator('input').fill('240');
  await dialog.getByTestId('rule-action-0').getByTestId('rule-action-tags').fill('stale');
  await dialog.getByTestId('rule-save').click();
  await dialog.waitFor({ state: 'hidden' });
  await page.getByTestId('rules').getByText('A ticket stays idle (240 min)').waitFor();
  expect((await admin.get('/api/rules')).body.items.find((r: { name: string }) => r.name === `${name} idle`)).toMatchObject({ when: { event: 'idle', minutes: 240 }, enabled: false });
  await shot(page, 'rules-list-en');
  expect(await violations(page)).toEqual([]);

  // From now on, a critical ticket is tagged and noted by the rule; an agent reads it in French on the timeline.
  const fresh = (await admin.post('/api/tickets', { type: 'incident', title: unique('Storage array alarm'), priority: 'critical' })).body;
  await eventually(async () => ((await admin.get(`/api/tickets/${fresh.id}`)).body.tags.includes('ops') ? true : undefined));
  const agent = await signedIn('agent', 'fr');
  await agent.goto(`/tickets/${fresh.id}`);
  await agent.getByTestId('timeline-item').filter({ hasText: `La règle « ${name} » s’est appliquée` }).waitFor();
  await agent.getByTestId('timeline-by-rule').filter({ hasText: `Règle : ${name}` }).first().waitFor();
  await shot(agent, 'rules-timeline-fr');
  expect(await violations(agent)).toEqual([]);
}, 180_000);
