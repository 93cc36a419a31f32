// Passkeys in Chromium with its virtual authenticator (CDP WebAuthn domain): an agent registers a passkey from their
// account page, signs out, and signs in again with password then passkey. WebAuthn needs a host name, not an IP, so the
// page is opened on localhost (the same desk).
import { createUser, loginUi, shot, useBrowser } from '../support/browser';
import { unique } from '../support/http';

const { openPage } = useBrowser();

it('should register a passkey and sign in with it after the password', async () => {
  const agent = await createUser('agent', 'en', unique('Pat Passkey'));
  const { page, errors, context } = await openPage('en');
  const base = process.env.GUICHET_TEST_URL!.replace('127.0.0.1', 'localhost');
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });

  await page.goto(`${base}/login`);
  await loginUi(page, agent.email, agent.password);
  await page.goto(`${base}/account/notifications`);
  await page.getByTestId('passkey-name').fill('Work laptop');
  await page.getByTestId('passkey-add').click();
  await page.getByTestId('passkey').filter({ hasText: 'Work laptop' }).waitFor();
  await shot(page, 'passkeys-registered-en');

  await context.clearCookies();
  await page.goto(`${base}/login`);
  await page.getByTestId('login-email').fill(agent.email);
  await page.getByTestId('login-password').fill(agent.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('login-passkey').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  expect(errors).toEqual([]);
});
