// The admin screens in a real Chromium, in English and French: create a user, a group holding them, grant a queue to
// the group, create an API token (shown once, and working), then find each action in the audit log.
import type { Page } from 'playwright-core';
import { loginUi, useBrowser, shot } from '../support/browser';
import { ADMIN, Session, allUsers, unique } from '../support/http';

const TEXT = {
  en: { group: 'Agent group', agent: 'Agent', write: 'Read and write', scim: 'SCIM provisioning (identity provider)', users: 'Users', audit: 'Audit log', allowed: 'Allowed', rotate: 'Rotate secret', once: 'Copy this secret now: it will not be shown again.', done: 'Done' },
  fr: { group: "Groupe d'agents", agent: 'Agent', write: 'Lecture et écriture', scim: 'Provisionnement SCIM (fournisseur d’identité)', users: 'Utilisateurs', audit: "Journal d'audit", allowed: 'Autorisé', rotate: 'Renouveler le secret', once: 'Copiez ce secret maintenant : il ne sera plus affiché.', done: 'Terminé' },
} as const;

const { openPage } = useBrowser();

async function choose(page: Page, testId: string, label: string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: label, exact: true }).click();
}

/** Ticks `label` in a PrimeVue MultiSelect, then closes its panel. */
async function tick(page: Page, select: ReturnType<Page['getByTestId']>, label: string): Promise<void> {
  await select.click();
  await page.getByRole('option', { name: label }).click();
  await page.keyboard.press('Escape');
}

