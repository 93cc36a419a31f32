// SLA policies in Chromium, in both languages: an admin gives an organisation its own targets; a second policy for the
// same organisation is refused at the organisations field; the ticket of a customer of it counts against the policy,
// which the agent sees beside the ticket.
import type { Page } from 'playwright-core';
import { violations } from '../support/axe';
import { createUser, loginUi, shot, useBrowser } from '../support/browser';
import { ADMIN, Session, unique } from '../support/http';

const TEXT = {
  en: { title: 'SLA policies', onTicket: 'SLA policy: ', business: 'Business hours' },
  fr: { title: 'Politiques de SLA', onTicket: 'Politique de SLA : ', business: 'En heures ouvrées' },
} as const;

const { openPage } = useBrowser();

async function pickOrganisation(page: Page, name: string): Promise<void> {
  await page.getByTestId('sla-policy-organisations').click();
  await page.getByRole('option', { name, exact: true }).click();
  await page.mouse.click(5, 5);
  await page.locator('.p-multiselect-overlay').waitFor({ state: 'detached' });
}

describe.each(['en', 'fr'] as const)('SLA policies (%s)', (locale) => {
  const text = TEXT[locale];

  it("should give an organisation its own targets, refuse a second policy for it, and show it beside the organisation's tickets", async () => {
    const admin = await Session.login(ADMIN.email, ADMIN.password);
    const org = (await admin.post('/api/organisations', { name: unique(`Gold org ${locale}`) })).body as { id: string; name: string };
    const name = unique(`Gold ${locale}`);
    const adminUser = await createUser('admin', locale, 'Ada Admin');
    const { page, errors } = await openPage(locale);
    await loginUi(page, adminUser.email, adminUser.password);
    await page.goto('/admin/sla-policies');
    await page.getByRole('heading', { name: text.title, level: 1 }).waitFor();

    await page.getByTestId('sla-policy-new').click();
    await page.getByTestId('sla-policy-name').fill(name);
    await pickOrganisation(page, org.name);
    await page.getByTestId('sla-target-high-first').locator('input').fill('10');
    await page.getByTestId('sla-target-high-resolution').locator('input').fill('60');
    // Business hours on show, then back to round the clock for this policy.
    await page.getByTestId('sla-policy-hours').getByText(text.business).click();
    await page.getByTestId('sla-policy-timezone').waitFor();
    await shot(page, `sla-policy-dialog-${locale}`);
    expect(await violations(page)).toEqual([]);
    await page.getByTestId('sla-policy-hours').getByRole('button').first().click();
    // A dry run first: the organisation has no ticket yet, so nothing would end differently.
    await page.getByTestId('sla-policy-try').click();
    await page.getByTestId('sla-policy-dry-run').waitFor();
    await shot(page, `sla-policy-dry-run-${locale}`);
    await page.getByTestId('sla-policy-save').click();
    await page.getByTestId('sla-policy-dialog').waitFor({ state: 'detached' });
    await page.getByRole('cell', { name, exact: true }).waitFor();
    await shot(page, `sla-policies-${locale}`);

    // The same organisation in a second policy: refused at the field, nothing saved.
    await page.getByTestId('sla-policy-new').click();
    await page.getByTestId('sla-policy-name').fill(`${name} bis`);
    await pickOrganisation(page, org.name);
    await page.getByTestId('sla-target-low-resolution').locator('input').fill('600');
    await page.getByTestId('sla-policy-save').click();
    await page.getByTestId('sla-policy-organisations-error').filter({ hasText: name }).waitFor();
    expect((await admin.get('/api/sla-policies')).body.items.filter((p: { name: string }) => p.name.startsWith(name))).toHaveLength(1);
    await page.keyboard.press('Escape');

    // A customer of the organisation opens a high ticket: first response in 10 minutes, round the clock.
    const email = `${unique('gold')}@example.test`;
    await admin.post('/api/users', { email, name: 'Gill Gold', role: 'customer', password: 'a-long-password-1', organisationId: org.id });
    const customer = await Session.login(email, 'a-long-password-1');
    const ticket = (await customer.post('/api/tickets', { type: 'incident', title: unique('Gold outage'), priority: 'high' })).body;
    const first = ticket.sla.find((c: { target: string | null }) => c.target);
    expect(Date.parse(first.target) - Date.parse(ticket.createdAt)).toBe(10 * 60_000);
    await page.goto(`/tickets/${ticket.id}`);
    await page.getByTestId('ticket-sla-policy').filter({ hasText: `${text.onTicket}${name}` }).waitFor();
    expect(errors).toEqual([]);
  });
});
