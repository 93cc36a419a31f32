// Macros and time in Chromium, in English and French: an agent writes a macro on the macros page, applies it to a
// customer's ticket with "m" after reading the preview in the customer's language and logging time, then applies a
// shared macro to two selected tickets from the queue (one refuses and is named with its reason), and finds their time
// in the time report.
import type { Page } from 'playwright-core';
import { createUser, loginUi, shot, useBrowser } from '../support/browser';
import { ADMIN, Session, unique } from '../support/http';

const TEXT = {
  en: { saved: 'Macro saved.', time: 'Time spent: 12 min', total: '12 min', bulk: '1 done, 1 refused.', refused: "'resolve' is not allowed from state 'resolved'", sent: 'Please send the logs' },
  fr: { saved: 'Macro enregistrée.', time: 'Temps passé : 12 min', total: '12 min', bulk: '1 effectué(s), 1 refusé(s).', refused: "'resolve' is not allowed from state 'resolved'", sent: 'Please send the logs' },
} as const;
const { openPage } = useBrowser();

async function choose(page: Page, testId: string, label: string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: label, exact: true }).click();
}

describe.each(['en', 'fr'] as const)('macros (%s)', (locale) => {
  it('should write a macro, apply it from the ticket page with its preview and time, and in bulk from the queue', async () => {
    const text = TEXT[locale];
    const agent = await createUser('agent', locale, unique('Maud Macro'));
    // The requester reads English whatever the agent's language: the preview must show the English reply.
    const customer = await createUser('customer', 'en', 'Robin Requester');
    const theirs = await Session.login(customer.email, customer.password);
    const ticket = (await theirs.post('/api/tickets', { type: 'incident', title: unique(`Printer jams ${locale}`), priority: 'medium' })).body;

    const { page, errors } = await openPage(locale);
    await loginUi(page, agent.email, agent.password);
    await page.goto('/macros');
    await page.getByTestId('macro-create').click();
    const name = unique(`Ask for logs ${locale}`);
    await page.getByTestId('macro-name').fill(name);
    await page.getByTestId('macro-reply-en').fill('Hello {{requester.firstName}}, please send the logs for {{ticket.number}}.');
    await page.getByTestId('macro-reply-fr').fill('Bonjour {{requester.firstName}}, merci d’envoyer les journaux pour {{ticket.number}}.');
    await page.getByTestId('macro-add-tags').fill('needs-logs');
    await page.getByTestId('macro-transition').fill('wait_for_customer');
    await page.getByTestId('macro-add-field').click();
    await page.getByTestId('macro-field-name-0').fill('pending_reason');
    await page.getByTestId('macro-field-value-0').fill('logs');
    await shot(page, `macros-editor-${locale}`);
    await page.getByTestId('macro-save').click();
    await page.getByTestId('macro-notice').filter({ hasText: text.saved }).waitFor();
    await page.getByTestId('macro-table').getByText(name).waitFor();
    await shot(page, `macros-page-${locale}`);

    // On the ticket: "m" opens the dialog; the preview is in the requester's language; time is logged with it.
    await page.goto(`/tickets/${ticket.id}`);
    await page.getByTestId('ticket-properties').waitFor();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('m');
    const dialog = page.getByTestId('macro-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('macro-select').click();
    await page.getByRole('option', { name, exact: true }).click();
    await dialog.getByTestId('macro-preview-reply').filter({ hasText: `Hello Robin, please send the logs for ${ticket.number}.` }).waitFor();
    await dialog.getByTestId('macro-time').locator('input').fill('12');
    await shot(page, `macros-dialog-${locale}`);
    await dialog.getByTestId('macro-apply').click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByTestId('timeline-item').filter({ hasText: `Hello Robin, please send the logs for ${ticket.number}.` }).waitFor();
    await page.getByTestId('timeline-item').filter({ hasText: text.time }).waitFor();
    await page.getByTestId('ticket-time-total').filter({ hasText: text.total }).waitFor();
    await page.getByTestId('ticket-tag').filter({ hasText: 'needs-logs' }).waitFor();
    await shot(page, `macros-applied-${locale}`);
    // Time logged with an ordinary note adds to the ticket's total.
    await page.getByTestId('comment-body').fill('Checked the printer logs');
    await page.getByTestId('comment-visibility').getByText(locale === 'fr' ? 'Note interne' : 'Internal note').click();
    await page.getByTestId('comment-time').locator('input').fill('5');
    await page.getByTestId('comment-submit').click();
    await page.getByTestId('ticket-time-total').filter({ hasText: '17 min' }).waitFor();
    const after = (await theirs.get(`/api/tickets/${ticket.id}`)).body;
    expect(after.state).toBe('pending_customer');

    // In bulk: a shared macro resolves the open ticket; the one already resolved refuses, is named, and stays as it was.
    const admin = await Session.login(ADMIN.email, ADMIN.password);
    const shared = unique(`Resolve ${locale}`);
    expect((await admin.post('/api/macros', { name: shared, shared: true, reply: { en: 'Fixed.', fr: 'Corrigé.' }, fields: { resolution: 'Fixed' }, transition: 'resolve' })).status).toBe(201);
    const mark = unique(`bulkmacro${locale}`).replace(/[^a-z0-9]/gi, '');
    const open = (await theirs.post('/api/tickets', { type: 'incident', title: `${mark} open`, priority: 'low' })).body;
    const done = (await theirs.post('/api/tickets', { type: 'incident', title: `${mark} done`, priority: 'low' })).body;
    const staff = await Session.login(agent.email, agent.password);
    expect((await staff.post(`/api/tickets/${done.id}/transitions`, { transition: 'resolve', fields: { resolution: 'earlier' } })).status).toBe(200);
    await page.goto('/tickets');
    await page.getByTestId('ticket-search').fill(mark);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="ticket-row"]').length === 2);
    for (const row of await page.getByTestId('row-select').all()) await row.check();
    await choose(page, 'bulk-macro', shared);
    await page.getByTestId('bulk-macro-apply').click();
    await page.getByTestId('bulk-results').filter({ hasText: text.bulk }).waitFor();
    await page.locator('[data-testid="bulk-result"][data-ok="false"]').filter({ hasText: `${done.number} — ${text.refused}` }).waitFor();
    await shot(page, `macros-bulk-${locale}`);
    expect((await staff.get(`/api/tickets/${open.id}`)).body.state).toBe('resolved');

    // The time report names the agent with the 17 minutes logged.
    await page.goto('/reports');
    await page.getByTestId('table-time').getByText(agent.name).waitFor();
    await page.getByTestId('report-time').scrollIntoViewIfNeeded();
    await shot(page, `macros-time-report-${locale}`);
    expect(errors).toEqual([]);
  });
});
