// End-to-end journeys in a real Chromium against the shared desk, each in English and in French.
import type { Page } from 'playwright-core';
import { createUser, loginUi, useBrowser, shot } from '../support/browser';
import { ADMIN, Session, unique } from '../support/http';

// The words each journey expects on screen, per locale (mirrors web/src/i18n).
const TEXT = {
  en: {
    signIn: 'Sign in',
    emailLabel: 'Email or user name',
    passwordLabel: 'Password',
    loginFailed: 'Sign-in failed.',
    myRequests: 'My requests',
    submitRequest: 'Submit a request',
    high: 'High',
    critical: 'Critical',
    low: 'Low',
    submitted: 'Request',
    conversation: 'Conversation',
    tickets: 'Tickets',
    timeline: 'Timeline',
    startLabel: 'Start work',
    resolveLabel: 'Resolve',
    resolutionLabel: 'Resolution',
    fieldsRequired: 'Fill in every field.',
    sendReply: 'Send reply',
    internalNote: 'Internal note',
    internalTag: 'Internal',
    otherLanguage: 'Français',
    otherSignIn: 'Connexion',
  },
  fr: {
    signIn: 'Connexion',
    emailLabel: 'Adresse e-mail ou identifiant',
    passwordLabel: 'Mot de passe',
    loginFailed: 'La connexion a échoué.',
    myRequests: 'Mes demandes',
    submitRequest: 'Soumettre une demande',
    high: 'Haute',
    critical: 'Critique',
    low: 'Basse',
    submitted: 'Demande',
    conversation: 'Échanges',
    tickets: 'Tickets',
    timeline: 'Historique',
    startLabel: 'Prendre en charge',
    resolveLabel: 'Résoudre',
    resolutionLabel: 'Résolution',
    fieldsRequired: 'Remplissez tous les champs.',
    sendReply: 'Envoyer la réponse',
    internalNote: 'Note interne',
    internalTag: 'Interne',
    otherLanguage: 'English',
    otherSignIn: 'Sign in',
  },
} as const;

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

const { openPage } = useBrowser();
let admin: Session;

beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
}, 60_000);

/** Picks `label` in a PrimeVue Select identified by its data-testid. */
async function choose(page: Page, testId: string, label: string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: label, exact: true }).click();
  await expectText(page.getByTestId(testId), label);
}

async function expectText(locator: ReturnType<Page['locator']>, text: string): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor();
}

/** Clicks "Load more" until a row with `title` is in the agent list (other suites may have filled the queue). */
async function rowIndex(page: Page, title: string): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const titles = await page.getByTestId('ticket-row-title').allTextContents();
    const at = titles.findIndex((t) => t.trim() === title);
    if (at !== -1) return at;
    const more = page.getByTestId('load-more');
    if (!(await more.isVisible())) break;
    const before = titles.length;
    await more.click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="ticket-row-title"]').length > n, before);
  }
  throw new Error(`ticket "${title}" is not in the list`);
}

