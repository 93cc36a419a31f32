// Links, merges and watchers on the ticket page in Chromium, in English and French: an agent watches a ticket and adds a
// colleague, links a related ticket found by its number, then merges the ticket into another after reading what will
// move; the survivor shows the duplicate's conversation and the duplicate says where it went.
import type { Page } from 'playwright-core';
import { createUser, loginUi, shot, useBrowser } from '../support/browser';
import { Session, unique } from '../support/http';

const TEXT = {
  en: { related: 'Related', mergedInto: 'Merged into', mergedHere: 'Merged here', merge: 'Merge this ticket into it', unwatch: 'Stop watching' },
  fr: { related: 'Lié', mergedInto: 'Fusionné dans', mergedHere: 'Fusionné ici', merge: 'Fusionner ce ticket dans celui-ci', unwatch: 'Ne plus observer' },
} as const;
const { openPage } = useBrowser();

async function pickTicket(page: Page, number: string): Promise<void> {
  const input = page.getByTestId('link-ticket').locator('input');
  await input.fill(number);
  await page.getByRole('option', { name: new RegExp(number) }).click();
}

describe.each(['en', 'fr'] as const)('links and merges (%s)', (locale) => {
  it('should watch, link a related ticket by number and merge the ticket into another', async () => {
    const text = TEXT[locale];
    const agent = await createUser('agent', locale, unique('Lina Linker'));
    const colleague = await createUser('agent', locale, unique('Colin Colleague'));
    const staff = await Session.login(agent.email, agent.password);
    const open = (title: string) => staff.post('/api/tickets', { type: 'incident', title: unique(title), priority: 'medium' }).then((r) => r.body);
    const [dup, related, survivor] = [await open('Screen flickers'), await open('Docking station'), await open('Monitor broken')];
    expect((await staff.post(`/api/tickets/${dup.id}/comments`, { body: `Flicker details ${locale}`, visibility: 'public' })).status).toBe(201);

    const { page, errors } = await openPage(locale);
    await loginUi(page, agent.email, agent.password);
    await page.goto(`/tickets/${dup.id}`);
    const watchers = page.getByTestId('ticket-watchers');
    await watchers.getByTestId('watch-toggle').click();
    await watchers.getByTestId('watcher').filter({ hasText: agent.name }).waitFor();
    await watchers.getByTestId('watch-toggle').filter({ hasText: text.unwatch }).waitFor();
    await watchers.getByTestId('watcher-search').locator('input').fill(colleague.name.slice(0, 12));
    await page.getByRole('option', { name: new RegExp(colleague.name) }).click();
    await watchers.getByTestId('watcher-add').click();
    await watchers.getByTestId('watcher').filter({ hasText: colleague.name }).waitFor();

    const links = page.getByTestId('ticket-links');
    await pickTicket(page, related.number);
    await links.getByTestId('link-submit').click();
    await links.getByTestId('ticket-link').filter({ hasText: `${text.related}${related.number}` }).waitFor();
    await shot(page, `links-panel-${locale}`);
    expect((await staff.get(`/api/tickets/${related.id}`)).body.links).toEqual([{ kind: 'related', ticketId: dup.id, number: dup.number }]);

    await links.getByTestId('link-relation').click();
    await page.getByRole('option', { name: text.merge, exact: true }).click();
    await pickTicket(page, survivor.number);
    await links.getByTestId('link-submit').click();
    const dialog = page.getByTestId('merge-dialog');
    await dialog.getByText(dup.number).first().waitFor();
    await shot(page, `links-merge-dialog-${locale}`);
    await dialog.getByTestId('merge-confirm').click();
    await dialog.waitFor({ state: 'hidden' });
    await links.getByTestId('ticket-link').filter({ hasText: `${text.mergedInto}${survivor.number}` }).waitFor();
    await page.locator('[data-testid="ticket-state"][data-state="closed"]').waitFor();

    await links.getByRole('link', { name: survivor.number }).click();
    await page.waitForURL(`**/tickets/${survivor.id}`);
    await page.getByTestId('timeline-item').filter({ hasText: `Flicker details ${locale}` }).waitFor();
    await page.getByTestId('ticket-links').getByTestId('ticket-link').filter({ hasText: `${text.mergedHere}${dup.number}` }).waitFor();
    await page.getByTestId('ticket-watchers').getByTestId('watcher').filter({ hasText: colleague.name }).waitFor();
    await shot(page, `links-survivor-${locale}`);
    expect(errors).toEqual([]);
  });
});
