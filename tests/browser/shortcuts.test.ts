// The ticket page's keyboard in Chromium, in English and French: next and previous ticket of the queue, assign to me,
// reply, switch to an internal note, send with Ctrl+Enter, and the list of keys.
import { createUser, loginUi, shot, useBrowser } from '../support/browser';
import { ADMIN, Session, unique, userByEmail } from '../support/http';

const TEXT = {
  en: { title: 'Keyboard shortcuts', internal: 'Internal' },
  fr: { title: 'Raccourcis clavier', internal: 'Interne' },
} as const;

const { openPage } = useBrowser();

describe.each(['en', 'fr'] as const)('ticket page keys (%s)', (locale) => {
  const text = TEXT[locale];

  it('should move through the queue, assign, reply internally and list the keys, from the keyboard', async () => {
    const admin = await Session.login(ADMIN.email, ADMIN.password);
    // Two fresh tickets, and the queue searched down to them: what else the desk holds cannot come between them.
    const tag = unique(`keys${locale}`).replace(/-/g, '');
    for (const n of [1, 2]) expect((await admin.post('/api/tickets', { type: 'incident', title: `${tag} ticket ${n}`, priority: 'high' })).status).toBe(201);
    const agent = await createUser('agent', locale, 'Kim Keys');
    const { page, errors } = await openPage(locale);
    await loginUi(page, agent.email, agent.password);
    await page.goto('/tickets');
    await page.getByTestId('ticket-search').fill(tag);
    const rows = page.getByTestId('ticket-row');
    // The whole queue shows until the search answers, and it may hold both tickets too: wait until only they are left.
    await rows.filter({ hasText: `${tag} ticket 2` }).waitFor();
    await rows.filter({ hasText: `${tag} ticket 1` }).waitFor();
    await rows.filter({ hasNotText: tag }).first().waitFor({ state: 'detached' });
    await rows.nth(2).waitFor({ state: 'detached' });
    const idOf = async (i: number) => (await rows.nth(i).getByTestId('ticket-number').getAttribute('href'))!.split('/').pop()!;
    const [first, second] = [await idOf(0), await idOf(1)];
    await rows.nth(0).getByTestId('ticket-number').click();
    await page.waitForURL(new RegExp(`/tickets/${first}$`));
    await page.getByTestId('ticket-properties').waitFor();

    await page.keyboard.press('j');
    await page.waitForURL(new RegExp(`/tickets/${second}$`));
    await page.getByTestId('ticket-properties').waitFor();
    await page.keyboard.press('k');
    await page.waitForURL(new RegExp(`/tickets/${first}$`));
    await page.getByTestId('prop-assignee').waitFor();

    await page.keyboard.press('a');
    await page.getByTestId('prop-assignee').filter({ hasText: 'Kim Keys' }).waitFor();

    await page.keyboard.press('i');
    await page.keyboard.press('r');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('comment-body');
    const note = unique('Checked the logs');
    await page.keyboard.type(note);
    await page.keyboard.press('Control+Enter');
    await page.getByTestId('timeline-item').filter({ hasText: note }).filter({ hasText: text.internal }).waitFor();

    await page.getByTestId('comment-body').blur();
    await page.keyboard.press('?');
    await page.getByTestId('shortcuts-help').filter({ hasText: text.title }).waitFor();
    await shot(page, `ticket-shortcuts-${locale}`);
    const stored = (await admin.get(`/api/tickets/${first}`)).body;
    expect(stored.assigneeId).toBe((await userByEmail(admin, agent.email)).id);
    expect(errors).toEqual([]);
  });
});