describe.each(['en', 'fr'] as const)('browser journeys (%s)', (locale) => {
  const text = TEXT[locale];

  it('should show a customer the public reply on their portal request but never the internal note', async () => {
    const customer = await createUser('customer', locale, 'Camille Client');
    const agentUser = await createUser('agent', locale, 'Alex Agent');
    const { page, errors } = await openPage(locale);
    // Every API body the customer's browser receives, to prove the note never even reaches it.
    const bodies: string[] = [];
    page.on('response', async (r) => {
      if (r.url().includes('/api/')) bodies.push(await r.text().catch(() => ''));
    });

    await page.goto('/portal');
    await page.waitForURL(/\/login/);
    await page.getByRole('heading', { name: text.signIn }).waitFor();
    await loginUi(page, customer.email, customer.password);
    await page.waitForURL(/\/portal$/);
    await page.getByRole('heading', { name: text.myRequests }).waitFor();
    await page.getByRole('heading', { name: text.submitRequest }).waitFor();

    // The portal offers only what the API accepts from a customer: incidents and service requests, no problems.
    await page.getByTestId('new-ticket-type').click();
    await page.getByRole('option').first().waitFor();
    expect(await page.getByRole('option').count()).toBe(2);
    await page.keyboard.press('Escape');

    const title = unique(`VPN down ${locale}`);
    await page.getByTestId('new-ticket-title').fill(title);
    await page.getByTestId('new-ticket-description').fill('Since this morning the VPN refuses my password.');
    await choose(page, 'new-ticket-priority', text.high);
    await page.getByTestId('new-ticket-submit').click();
    const created = page.getByTestId('ticket-created');
    await expectText(created, text.submitted);
    await page.getByTestId('ticket-row').filter({ hasText: title }).waitFor();
    await created.getByRole('link').click();
    await page.waitForURL(/\/portal\/tickets\//);
    const id = UUID.exec(page.url())![0];
    await expectText(page.getByTestId('ticket-title'), title);

    // The agent answers through the API: one public reply, one internal note.
    const agent = await Session.login(agentUser.email, agentUser.password);
    const publicReply = unique('Please restart the VPN client and try again');
    const internalNote = unique('SECRET internal: user account was locked by the SOC');
    expect((await agent.post(`/api/tickets/${id}/comments`, { body: publicReply, visibility: 'public' })).status).toBe(201);
    expect((await agent.post(`/api/tickets/${id}/comments`, { body: internalNote, visibility: 'internal' })).status).toBe(201);
    const staffView = await agent.get(`/api/tickets/${id}/timeline`);
    expect(JSON.stringify(staffView.body)).toContain(internalNote);

    await page.reload();
    await page.getByRole('heading', { name: text.conversation }).waitFor();
    await page.getByTestId('timeline-item').filter({ hasText: publicReply }).waitFor();
    await shot(page, `portal-ticket-${locale}`);

    expect(await page.getByText(internalNote).count()).toBe(0);
    expect(await page.content()).not.toContain(internalNote);
    expect(await page.getByTestId('timeline-item').filter({ hasText: text.internalTag }).count()).toBe(0);
    expect(bodies.join('\n')).not.toContain(internalNote);
    expect(bodies.join('\n')).toContain(publicReply);
    expect(await page.getByTestId('comment-visibility').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('should offer a customer the transitions their definition grants them, and take one from the portal', async () => {
    const customer = await createUser('customer', locale, 'Claude Client');
    const me = await Session.login(customer.email, customer.password);
    const title = unique(`Printer fixed? ${locale}`);
    const id = (await me.post('/api/tickets', { type: 'incident', title, priority: 'low' })).body.id as string;
    expect((await admin.post(`/api/tickets/${id}/transitions`, { transition: 'start' })).status).toBe(200);
    expect((await admin.post(`/api/tickets/${id}/transitions`, { transition: 'resolve', fields: { resolution: 'Toner replaced' } })).status).toBe(200);

    const { page, errors } = await openPage(locale);
    await page.goto('/login');
    await loginUi(page, customer.email, customer.password);
    await page.goto(`/portal/tickets/${id}`);
    const actions = page.getByTestId('portal-actions');
    await actions.getByTestId('transition-reopen').waitFor();
    await actions.getByTestId('transition-close').waitFor();
    // Agents-only moves are never offered to the customer.
    expect(await actions.getByTestId('transition-resolve').count()).toBe(0);
    await shot(page, `portal-actions-${locale}`);
    await actions.getByTestId('transition-reopen').click();
    await page.locator('[data-testid="ticket-state"][data-state="in_progress"]').waitFor();
    expect((await me.get(`/api/tickets/${id}`)).body.state).toBe('in_progress');
    expect(errors).toEqual([]);
  });

  it('should let a customer confirm the resolution from the portal, then rate it', async () => {
    const customer = await createUser('customer', locale, 'Claude Client');
    const me = await Session.login(customer.email, customer.password);
    const id = (await me.post('/api/tickets', { type: 'incident', title: unique(`Scanner fixed? ${locale}`), priority: 'low' })).body.id as string;
    expect((await admin.post(`/api/tickets/${id}/transitions`, { transition: 'resolve', fields: { resolution: 'Driver reinstalled' } })).status).toBe(200);

    const { page, errors } = await openPage(locale);
    await loginUi(page, customer.email, customer.password);
    await page.goto(`/portal/tickets/${id}`);
    await page.getByTestId('portal-actions').getByTestId('transition-close').click();
    await page.locator('[data-testid="ticket-state"][data-state="closed"]').waitFor();
    expect((await me.get(`/api/tickets/${id}`)).body.stateCategory).toBe('closed');
    // Closed, the request asks how it went.
    await page.getByTestId('rating-star-5').waitFor();
    expect(errors).toEqual([]);
  });

  it('should let an agent work the queue: priority order, start, resolve with a resolution, and reply', async () => {
    const agentUser = await createUser('agent', locale, 'Alex Agent');
    // The low ticket is created first, so only priority can put the critical one above it.
    const lowTitle = unique(`Low printer toner ${locale}`);
    const criticalTitle = unique(`Critical mail outage ${locale}`);
    const low = await admin.post('/api/tickets', { type: 'incident', title: lowTitle, priority: 'low' });
    const critical = await admin.post('/api/tickets', { type: 'incident', title: criticalTitle, description: 'Nobody receives mail.', priority: 'critical' });
    expect([low.status, critical.status]).toEqual([201, 201]);

    const { page, errors } = await openPage(locale);
    await page.goto('/login');
    await page.getByRole('heading', { name: text.signIn }).waitFor();
    await loginUi(page, agentUser.email, agentUser.password);
    await page.waitForURL(/\/tickets$/);
    await page.getByRole('heading', { name: text.tickets }).waitFor();
    await page.getByTestId('ticket-row').first().waitFor();

    const criticalAt = await rowIndex(page, criticalTitle);
    const lowAt = await rowIndex(page, lowTitle);
    expect(criticalAt).toBeLessThan(lowAt);
    const rank: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };
    const priorities = await page.locator('[data-testid="ticket-row"] [data-priority]').evaluateAll((els) => els.map((e) => e.getAttribute('data-priority')!));
    for (let i = 1; i < priorities.length; i++) expect(rank[priorities[i - 1]]).toBeLessThanOrEqual(rank[priorities[i]]);
    await expectText(page.getByTestId('ticket-row').nth(criticalAt), text.critical);
    await expectText(page.getByTestId('ticket-row').nth(lowAt), text.low);
    await shot(page, `agent-queue-${locale}`);

    await page.getByTestId('ticket-row').nth(criticalAt).getByTestId('ticket-row-title').click();
    await page.waitForURL(new RegExp(`/tickets/${critical.body.id}$`));
    await expectText(page.getByTestId('ticket-title'), criticalTitle);
    const state = page.getByTestId('ticket-state');
    await page.locator('[data-testid="ticket-state"][data-state="new"]').waitFor();
    await page.getByRole('heading', { name: text.timeline }).waitFor();
    // SLA clocks must show a real duration, whatever the locale.
    const slaText = (await page.locator('[data-testid^="sla-"]').allTextContents()).join(' ');
    expect(slaText).not.toMatch(/NaN|undefined/);

    const start = page.getByTestId('transition-start');
    await expectText(start, text.startLabel);
    await start.click();
    await page.locator('[data-testid="ticket-state"][data-state="in_progress"]').waitFor();
    // The state shows the definition's own label in the user's language, not its key.
    await expectText(state, locale === 'fr' ? 'En cours' : 'In progress');
    // The timeline names the transition and states by their labels too.
    await page.getByTestId('timeline-item').filter({ hasText: locale === 'fr' ? 'Prendre en charge : Nouveau → En cours' : 'Start work: New → In progress' }).waitFor();

    // Waiting on the customer pauses the clocks, and each clock says which state holds it.
    await page.getByTestId('transition-wait_for_customer').click();
    await page.getByTestId('field-pending_reason').fill('The error message on screen');
    await page.getByTestId('transition-confirm').click();
    await page.locator('[data-testid="ticket-state"][data-state="pending_customer"]').waitFor();
    await expectText(page.getByTestId('sla-resolution'), locale === 'fr' ? 'en pause tant que « En attente du client »' : 'paused while Waiting on customer');
    await page.getByTestId('transition-customer_replied').click();
    await page.locator('[data-testid="ticket-state"][data-state="in_progress"]').waitFor();
    await expectText(page.getByTestId('sla-resolution'), locale === 'fr' ? 'restant' : 'left');

    const resolve = page.getByTestId('transition-resolve');
    await expectText(resolve, text.resolveLabel);
    await resolve.click();
    const dialog = page.getByRole('dialog', { name: text.resolveLabel });
    await dialog.waitFor();
    await dialog.getByText(text.resolutionLabel, { exact: true }).waitFor();
    // Confirming with the required field empty keeps the dialog open and says why.
    await page.getByTestId('transition-confirm').click();
    await expectText(page.getByTestId('transition-hint'), text.fieldsRequired);
    await page.getByTestId('field-resolution').fill('Restarted the mail relay');
    await page.getByTestId('transition-confirm').click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('[data-testid="ticket-state"][data-state="resolved"]').waitFor();
    // Resolving stops the clocks: they show a result, not a countdown.
    await expectText(page.getByTestId('sla-resolution'), locale === 'fr' ? 'Résolution : respecté' : 'Resolution: met');
    await page.getByTestId('timeline-item').filter({ hasText: locale === 'fr' ? 'Résoudre : En cours → Résolu' : 'Resolve: In progress → Resolved' }).waitFor();

    const reply = unique('Mail flows again, sorry for the trouble');
    await page.getByTestId('comment-body').fill(reply);
    await expectText(page.getByTestId('comment-submit'), text.sendReply);
    await page.getByTestId('comment-submit').click();
    await page.getByTestId('timeline-item').filter({ hasText: reply }).waitFor();
    await expect(page.getByTestId('comment-body').inputValue()).resolves.toBe('');

    // An internal note from the same box is labelled as internal in the agent's timeline.
    const note = unique('Root cause: expired relay certificate');
    await page.getByTestId('comment-body').fill(note);
    await page.getByTestId('comment-visibility').getByText(text.internalNote, { exact: true }).click();
    await page.getByTestId('comment-submit').click();
    const noteItem = page.getByTestId('timeline-item').filter({ hasText: note });
    await noteItem.waitFor();
    await expectText(noteItem, text.internalTag);
    await shot(page, `agent-ticket-${locale}`);

    const types = await page.getByTestId('timeline-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
    expect(types).toEqual(['created', 'transitioned', 'transitioned', 'transitioned', 'transitioned', 'commented', 'commented']);
    await expect(state.getAttribute('data-state')).resolves.toBe('resolved');

    const after = await admin.get(`/api/tickets/${critical.body.id}`);
    expect(after.body).toMatchObject({ state: 'resolved', fields: { resolution: 'Restarted the mail relay' } });
    expect(errors).toEqual([]);
  });

  it('should send an anonymous visit to /tickets to the login page and refuse a wrong password', async () => {
    const { page, errors } = await openPage(locale);
    await page.goto('/tickets');
    await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('redirect') === '/tickets');
    await page.getByRole('heading', { name: text.signIn }).waitFor();
    await page.getByLabel(text.emailLabel, { exact: true }).waitFor();
    await page.getByLabel(text.passwordLabel, { exact: true }).waitFor();

    await page.getByTestId('login-email').fill(ADMIN.email);
    await page.getByTestId('login-password').fill('definitely-not-the-password');
    await page.getByTestId('login-submit').click();
    const failure = page.getByTestId('login-error');
    await expectText(failure, text.loginFailed);
    await shot(page, `login-error-${locale}`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await expect(page.getByTestId('login-password').inputValue()).resolves.toBe('');
    expect(await page.getByTestId('logout').count()).toBe(0);

    // The language picker switches the page at once; switch back so the right password is typed in this locale.
    await choose(page, 'locale-picker', text.otherLanguage);
    await page.getByRole('heading', { name: text.otherSignIn }).waitFor();
    await choose(page, 'locale-picker', locale === 'fr' ? 'Français' : 'English');
    await page.getByRole('heading', { name: text.signIn }).waitFor();

    // The right password then honours the redirect back to /tickets.
    await page.getByTestId('login-password').fill(ADMIN.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL((url) => url.pathname === '/tickets');
    await page.getByTestId('logout').waitFor();
    expect(errors).toEqual([]);
  });
});
