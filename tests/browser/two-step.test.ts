// Two-step sign-in in Chromium, in English and French: an agent turns it on from their account page (the key typed into
// an "app": computed here), keeps the recovery codes, signs out, and signs in again with password then code.
import { codeAt, stepAt } from '../../api/modules/auth/totp';
import { createUser, loginUi, shot, useBrowser } from '../support/browser';
import { ADMIN, Session, unique } from '../support/http';

const { openPage } = useBrowser();

describe.each(['en', 'fr'] as const)('two-step sign-in (%s)', (locale) => {
  it('should turn on two-step sign-in and then ask for the code after the password', async () => {
    const agent = await createUser('agent', locale, unique('Tom Totp'));
    const { page, errors } = await openPage(locale);
    await loginUi(page, agent.email, agent.password);
    await page.goto('/account/notifications');
    await page.getByTestId('two-step-start').click();
    const secret = (await page.getByTestId('two-step-secret').textContent())!.replace(/\s+/g, '');
    const step = stepAt(Date.now());
    await page.getByTestId('two-step-code').fill(codeAt(secret, step));
    await page.getByTestId('two-step-confirm').click();
    await page.getByTestId('two-step-recovery').locator('code').nth(9).waitFor();
    await page.getByTestId('two-step-state').filter({ hasText: '10' }).waitFor();
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
    await shot(page, `two-step-on-${locale}`);

    await page.context().clearCookies();
    await page.goto('/login');
    await page.getByTestId('login-email').fill(agent.email);
    await page.getByTestId('login-password').fill(agent.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-code').waitFor();
    await shot(page, `two-step-login-${locale}`);
    await page.getByTestId('login-code').fill(codeAt(secret, step + 1));
    await page.getByTestId('login-submit').click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    expect(errors).toEqual([]);
  });
});

describe('two-step sign-in required by the desk', () => {
  afterAll(async () => {
    const admin = await Session.login(ADMIN.email, ADMIN.password);
    await admin.request('PATCH', '/api/settings', { twoStepRequiredFor: [] });
  });

  it('should let an admin require it for customers, who then reach only their account page until they turn it on', async () => {
    const customer = await createUser('customer', 'en', unique('Carla Careful'));
    const { page: adminPage } = await openPage('en');
    await loginUi(adminPage, ADMIN.email, ADMIN.password);
    await adminPage.goto('/admin/settings');
    await adminPage.getByTestId('setting-two-step-roles').click();
    await adminPage.getByRole('option', { name: 'Customer', exact: true }).click();
    await adminPage.getByTestId('settings-saved').waitFor();
    await adminPage.keyboard.press('Escape');
    await shot(adminPage, 'two-step-required-setting-en');

    const { page, errors } = await openPage('en');
    await loginUi(page, customer.email, customer.password);
    await page.waitForURL('**/account/notifications?twoStep=required');
    await page.getByTestId('two-step-required').waitFor();
    await page.goto('/portal');
    await page.waitForURL('**/account/notifications?twoStep=required');
    await page.getByTestId('two-step-start').click();
    const secret = (await page.getByTestId('two-step-secret').textContent())!.replace(/\s+/g, '');
    await page.getByTestId('two-step-code').fill(codeAt(secret, stepAt(Date.now())));
    await page.getByTestId('two-step-confirm').click();
    await page.getByTestId('two-step-recovery').waitFor();
    await page.getByTestId('two-step-required').waitFor({ state: 'detached' });
    await page.goto('/portal');
    await page.waitForURL('**/portal');
    expect(errors).toEqual([]);
  });
});
