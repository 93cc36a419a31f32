// Searching the conversation in Chromium, in English and French: a word of a customer's comment (stemmed differently)
// finds its ticket in the queue, and the row shows the comment's extract with the word marked.
import { createUser, loginUi, shot, useBrowser } from '../support/browser';
import { Session, unique } from '../support/http';

const { openPage } = useBrowser();

describe.each(['en', 'fr'] as const)('conversation search (%s)', (locale) => {
  it('should find a ticket by a word of its conversation and show the matching extract', async () => {
    const agent = await createUser('agent', locale, unique('Sam Searcher'));
    const customer = await createUser('customer', locale, unique('Chris Customer'));
    const theirs = await Session.login(customer.email, customer.password);
    const word = unique('flumox').replace(/[^a-z]/g, '');
    const t = (await theirs.post('/api/tickets', { type: 'incident', title: unique('Office issue'), priority: 'low' })).body;
    const body = locale === 'fr' ? `Les imprimantes ${word} du deuxième étage sont bloquées.` : `The ${word} printers on the second floor are jammed.`;
    expect((await theirs.post(`/api/tickets/${t.id}/comments`, { body })).status).toBe(201);

    const { page, errors } = await openPage(locale);
    await loginUi(page, agent.email, agent.password);
    await page.goto('/tickets');
    await page.getByTestId('ticket-search').fill(locale === 'fr' ? `imprimante ${word}` : `${word} printer`);
    const row = page.getByTestId('ticket-row').filter({ hasText: t.title });
    await row.getByTestId('ticket-row-match').locator('mark', { hasText: locale === 'fr' ? 'imprimantes' : 'printers' }).waitFor();
    expect(await page.getByTestId('ticket-row').count()).toBe(1);
    await shot(page, `search-conversation-${locale}`);
    expect(errors).toEqual([]);
  });
});
