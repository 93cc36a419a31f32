// Automated accessibility checks (axe-core, WCAG 2.1 A and AA rules) in Chromium on the pages agents live in: the queue
// with a selection, the ticket page with its dialogs, and the macros page, in English and French. No serious or critical
// violation may remain; each one found is listed with the elements it concerns.
import { createUser, loginUi, useBrowser } from '../support/browser';
import { violations } from '../support/axe';
import { Session, unique } from '../support/http';

const { openPage } = useBrowser();

describe.each(['en', 'fr'] as const)('accessibility (%s)', (locale) => {
  it('should leave no serious violation on the queue, the ticket page and the macros page', async () => {
    const agent = await createUser('agent', locale, unique('Ada Access'));
    const staff = await Session.login(agent.email, agent.password);
    const t = (await staff.post('/api/tickets', { type: 'incident', title: unique('Accessible ticket'), priority: 'high' })).body;
    expect((await staff.post(`/api/tickets/${t.id}/comments`, { body: 'A public reply', visibility: 'public' })).status).toBe(201);
    expect((await staff.request('PUT', `/api/tickets/${t.id}/tags`, { add: ['a11y'] })).status).toBe(200);

    const { page, errors } = await openPage(locale);
    await loginUi(page, agent.email, agent.password);
    await page.goto('/tickets');
    await page.getByTestId('ticket-row').first().waitFor();
    await page.getByTestId('row-select').first().check();
    await page.getByTestId('bulk-bar').waitFor();
    const queue = await violations(page);

    await page.goto(`/tickets/${t.id}`);
    await page.getByTestId('ticket-properties').waitFor();
    await page.getByTestId('timeline-item').nth(1).waitFor();
    const ticketPage = await violations(page);
    await page.getByTestId('macro-open').click();
    await page.getByTestId('macro-dialog').waitFor();
    const macroDialog = await violations(page);
    await page.keyboard.press('Escape');

    await page.goto('/macros');
    await page.getByTestId('macro-table').waitFor();
    const macros = await violations(page);

    expect({ queue, ticketPage, macroDialog, macros }).toEqual({ queue: [], ticketPage: [], macroDialog: [], macros: [] });
    expect(errors).toEqual([]);
  });
});
