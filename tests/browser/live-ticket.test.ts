// Two agents and a customer on one ticket in Chromium, in English and French: the agents see each other and who is
// typing; a customer's reply and a colleague's state change appear on the open pages without reload; and a reply begun
// before a colleague answered is held back once with who answered, then goes through.
import { createUser, loginUi, shot, useBrowser } from '../support/browser';
import { Session, unique } from '../support/http';

const TEXT = {
  en: { stale: 'answered or changed the ticket', inProgress: 'In progress', typing: 'is writing a reply' },
  fr: { stale: 'ont répondu ou modifié le ticket', inProgress: 'En cours', typing: 'rédige une réponse' },
} as const;

const { openPage } = useBrowser();

describe.each(['en', 'fr'] as const)('live ticket page (%s)', (locale) => {
  const text = TEXT[locale];

  it('should show who else is on the ticket, bring changes in live, and hold back a reply that missed one', async () => {
    const marie = await createUser('agent', locale, unique('Marie'));
    const paul = await createUser('agent', locale, unique('Paul'));
    const claire = await createUser('customer', locale, unique('Claire'));
    const customer = await Session.login(claire.email, claire.password);
    const title = unique(`VPN drops every hour ${locale}`);
    const ticket = await customer.post('/api/tickets', { type: 'incident', title, priority: 'high' });
    const id = ticket.body.id as string;

    const a = await openPage(locale);
    const b = await openPage(locale);
    await loginUi(a.page, marie.email, marie.password);
    await loginUi(b.page, paul.email, paul.password);
    await a.page.goto(`/tickets/${id}`);
    await b.page.goto(`/tickets/${id}`);
    await a.page.getByTestId('ticket-title').filter({ hasText: title }).waitFor();

    // Each sees the other; Marie starts a reply and Paul sees her typing.
    await a.page.getByTestId('presence-viewer').filter({ hasText: paul.name }).waitFor();
    await b.page.getByTestId('presence-viewer').filter({ hasText: marie.name }).waitFor();
    await a.page.getByTestId('comment-body').fill('Have you tried another network?');
    await b.page.getByTestId('presence-typing').filter({ hasText: text.typing }).filter({ hasText: marie.name }).waitFor();
    await shot(b.page, `live-ticket-presence-${locale}`);

    // The customer writes and Paul starts work: both appear on Marie's open page without a reload.
    expect((await customer.post(`/api/tickets/${id}/comments`, { body: 'It dropped again at 10:00' })).status).toBe(201);
    await a.page.getByTestId('timeline-item').filter({ hasText: 'It dropped again at 10:00' }).waitFor();
    await b.page.getByTestId('transition-start').click();
    await a.page.locator('[data-testid="ticket-state"][data-state="in_progress"]').filter({ hasText: text.inProgress }).waitFor();
    // What Marie may do next follows the new state.
    await a.page.getByTestId('transition-start').waitFor({ state: 'detached' });

    // Marie began her reply before both: sending holds it back once and names who she missed; sending again takes it.
    await a.page.getByTestId('comment-submit').click();
    const stale = a.page.getByTestId('comment-stale');
    await stale.filter({ hasText: text.stale }).waitFor();
    expect(await stale.textContent()).toContain(paul.name);
    await stale.evaluate((el) => Promise.all(el.getAnimations({ subtree: true }).map((x) => x.finished)));
    await shot(a.page, `live-ticket-stale-${locale}`);
    expect(await a.page.getByTestId('comment-body').inputValue()).toBe('Have you tried another network?');
    await a.page.getByTestId('comment-submit').click();
    await a.page.getByTestId('timeline-item').filter({ hasText: 'Have you tried another network?' }).waitFor();
    await stale.waitFor({ state: 'detached' });
    // Paul's page shows Marie's reply too.
    await b.page.getByTestId('timeline-item').filter({ hasText: 'Have you tried another network?' }).waitFor();

    // When Paul leaves, Marie's page stops showing him.
    await b.page.close();
    await a.page.getByTestId('presence').waitFor({ state: 'detached' });
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it('should show an agent\'s reply live on the customer\'s portal page', async () => {
    const claire = await createUser('customer', locale, unique('Claire'));
    const customer = await Session.login(claire.email, claire.password);
    const agent = await createUser('agent', locale, unique('Agent'));
    const staff = await Session.login(agent.email, agent.password);
    const title = unique(`Screen flickers ${locale}`);
    const ticket = await customer.post('/api/tickets', { type: 'incident', title, priority: 'medium' });
    const { page, errors } = await openPage(locale);
    await loginUi(page, claire.email, claire.password);
    await page.goto(`/portal/tickets/${ticket.body.id}`);
    await page.getByTestId('ticket-title').filter({ hasText: title }).waitFor();
    expect((await staff.post(`/api/tickets/${ticket.body.id}/comments`, { body: 'A technician comes at 14:00', visibility: 'public' })).status).toBe(201);
    expect((await staff.post(`/api/tickets/${ticket.body.id}/comments`, { body: 'INTERNAL: spare screen in stock', visibility: 'internal' })).status).toBe(201);
    await page.getByTestId('timeline-item').filter({ hasText: 'A technician comes at 14:00' }).waitFor();
    expect(await page.getByText('INTERNAL: spare screen in stock').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
