// Custom roles in a real Chromium, in English and French: an admin composes a role on the Roles page and gives it to an
// agent on the Users page; the holder's console then offers only what the role grants.
import { loginUi, useBrowser, shot } from '../support/browser';
import { ADMIN, Session, unique } from '../support/http';

const TEXT = {
  en: { roles: 'Roles', audit: 'Audit log', reports: 'Reports', admin: 'Admin', role: (name: string) => `Custom role: ${name}` },
  fr: { roles: 'Rôles', audit: "Journal d'audit", reports: 'Rapports', admin: 'Administration', role: (name: string) => `Rôle personnalisé : ${name}` },
} as const;

const { openPage } = useBrowser();

describe.each(['en', 'fr'] as const)('custom roles (%s)', (locale) => {
  it('should compose a role, give it to an agent, and open only what it grants', async () => {
    const text = TEXT[locale];
    const admin = await Session.login(ADMIN.email, ADMIN.password);
    const email = `${unique('auditor')}@example.test`;
    const person = `Aude Auditor ${unique(locale)}`;
    await admin.post('/api/users', { email, name: person, role: 'agent', password: 'a-long-password-1' });

    const { page, errors } = await openPage(locale);
    await loginUi(page, ADMIN.email, ADMIN.password);
    await page.goto('/admin/roles');
    await page.getByRole('heading', { name: text.roles, level: 1 }).waitFor();
    const key = unique('auditor').replace(/[^a-z0-9_]/g, '_');
    const name = `Auditor ${key}`;
    await page.getByTestId('role-new').click();
    await page.getByTestId('role-key').fill(key);
    await page.getByTestId('role-name').fill(name);
    await page.getByTestId('role-area-admin.audit').click();
    // Replies only: notes and transitions off (they are on in a new role's default).
    await page.getByTestId('role-every-note').click();
    await page.getByTestId('role-every-transition').click();
    await shot(page, `console-roles-editor-${locale}`);
    await page.getByTestId('role-submit').click();
    const row = page.getByTestId('role-row').filter({ hasText: name });
    await row.waitFor();
    await page.locator('.p-dialog').waitFor({ state: 'detached' });
    await shot(page, `console-roles-${locale}`);

    // Given to the agent on the Users page.
    await page.getByTestId('admin-nav-admin-users').click();
    await page.getByTestId('user-search').fill(email);
    await page.getByTestId('user-row').filter({ hasText: email }).getByTestId('user-edit').click();
    await page.getByTestId('user-role').click();
    await page.getByRole('option', { name: text.role(name), exact: true }).click();
    await page.getByTestId('user-submit').click();
    await page.getByTestId('user-row').filter({ hasText: email }).filter({ hasText: name }).waitFor();

    // The holder: the admin area opens on the audit log, and only it; no reports.
    const holder = await openPage(locale);
    await loginUi(holder.page, email, 'a-long-password-1');
    await holder.page.getByRole('link', { name: text.admin, exact: true }).click();
    await holder.page.getByRole('heading', { name: text.audit, level: 1 }).waitFor();
    expect(await holder.page.locator('.admin-nav li').count()).toBe(1);
    expect(await holder.page.getByRole('link', { name: text.reports, exact: true }).count()).toBe(0);
    await shot(holder.page, `console-roles-holder-${locale}`);
    await holder.page.goto('/admin/users');
    await holder.page.waitForURL((url) => url.pathname === '/tickets');

    // On a ticket: replies only (no internal-note switch), no workflow actions, assignment and tags read-only.
    const ticket = (await admin.post('/api/tickets', { type: 'incident', title: unique(`Printer ${locale}`), priority: 'low' })).body;
    await holder.page.goto(`/tickets/${ticket.id}`);
    await holder.page.getByTestId('comment-body').waitFor();
    expect(await holder.page.getByTestId('comment-visibility').count()).toBe(0);
    expect(await holder.page.getByTestId('tag-input').count()).toBe(0);
    expect(await holder.page.getByTestId('watcher-search').count()).toBe(0);
    expect(await holder.page.getByTestId('kb-from-ticket').count()).toBe(0);
    await holder.page.getByTestId('prop-field-category').waitFor();
    expect(await holder.page.getByTestId('prop-field-category-save').count()).toBe(0);
    expect(await holder.page.getByTestId('prop-assignee').getAttribute('class')).toContain('p-disabled');
    await shot(holder.page, `console-roles-holder-ticket-${locale}`);
    expect([...errors, ...holder.errors]).toEqual([]);
  });
});
