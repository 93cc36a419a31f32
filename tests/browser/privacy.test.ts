// Personal data in the console, in a real Chromium, in English and French: download a person's archive, erase them
// after typing their address again, then count, save and run a retention policy.
import { unzipSync } from 'fflate';
import fs from 'node:fs';
import { loginUi, useBrowser, shot } from '../support/browser';
import { ADMIN, Session, unique } from '../support/http';

const TEXT = {
  en: { users: 'Users', retention: 'Data retention' },
  fr: { users: 'Utilisateurs', retention: 'Conservation des données' },
} as const;

const { openPage } = useBrowser();

describe.each(['en', 'fr'] as const)('personal data (%s)', (locale) => {
  it('should export a person as a ZIP, erase them on confirmation, and count then run a retention policy', async () => {
    const admin = await Session.login(ADMIN.email, ADMIN.password);
    const org = (await admin.post('/api/organisations', { name: unique(`Privacy ${locale}`) })).body;
    const email = `${unique('leaver')}@example.test`;
    const name = unique(`Léa Leaver ${locale}`);
    await admin.post('/api/users', { email, name, role: 'customer', password: 'a-long-password-1', organisationId: org.id });
    const customer = await Session.login(email, 'a-long-password-1');
    const ticket = (await customer.post('/api/tickets', { type: 'incident', title: unique('My home address'), priority: 'low' })).body;
    await admin.post(`/api/tickets/${ticket.id}/transitions`, { transition: 'resolve', fields: { resolution: 'done' } });
    await admin.post(`/api/tickets/${ticket.id}/transitions`, { transition: 'close' });

    const { page, errors } = await openPage(locale);
    await loginUi(page, ADMIN.email, ADMIN.password);
    await page.goto('/admin/users');
    await page.getByRole('heading', { name: TEXT[locale].users, level: 1 }).waitFor();
    await page.getByTestId('user-search').fill(email);
    const row = page.getByTestId('user-row').filter({ hasText: email });
    await row.getByTestId('user-privacy').click();
    const dialog = page.getByTestId('privacy-dialog');
    await dialog.waitFor();

    // The archive downloads with the session, and holds the person's ticket.
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByTestId('privacy-export').click()]);
    const files = unzipSync(new Uint8Array(fs.readFileSync((await download.path())!)));
    expect(new TextDecoder().decode(files['tickets.json'])).toContain(ticket.title);

    // Erasing needs the address typed again.
    await expect(dialog.getByTestId('privacy-erase').isDisabled()).resolves.toBe(true);
    await dialog.getByTestId('privacy-confirm').fill(email);
    await shot(page, `console-privacy-erase-${locale}`);
    await dialog.getByTestId('privacy-erase').click();
    await dialog.getByTestId('privacy-erased').waitFor();
    await shot(page, `console-privacy-erased-${locale}`);
    await page.keyboard.press('Escape');
    await page.getByTestId('admin-notice').filter({ hasText: name }).waitFor();
    expect((await admin.get(`/api/tickets/${ticket.id}`)).body.title).toBe(`Anonymised ticket ${ticket.number}`);

    // A retention policy: counted before it can be saved, then run by hand.
    const other = await Session.login(ADMIN.email, ADMIN.password);
    const email2 = `${unique('kept')}@example.test`;
    await admin.post('/api/users', { email: email2, name: 'Kept', role: 'customer', password: 'a-long-password-1', organisationId: org.id });
    const kept = await Session.login(email2, 'a-long-password-1');
    const old = (await kept.post('/api/tickets', { type: 'incident', title: unique('Old matter'), priority: 'low' })).body;
    await other.post(`/api/tickets/${old.id}/transitions`, { transition: 'resolve', fields: { resolution: 'done' } });
    await other.post(`/api/tickets/${old.id}/transitions`, { transition: 'close' });

    await page.getByTestId('admin-nav-admin-retention').click();
    await page.getByRole('heading', { name: TEXT[locale].retention, level: 1 }).waitFor();
    const policy = unique(`Policy ${locale}`);
    await page.getByTestId('retention-name').fill(policy);
    await page.getByTestId('retention-organisation').click();
    await page.getByRole('option', { name: org.name, exact: true }).click();
    await page.getByTestId('retention-days').locator('input').fill('0');
    await page.getByTestId('retention-preview').click();
    await page.getByTestId('retention-count').filter({ hasText: '1' }).waitFor();
    await page.locator('.p-select-overlay').waitFor({ state: 'detached' });
    await shot(page, `console-retention-count-${locale}`);
    await page.getByTestId('retention-create').click();
    const policyRow = page.getByTestId('retention-row').filter({ hasText: policy });
    await policyRow.getByTestId('retention-due').filter({ hasText: '1' }).waitFor();
    await policyRow.getByTestId('retention-run').click();
    await policyRow.getByTestId('retention-run-confirm').click();
    await page.getByTestId('admin-notice').filter({ hasText: policy }).waitFor();
    await policyRow.getByTestId('retention-due').filter({ hasText: '0' }).waitFor();
    await shot(page, `console-retention-${locale}`);
    expect((await admin.get(`/api/tickets/${old.id}`)).body.title).toBe(`Anonymised ticket ${old.number}`);
    await policyRow.getByTestId('retention-delete').click();
    await policyRow.waitFor({ state: 'detached' });
    expect(errors).toEqual([]);
  });
});
