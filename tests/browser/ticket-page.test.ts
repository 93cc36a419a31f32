// The agent's ticket page in Chromium, in English and French: a phone caller's ticket opened for a customer added on the
// spot, assigned to a colleague from the properties panel, a field refused then saved, and the ticket resolved.
import type { Page } from 'playwright-core';
import { loginUi, shot, useBrowser } from '../support/browser';
import { ADMIN, Session, unique } from '../support/http';

const TEXT = {
  en: { resolveOnCall: 'Resolve', conversation: 'Conversation', changes: 'Changes', everything: 'Everything', phone: 'Phone', resolve: 'Resolve', resolved: 'Resolved', opened: 'Opened as Incident, priority Medium, in “New”', moved: 'Resolve: New → Resolved', fieldChange: 'Resolution: — → Replaced the card reader' },
  fr: { resolveOnCall: 'Résoudre', conversation: 'Conversation', changes: 'Modifications', everything: 'Tout', phone: 'Téléphone', resolve: 'Résoudre', resolved: 'Résolu', opened: 'Ouvert comme Incident, priorité Moyenne, état « Nouveau »', moved: 'Résoudre : Nouveau → Résolu', fieldChange: 'Résolution : — → Replaced the card reader' },
} as const;

const { openPage } = useBrowser();
let admin: Session;
let colleague: { id: string; name: string };
let me: { email: string; password: string };

beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
  const make = async (label: string) => {
    const email = `${unique(label)}@example.test`;
    const name = unique(label.replace(/^./, (c) => c.toUpperCase()));
    const res = await admin.post('/api/users', { email, name, role: 'agent', password: 'a-long-password-1' });
    expect(res.status).toBe(201);
    return { id: res.body.id as string, name, email, password: 'a-long-password-1' };
  };
  colleague = await make('colleague');
  me = await make('phone-agent');
});

async function choose(page: Page, testId: string, label: string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: label, exact: true }).click();
}

