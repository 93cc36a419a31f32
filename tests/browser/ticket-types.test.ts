// Custom ticket types in Chromium, on a desk of their own (the type shows in every form): an admin adds one in the
// console (English); a customer opens a ticket of it from the portal, where it reads in French.
import { violations } from '../support/axe';
import { createUser, shot, useBrowser } from '../support/browser';
import { unique } from '../support/http';
import { usePluginDesk } from '../support/desk';

const { openSignedIn } = useBrowser();
const own = usePluginDesk('types_ui', []);

it('should let an admin add a ticket type that customers then open from the portal in their language', async () => {
  const { desk, admin } = own;
  const key = unique('onboarding').replace(/[^a-z0-9_]/gi, '_').toLowerCase();
  const { page } = await openSignedIn('en', await createUser('admin', 'en', 'Ada', desk.url), '/admin/ticket-types', { baseURL: desk.url });
  await page.getByTestId('type-row').filter({ hasText: 'Service request' }).waitFor();
  await page.getByTestId('type-new').click();
  await page.getByTestId('type-key').fill(key);
  await page.getByTestId('type-name-en').fill('Onboarding');
  await page.getByTestId('type-name-fr').fill('Arrivée');
  await page.getByTestId('type-definition').click();
  await page.getByRole('option', { name: /\(service_request\)/ }).click();
  await page.getByTestId('type-customers').click();
  await page.getByTestId('type-save').click();
  await page.getByTestId('admin-notice').waitFor();
  await page.getByTestId('type-row').filter({ hasText: 'Onboarding' }).waitFor();
  await shot(page, 'ticket-types-en');
  expect(await violations(page)).toEqual([]);
  expect((await admin.get('/api/ticket-types')).body.items.find((x: { key: string }) => x.key === key)).toMatchObject({ definitionKey: 'service_request', customersMayOpen: true });

  const { page: portal } = await openSignedIn('fr', await createUser('customer', 'fr', 'Camille', desk.url), '/portal', { baseURL: desk.url });
  await portal.getByTestId('new-ticket-type').click();
  await portal.getByRole('option', { name: 'Arrivée', exact: true }).click();
  const title = unique('Nouvelle arrivée');
  await portal.getByTestId('new-ticket-title').fill(title);
  await portal.getByTestId('new-ticket-submit').click();
  await portal.getByTestId('ticket-created').getByRole('link').click();
  await portal.waitForURL(/\/portal\/tickets\//);
  await portal.getByText('Arrivée', { exact: true }).first().waitFor();
  await shot(portal, 'ticket-types-portal-fr');
  expect(await violations(portal)).toEqual([]);
  const mine = (await admin.get(`/api/tickets?type=${key}`)).body.items;
  expect(mine.map((t: { title: string }) => t.title)).toEqual([title]);
}, 120_000);
