// The service catalogue in Chromium, in both languages: an admin designs an offering whose form has a field shown only
// for one answer (a bad pattern is refused at its field first), publishes it; a customer finds it in the portal
// catalogue, is stopped by the form's own check, submits it; the agent reads the answers on the ticket.
import type { Page } from 'playwright-core';
import { violations } from '../support/axe';
import { createUser, loginUi, shot, useBrowser } from '../support/browser';
import { ADMIN, Session, unique } from '../support/http';

const TEXT = {
  en: { choice: 'Single choice', text: 'Text', laptop: 'Laptop', phone: 'Phone', device: 'Device', ram: 'Memory wanted', required: 'Required', summary: 'Request form', catalogue: 'Service catalogue' },
  fr: { choice: 'Choix unique', text: 'Texte', laptop: 'Portable', phone: 'Téléphone', device: 'Appareil', ram: 'Mémoire souhaitée', required: 'Obligatoire', summary: 'Formulaire de la demande', catalogue: 'Catalogue de services' },
} as const;

const { openPage } = useBrowser();

/** Picks `option` in the PrimeVue Select (or MultiSelect) marked `testId`. */
async function choose(page: Page, testId: string, option: string, multi = false): Promise<void> {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: option, exact: true }).click();
  // A multiple choice stays open for more: a click outside closes it.
  if (multi) {
    await page.mouse.click(5, 5);
    await page.locator('.p-multiselect-overlay').waitFor({ state: 'detached' });
  }
}

describe.each(['en', 'fr'] as const)('service catalogue (%s)', (locale) => {
  const text = TEXT[locale];

  it('should let an admin design and publish a form with a conditional field, a customer submit it, and the agent read it', async () => {
    const key = unique(`device-${locale}`).toLowerCase().replace(/[^a-z0-9-]/g, '-');
    const name = `Device ${key}`;
    const adminUser = await createUser('admin', locale, 'Ada Admin');
    const console_ = await openPage(locale);
    const page = console_.page;
    await loginUi(page, adminUser.email, adminUser.password);
    await page.goto('/admin/catalogue');
    await page.getByRole('heading', { name: text.catalogue, level: 1 }).waitFor();
    await page.getByTestId('offering-new').click();
    await page.getByTestId('offering-key').fill(key);
    await page.getByTestId('offering-name-en').fill(name);
    await page.getByTestId('offering-name-fr').fill(name);
    await page.getByTestId('offering-category-en').fill('Hardware');
    await page.getByTestId('offering-category-fr').fill('Matériel');
    await page.getByTestId('offering-description-en').fill('A work device');
    await page.getByTestId('offering-description-fr').fill('Un appareil de travail');
    await page.getByTestId('offering-published').click();

    // Field 1: which device (a single choice of two options).
    await choose(page, 'designer-kind-0', text.choice);
    await page.getByTestId('designer-name-0').fill('device');
    await page.getByTestId('designer-label-en-0').fill('Device');
    await page.getByTestId('designer-label-fr-0').fill('Appareil');
    await page.getByTestId('designer-option-value-0-0').fill('laptop');
    await page.getByTestId('designer-option-en-0-0').fill('Laptop');
    await page.getByTestId('designer-option-fr-0-0').fill('Portable');
    await page.getByTestId('designer-add-option-0').click();
    await page.getByTestId('designer-option-value-0-1').fill('phone');
    await page.getByTestId('designer-option-en-0-1').fill('Phone');
    await page.getByTestId('designer-option-fr-0-1').fill('Téléphone');
    // Field 2: the memory wanted, asked only for a laptop, with a pattern that is not a regular expression at first.
    await page.getByTestId('designer-add-field').click();
    await page.getByTestId('designer-name-1').fill('ram');
    await page.getByTestId('designer-label-en-1').fill('Memory wanted');
    await page.getByTestId('designer-label-fr-1').fill('Mémoire souhaitée');
    await page.getByTestId('designer-required-1').click();
    await page.getByTestId('designer-pattern-1').fill('([0-9]+ GB');
    await choose(page, 'designer-when-1', text.device);
    await choose(page, 'designer-equals-1', text.laptop, true);

    // The preview follows the condition.
    const preview = page.getByTestId('offering-preview');
    await choose(page, 'form-choice-device', text.phone);
    expect(await preview.getByTestId('form-field-ram').count()).toBe(0);
    await choose(page, 'form-choice-device', text.laptop);
    await preview.getByTestId('form-field-ram').waitFor();

    await page.getByTestId('offering-save').click();
    await page.getByTestId('designer-error-pattern-1').waitFor();
    await shot(page, `catalogue-designer-error-${locale}`);
    const admin = await Session.login(ADMIN.email, ADMIN.password);
    expect((await admin.get('/api/catalogue/offerings')).body.items.some((o: { key: string }) => o.key === key)).toBe(false);
    await page.getByTestId('designer-pattern-1').fill('^[0-9]+ GB$');
    await page.getByTestId('offering-save').click();
    await page.getByTestId('offering-saved').waitFor();
    await shot(page, `catalogue-designer-${locale}`);
    expect(await violations(page)).toEqual([]);

    // The customer's portal catalogue, searched.
    const customer = await createUser('customer', locale, 'Camille Client');
    const portal = await openPage(locale);
    await loginUi(portal.page, customer.email, customer.password);
    await portal.page.getByTestId('catalogue-link').click();
    await portal.page.getByTestId('catalogue-search').fill(key);
    await portal.page.getByTestId('catalogue-search-submit').click();
    await portal.page.getByTestId(`catalogue-item-${key}`).waitFor();
    await shot(portal.page, `catalogue-portal-${locale}`);
    expect(await violations(portal.page)).toEqual([]);
    await portal.page.getByTestId(`catalogue-item-${key}`).click();

    // The form's own check stops an empty answer, then the conditional one.
    await portal.page.getByTestId('catalogue-submit').click();
    await portal.page.getByTestId('form-error-device').filter({ hasText: text.required }).waitFor();
    await choose(portal.page, 'form-choice-device', text.laptop);
    await portal.page.getByTestId('catalogue-submit').click();
    await portal.page.getByTestId('form-error-ram').filter({ hasText: text.required }).waitFor();
    await shot(portal.page, `catalogue-request-errors-${locale}`);
    expect(await violations(portal.page)).toEqual([]);
    await portal.page.getByTestId('form-field-ram').locator('input').fill('32 GB');
    await portal.page.getByTestId('catalogue-submit').click();
    await portal.page.waitForURL(/\/portal\/tickets\//);
    await portal.page.getByTestId('request-answer-ram').filter({ hasText: '32 GB' }).waitFor();
    expect(await portal.page.getByTestId('request-answer-device').textContent()).toBe(text.laptop);
    const ticketId = portal.page.url().split('/').pop()!;

    // The agent reads the answers, labelled, in their language.
    await page.goto(`/tickets/${ticketId}`);
    await page.getByRole('heading', { name: text.summary }).waitFor();
    expect(await page.getByTestId('request-answer-ram').textContent()).toBe('32 GB');
    await shot(page, `catalogue-ticket-${locale}`);
    expect(await violations(page)).toEqual([]);
    const ticket = (await admin.get(`/api/tickets/${ticketId}`)).body;
    expect(ticket).toMatchObject({ type: 'service_request', title: name });
    expect([...console_.errors, ...portal.errors]).toEqual([]);
  });
});
