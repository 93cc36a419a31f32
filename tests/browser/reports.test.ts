// Reports and ratings in a real Chromium, in English and French: a customer rates a resolved request on the portal; an admin reads the reports, exports a table as CSV and drills into a figure.
import fs from 'node:fs';
import { createUser, loginUi, useBrowser, shot } from '../support/browser';
import { Session, unique, useAdmin } from '../support/http';

const TEXT = {
  en: { rateTitle: 'How did we do?', yours: 'Your rating: 4 of 5', saved: 'Thank you, your rating is saved.', reports: 'Reports', satisfaction: 'Customer satisfaction', ratings: 'Ratings', average: 'Average', queue: 'Queue', drill: 'Tickets:' },
  fr: { rateTitle: 'Votre avis sur notre réponse', yours: 'Votre note : 4 sur 5', saved: 'Merci, votre note est enregistrée.', reports: 'Rapports', satisfaction: 'Satisfaction des clients', ratings: 'Notes', average: 'Moyenne', queue: 'File', drill: 'Tickets :' },
} as const;

const { openPage } = useBrowser();
const admin = useAdmin();

describe.each(['en', 'fr'] as const)('reports and ratings (%s)', (locale) => {
  const text = TEXT[locale];

  it('should let a customer rate their resolved request, then show the rating in the reports, exported and drilled into', async () => {
    const customer = await createUser('customer', locale, 'Camille Client');
    const customerApi = await Session.login(customer.email, customer.password);
    const created = await customerApi.post('/api/tickets', { type: 'incident', title: unique(`Rated ${locale}`), priority: 'low' });
    expect(created.status).toBe(201);
    expect((await admin.post(`/api/tickets/${created.body.id}/transitions`, { transition: 'resolve', fields: { resolution: 'done' } })).status).toBe(200);

    const { page, errors, context } = await openPage(locale);
    await loginUi(page, customer.email, customer.password);
    await page.goto(`/portal/tickets/${created.body.id}`);
    await page.getByTestId('ticket-title').waitFor();
    await page.getByRole('heading', { name: text.rateTitle }).waitFor();
    await page.getByTestId('rating-star-4').click();
    await page.getByTestId('rating-comment').fill('Fixed quickly');
    await page.getByTestId('rating-submit').click();
    await page.getByTestId('rating-saved').filter({ hasText: text.saved }).waitFor();
    await page.reload();
    await page.getByTestId('rating-current').filter({ hasText: text.yours }).waitFor();
    await shot(page, `rating-${locale}`);
    expect(errors).toEqual([]);
    await context.close();

    const queueKey = unique(`reports_${locale}`).replace(/-/g, '_');
    const queueName = unique(`Reports queue ${locale}`);
    expect((await admin.post('/api/queues', { key: queueKey, name: queueName })).status).toBe(201);
    const staff = await createUser('admin', locale, 'Ada Admin');
    const { page: p2, errors: errors2 } = await openPage(locale);
    await loginUi(p2, staff.email, staff.password);
    await p2.goto('/reports');
    await p2.getByRole('heading', { name: text.reports, exact: true }).waitFor();
    const section = p2.getByTestId('report-satisfaction');
    await section.getByRole('heading', { name: text.satisfaction }).waitFor();
    // Queue and group filters are pickers of names.
    await p2.getByTestId('filter-queue').click();
    await p2.getByRole('option', { name: queueName, exact: true }).waitFor();
    expect(await p2.getByRole('option', { name: queueKey, exact: true }).count()).toBe(0);
    await p2.keyboard.press('Escape');
    await section.getByRole('columnheader', { name: text.ratings }).waitFor();
    await section.locator('canvas').waitFor();
    // The CSV is exactly the table on screen: the same header and cells.
    const headers = (await section.getByRole('columnheader').allTextContents()).map((h) => h.trim()).filter(Boolean);
    const [download] = await Promise.all([p2.waitForEvent('download'), section.getByTestId('export-satisfaction').click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8').replace(/^\ufeff/, '');
    const lines = csv.trim().split('\r\n');
    expect(lines[0].split(',')).toEqual(headers.slice(0, -1).map((h) => (h.includes(',') ? `"${h}"` : h)));
    const rows = section.locator('tbody tr');
    expect(lines.length - 1).toBe(await rows.count());
    const firstCells = (await rows.first().locator('td').allTextContents()).map((c) => c.trim()).slice(0, -1);
    // Rows grouped by queue show the queue's name, never its key.
    expect(firstCells[0]).not.toMatch(/^[a-z][a-z0-9_]*$/);
    expect(lines[1]).toBe(firstCells.map((c) => (/[",]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(','));
    // Drill-down: the row's list button opens the tickets behind it.
    await section.getByTestId('drill-row').first().click();
    const dialog = p2.getByTestId('drill-dialog');
    await dialog.filter({ hasText: text.drill }).waitFor();
    await dialog.locator('tbody tr a').first().waitFor();
    await shot(p2, `reports-${locale}`);
    expect(errors2).toEqual([]);
  });
});
