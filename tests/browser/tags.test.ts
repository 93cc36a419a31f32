// Tags in Chromium, in English and French: an agent tags a ticket from its page (typed, then picked from suggestions),
// sees the tag on the queue row, filters the queue by it, and removes one; the timeline shows the change.
import { createUser, loginUi, shot, useBrowser } from '../support/browser';
import { Session, unique } from '../support/http';

const TEXT = { en: { tags: 'Tags' }, fr: { tags: 'Étiquettes' } } as const;
const { openPage } = useBrowser();

describe.each(['en', 'fr'] as const)('tags (%s)', (locale) => {
  it('should tag a ticket, show the tag in the queue, filter by it and take one off', async () => {
    const agent = await createUser('agent', locale, unique('Tagger'));
    const staff = await Session.login(agent.email, agent.password);
    const mark = unique(`vpn${locale}`).toLowerCase().replace(/[^a-z0-9]/g, '');
    const title = unique(`VPN client crashes ${locale}`);
    const ticket = await staff.post('/api/tickets', { type: 'incident', title, priority: 'high' });
    // Another ticket already carries the tag, so it is offered as a suggestion.
    const other = await staff.post('/api/tickets', { type: 'incident', title: unique('Other VPN issue'), priority: 'low' });
    expect((await staff.request('PUT', `/api/tickets/${other.body.id}/tags`, { add: [`${mark}-client`] })).status).toBe(200);

    const { page, errors } = await openPage(locale);
    await loginUi(page, agent.email, agent.password);
    await page.goto(`/tickets/${ticket.body.id}`);
    const tags = page.getByTestId('ticket-tags');
    await tags.getByText(TEXT[locale].tags, { exact: true }).waitFor();
    const input = page.getByTestId('tag-input').locator('input');
    await input.fill(mark);
    await page.getByRole('option', { name: `${mark}-client` }).click();
    await tags.getByTestId('ticket-tag').filter({ hasText: `${mark}-client` }).waitFor();
    await input.fill('Needs Reboot');
    await input.press('Enter');
    await tags.getByTestId('ticket-tag').filter({ hasText: 'needs-reboot' }).waitFor();
    await page.getByTestId('timeline-item').filter({ hasText: '+needs-reboot' }).waitFor();
    await shot(page, `tags-ticket-${locale}`);

    // Off again: the chip's remove button.
    await tags.getByTestId('ticket-tag').filter({ hasText: 'needs-reboot' }).locator('.p-chip-remove-icon').click();
    await tags.getByTestId('ticket-tag').filter({ hasText: 'needs-reboot' }).waitFor({ state: 'detached' });
    await page.getByTestId('timeline-item').filter({ hasText: '−needs-reboot' }).waitFor();

    // The queue shows the tag on the row, and filters by it: both tagged tickets, nothing else.
    await page.goto('/tickets');
    await page.getByTestId('filter-tag').click();
    await page.getByRole('option', { name: new RegExp(`^${mark}-client`) }).click();
    await page.getByTestId('ticket-row').filter({ hasText: title }).getByTestId('ticket-row-tag').filter({ hasText: `${mark}-client` }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="ticket-row"]').length === 2);
    await page.getByRole('listbox').waitFor({ state: 'detached' });
    await shot(page, `tags-queue-${locale}`);
    expect(errors).toEqual([]);
  });
});
