// Desk settings in Chromium: the portal offers "Critical" only once an admin turns the setting on in the console.
import { createUser, loginUi, shot, useBrowser } from '../support/browser';
import { ADMIN, Session } from '../support/http';

const TEXT = {
  en: { title: 'Desk settings', critical: 'Critical', high: 'High' },
  fr: { title: 'Réglages du guichet', critical: 'Critique', high: 'Haute' },
} as const;

const { openPage } = useBrowser();

afterAll(async () => {
  const admin = await Session.login(ADMIN.email, ADMIN.password);
  await admin.request('PATCH', '/api/settings', { customersMayChooseCritical: false });
});

describe.each(['en', 'fr'] as const)('desk settings (%s)', (locale) => {
  const text = TEXT[locale];

  it('should offer customers "Critical" only after an admin allows it', async () => {
    const admin = await Session.login(ADMIN.email, ADMIN.password);
    expect((await admin.request('PATCH', '/api/settings', { customersMayChooseCritical: false })).status).toBe(200);
    const customer = await createUser('customer', locale, 'Camille Client');
    const portal = await openPage(locale);
    await loginUi(portal.page, customer.email, customer.password);
    await portal.page.goto('/portal');
    const offered = async () => {
      await portal.page.getByTestId('new-ticket-priority').click();
      await portal.page.getByRole('option', { name: text.high, exact: true }).waitFor();
      const names = await portal.page.getByRole('option').allTextContents();
      await portal.page.keyboard.press('Escape');
      return names;
    };
    expect(await offered()).not.toContain(text.critical);

    const adminUser = await createUser('admin', locale, 'Ada Admin');
    const console_ = await openPage(locale);
    await loginUi(console_.page, adminUser.email, adminUser.password);
    await console_.page.goto('/admin/settings');
    await console_.page.getByRole('heading', { name: text.title, level: 1 }).waitFor();
    await console_.page.getByTestId('setting-customers-critical').click();
    await console_.page.getByTestId('settings-saved').waitFor();
    await shot(console_.page, `admin-settings-${locale}`);
    expect((await admin.get('/api/settings')).body.customersMayChooseCritical).toBe(true);

    await portal.page.reload();
    expect(await offered()).toContain(text.critical);
    expect([...portal.errors, ...console_.errors]).toEqual([]);
  });
});