describe.each(['en', 'fr'] as const)('agent ticket page (%s)', (locale) => {
  const text = TEXT[locale];

  it('should open a ticket for a phone caller added on the spot, assign it, refuse then save a field, and resolve it', async () => {
    const { page, errors } = await openPage(locale);
    await loginUi(page, me.email, me.password);
    await page.goto('/tickets');
    await page.getByTestId('new-ticket').click();

    // The caller is new: added inline, then chosen as the requester.
    const caller = { name: unique(`Caller ${locale}`), email: `${unique('caller')}@example.test`, phone: '+33 6 12 34 56 78' };
    await page.getByTestId('requester-new').click();
    await page.getByTestId('requester-new-name').fill(caller.name);
    await page.getByTestId('requester-new-email').fill(caller.email);
    await page.getByTestId('requester-new-phone').fill(caller.phone);
    await page.getByTestId('requester-new-save').click();
    await page.getByTestId('requester-chosen').filter({ hasText: caller.email }).waitFor();
    await choose(page, 'new-ticket-channel', text.phone);
    const title = unique(`Card reader down ${locale}`);
    await page.getByTestId('new-ticket-title').fill(title);
    await page.getByTestId('new-ticket-submit').click();
    await page.getByTestId('ticket-created').getByRole('link').click();
    await page.waitForURL(/\/tickets\/[0-9a-f-]{36}$/);
    const id = page.url().split('/').pop()!;

    // The properties panel knows who called and how.
    const panel = page.getByTestId('ticket-properties');
    await panel.getByTestId('requester-email').filter({ hasText: caller.email }).waitFor();
    await panel.getByTestId('requester-phone').filter({ hasText: caller.phone }).waitFor();
    await panel.getByTestId('ticket-channel').filter({ hasText: text.phone }).waitFor();

    // Assigned to a colleague from the picker.
    await page.getByTestId('prop-assignee').click();
    await page.getByRole('option', { name: colleague.name, exact: true }).click();
    await page.getByTestId('prop-assignee').filter({ hasText: colleague.name }).waitFor();

    // A resolution too short is refused next to the field, and nothing is stored; a real one is saved.
    const resolution = page.getByTestId('prop-field-resolution');
    await resolution.getByRole('textbox').fill('ok');
    await page.getByTestId('prop-field-resolution-save').click();
    await page.getByTestId('prop-field-resolution-error').waitFor();
    expect((await admin.get(`/api/tickets/${id}`)).body.fields.resolution).toBeUndefined();
    await resolution.getByRole('textbox').fill('Replaced the card reader');
    await page.getByTestId('prop-field-resolution-save').click();
    await page.getByTestId('prop-field-resolution-error').waitFor({ state: 'detached' });
    await page.getByTestId('timeline-item').filter({ hasText: 'Replaced the card reader' }).waitFor();

    // Resolving asks for the resolution, already filled in with the one just saved.
    await page.getByRole('button', { name: text.resolve, exact: true }).click();
    await page.getByTestId('transition-dialog').waitFor();
    expect(await page.getByTestId('transition-dialog').getByRole('textbox').first().inputValue()).toBe('Replaced the card reader');
    await page.getByTestId('transition-confirm').click();
    await page.getByTestId('ticket-state').filter({ hasText: text.resolved }).waitFor();
    await page.getByTestId('transition-dialog').waitFor({ state: 'detached' });
    // The timeline reads as sentences in the viewer's language, with the field change as before → after.
    // Fields are named by their label in the viewer's language, not their key.
    await page.getByTestId('timeline-item').filter({ hasText: text.fieldChange }).first().waitFor();
    await page.getByTestId('timeline-item').filter({ hasText: text.opened }).waitFor();
    await page.getByTestId('timeline-item').filter({ hasText: text.moved }).waitFor();
    expect(await page.getByTestId('timeline-item').filter({ hasText: 'in_progress' }).count()).toBe(0);

    // A reply, then the timeline filtered to the conversation, to the changes, and compact.
    await page.getByTestId('comment-body').fill('We replaced the reader, please try again');
    await page.getByTestId('comment-body').press('Control+Enter');
    const items = page.getByTestId('timeline-item');
    await items.filter({ hasText: 'We replaced the reader' }).waitFor();
    await page.getByTestId('timeline-filter').getByText(text.conversation, { exact: true }).click();
    await items.filter({ hasText: text.moved }).waitFor({ state: 'detached' });
    expect(await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')))).toEqual(['conversation']);
    await page.getByTestId('timeline-filter').getByText(text.changes, { exact: true }).click();
    await items.filter({ hasText: 'We replaced the reader' }).waitFor({ state: 'detached' });
    expect(await items.filter({ hasText: text.moved }).count()).toBe(1);
    await page.getByTestId('timeline-filter').getByText(text.everything, { exact: true }).click();
    await page.getByTestId('timeline-compact').click();
    await page.locator('.timeline.compact').waitFor();
    await shot(page, `agent-ticket-page-${locale}`);

    const stored = (await admin.get(`/api/tickets/${id}`)).body;
    expect(stored).toMatchObject({ assigneeId: colleague.id, stateCategory: 'resolved', fields: { resolution: 'Replaced the card reader' } });
    const context = (await admin.get(`/api/tickets/${id}/context`)).body;
    expect(context).toMatchObject({ channel: 'phone', requester: { email: caller.email, phone: caller.phone } });
    expect(errors).toEqual([]);
  });

  it('should resolve a walk-in\'s request on the spot, from the New ticket dialog', async () => {
    const { page, errors } = await openPage(locale);
    await loginUi(page, me.email, me.password);
    await page.goto('/tickets');
    await page.getByTestId('new-ticket').click();
    const title = unique(`Forgot badge ${locale}`);
    await page.getByTestId('new-ticket-title').fill(title);
    await choose(page, 'new-ticket-then', text.resolveOnCall);
    await page.getByTestId('new-ticket-then-resolution').fill('Printed a temporary badge');
    await shot(page, `new-ticket-then-${locale}`);
    await page.getByTestId('new-ticket-submit').click();
    await page.getByTestId('ticket-created').getByRole('link').click();
    await page.getByTestId('ticket-state').filter({ hasText: text.resolved }).waitFor();
    const id = page.url().split('/').pop()!;
    expect((await admin.get(`/api/tickets/${id}`)).body).toMatchObject({ stateCategory: 'resolved', fields: { resolution: 'Printed a temporary badge' } });
    expect(errors).toEqual([]);
  });
});