describe.each(['en', 'fr'] as const)('admin screens (%s)', (locale) => {
  const text = TEXT[locale];

  it('should create a user, a group, grant a queue, create a token shown once, and find it all in the audit log', async () => {
    const { page, errors } = await openPage(locale);
    await page.goto('/login');
    await loginUi(page, ADMIN.email, ADMIN.password);
    await page.goto('/admin/users');
    await page.getByRole('heading', { name: text.users, level: 1 }).waitFor();

    // A user, found again by searching.
    const name = unique(`Dominique ${locale}`);
    const email = `${unique('dominique')}@example.test`;
    await page.getByTestId('user-new').click();
    await page.getByTestId('user-email').fill(email);
    await page.getByTestId('user-name').fill(name);
    await choose(page, 'user-role', text.agent);
    await page.getByTestId('user-password').fill('a-long-password-for-dominique');
    await page.getByTestId('user-submit').click();
    await page.getByTestId('admin-notice').filter({ hasText: name }).waitFor();
    await page.getByTestId('user-search').fill(name);
    await page.getByTestId('user-row').filter({ hasText: email }).waitFor();
    await shot(page, `console-admin-users-${locale}`);

    // A group holding that user.
    await page.getByTestId('admin-nav-admin-groups').click();
    const group = unique(`ops_${locale}`).replace(/-/g, '_');
    await page.getByTestId('group-key').fill(group);
    await page.getByTestId('group-name').fill(`Ops ${group}`);
    await page.getByTestId('group-submit').click();
    const groupRow = page.getByTestId('group-row').filter({ hasText: group });
    await groupRow.waitFor();
    await groupRow.getByTestId('group-members').click();
    await tick(page, page.getByTestId('group-members-select'), `${name} <${email}>`);
    await page.getByTestId('group-members-save').click();
    await groupRow.filter({ hasText: name }).waitFor();

    // A queue granted to that group.
    await page.getByTestId('admin-nav-admin-queues').click();
    const queue = unique(`desk_${locale}`).replace(/-/g, '_');
    await page.getByTestId('queue-key').fill(queue);
    await page.getByTestId('queue-name').fill(`Desk ${queue}`);
    await page.getByTestId('queue-submit').click();
    const queueRow = page.getByTestId('queue-row').filter({ hasText: queue });
    await queueRow.waitFor();
    await tick(page, queueRow.getByTestId('queue-groups'), `Ops ${group}`);
    await queueRow.getByTestId('queue-groups-save').click();
    await page.getByTestId('admin-notice').filter({ hasText: `Desk ${queue}` }).waitFor();
    await shot(page, `console-admin-queues-${locale}`);

    // A token: its secret is shown once, works, and is gone from the page once dismissed.
    await page.getByTestId('admin-nav-admin-tokens').click();
    const tokenName = unique(`ci ${locale}`);
    await page.getByTestId('token-name').fill(tokenName);
    await choose(page, 'token-scope', text.write);
    await page.getByTestId('token-submit').click();
    const secret = (await page.getByTestId('token-value').textContent())!.trim();
    expect(secret).toMatch(/^gch_/);
    await page.getByTestId('token-row').filter({ hasText: tokenName }).waitFor();
    await shot(page, `console-admin-token-${locale}`);
    const me = await fetch(`${process.env.GUICHET_TEST_URL}/api/tickets?limit=1`, { headers: { authorization: `Bearer ${secret}` } });
    expect(me.status).toBe(200);
    await page.getByTestId('token-dismiss').click();
    expect(await page.content()).not.toContain(secret);
    await page.reload();
    await page.getByTestId('token-row').filter({ hasText: tokenName }).waitFor();
    expect(await page.content()).not.toContain(secret);

    // A SCIM token for an identity provider: the page says where to point it, and it reaches the SCIM service.
    await page.getByTestId('token-name').fill(unique(`idp ${locale}`));
    await choose(page, 'token-scope', text.scim);
    await page.getByTestId('token-scim-hint').filter({ hasText: '/scim/v2' }).waitFor();
    await page.locator('.p-select-overlay').waitFor({ state: 'detached' });
    await shot(page, `console-admin-token-scim-${locale}`);
    await page.getByTestId('token-submit').click();
    const scimSecret = (await page.getByTestId('token-value').textContent())!.trim();
    const config = await fetch(`${process.env.GUICHET_TEST_URL}/scim/v2/ServiceProviderConfig`, { headers: { authorization: `Bearer ${scimSecret}` } });
    expect(config.status).toBe(200);
    await page.getByTestId('token-dismiss').click();

    // Every change is in the audit log, found with the filter.
    await page.getByTestId('admin-nav-admin-audit').click();
    await page.getByRole('heading', { name: text.audit, level: 1 }).waitFor();
    const rows = page.getByTestId('audit-row');
    await page.getByTestId('audit-action').fill('POST /api/users');
    await rows.filter({ hasText: 'POST /api/users' }).first().waitFor();
    await page.getByTestId('audit-action').fill(`/api/groups/${group}/members`);
    await rows.filter({ hasText: `/api/groups/${group}/members` }).filter({ hasText: text.allowed }).waitFor();
    await page.getByTestId('audit-action').fill(`/api/queues/${queue}/groups`);
    await rows.filter({ hasText: `/api/queues/${queue}/groups` }).waitFor();
    await page.getByTestId('audit-action').fill('POST /api/tokens');
    await rows.filter({ hasText: 'POST /api/tokens' }).first().waitFor();

    // What changed: the group's entries, the membership change opened to its before and after.
    await page.getByTestId('audit-action').fill('');
    await choose(page, 'audit-entity', text.group);
    await page.getByTestId('audit-entity-id').fill(group);
    const membership = rows.filter({ hasText: `/api/groups/${group}/members` });
    // Its creation and its membership, once the typed key has filtered the list down (no third row left).
    await membership.waitFor();
    await rows.nth(2).waitFor({ state: 'detached' });
    await rows.nth(1).waitFor();
    await membership.getByTestId('audit-expand').click();
    const change = page.getByTestId('audit-change');
    await change.filter({ hasText: '/members/0' }).filter({ hasText: email }).waitFor();
    await shot(page, `console-admin-audit-${locale}`);

    // The export carries the same filters.
    const csv = await page.request.get((await page.getByTestId('audit-export-csv').getAttribute('href'))!);
    expect(csv.headers()['content-disposition']).toContain('attachment');
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines.slice(1).every((l) => l.includes(`,group,${group},`))).toBe(true);
    expect(errors).toEqual([]);
  });
  it('should show a rotated webhook signing secret once, until dismissed', async () => {
    const admin = await Session.login(ADMIN.email, ADMIN.password);
    const name = unique(`hook ${locale}`);
    // A port nothing listens on, and an event type the other suites do not raise: no delivery is ever attempted.
    const created = await admin.post('/api/webhooks/subscriptions', { name, url: 'http://127.0.0.1:9/hook', allowPrivateNetwork: true, eventTypes: ['maintenance.work_order_overdue'] });
    expect(created.status).toBe(201);
    try {
      const { page, errors } = await openPage(locale);
      await loginUi(page, ADMIN.email, ADMIN.password);
      await page.goto('/admin/webhooks');
      const panel = page.getByTestId('webhook-subscriptions');
      await panel.getByRole('row').filter({ hasText: name }).getByRole('button', { name: text.rotate }).click();
      const box = panel.getByTestId('secret-once');
      await box.getByText(text.once).waitFor();
      const secret = (await box.getByTestId('secret-value').textContent())!.trim();
      expect(secret).toMatch(/^whsec_/);
      expect(secret).not.toBe(created.body.secret);
      await shot(page, `console-admin-webhook-secret-${locale}`);
      await box.getByRole('button', { name: text.done }).click();
      await box.waitFor({ state: 'detached' });
      expect(await page.content()).not.toContain(secret);
      expect(errors).toEqual([]);
    } finally {
      await admin.request('DELETE', `/api/webhooks/subscriptions/${created.body.subscription.id}`);
    }
  });

  it('should list accounts a page at a time and show the next page on request', async () => {
    const admin = await Session.login(ADMIN.email, ADMIN.password);
    // More accounts than one page (100), whatever the suites before this one created.
    const missing = 101 - (await allUsers(admin)).length;
    for (let i = 0; i < missing; i++) {
      expect((await admin.post('/api/users', { email: `${unique('bulk')}@example.test`, name: unique('Bulk'), role: 'customer', password: 'a-long-password-1' })).status).toBe(201);
    }
    const { page, errors } = await openPage(locale);
    await loginUi(page, ADMIN.email, ADMIN.password);
    await page.goto('/admin/users');
    await page.getByTestId('user-row').nth(99).waitFor();
    expect(await page.getByTestId('user-row').count()).toBe(100);
    await page.getByTestId('users-more').click();
    await page.getByTestId('user-row').nth(100).waitFor();
    expect(errors).toEqual([]);
  });
});
