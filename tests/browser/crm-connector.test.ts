// The CRM connector in Chromium, on a desk of its own with a second PostgreSQL database as the CRM: an admin fills in
// the connector's form (the database URL a secret, the queries in text areas), sees the sync's schedule follow the
// settings, runs it now and reads its report; an agent sees the requester's CRM record beside the ticket; in French too.
import pg from 'pg';
import { violations } from '../support/axe';
import { createUser, loginUi, shot, useBrowser } from '../support/browser';
import { ADMIN, Session, ok, unique, userByEmail } from '../support/http';
import { firstPartyPlugin, freshDatabaseUrl, startPluginDesk, type Desk } from '../support/desk';

let desk: Desk;
let admin: Session;
let crmUrl: string;
const { openPage } = useBrowser();
const customer = `${unique('nadia')}@umbrella.test`;

beforeAll(async () => {
  crmUrl = await freshDatabaseUrl('crm_ui');
  const crm = new pg.Client({ connectionString: crmUrl });
  await crm.connect();
  try {
    await crm.query(`create table contacts (email text primary key, full_name text not null, company text, tier text, renewal date)`);
    await crm.query(`insert into contacts values ($1, 'Nadia Benali', 'Umbrella', 'Gold', '2027-03-31'), ('omar@umbrella.test', 'Omar Diallo', 'Umbrella', 'Silver', null), ('bad-address', 'Nobody', null, null, null)`, [customer]);
  } finally {
    await crm.end();
  }
  ({ desk, admin } = await startPluginDesk('crm_ui_desk', [firstPartyPlugin('crm')]));
}, 120_000);

afterAll(async () => {
  await desk?.stop();
});

it('should let an admin configure the connector, run its sync and read the report; an agent then sees the record beside the ticket', async () => {
  const { page, errors } = await openPage('en', { baseURL: desk.url });
  await loginUi(page, ADMIN.email, ADMIN.password);
  await page.goto('/admin/plugins');
  const crm = page.getByTestId('plugin-crm');
  await expect(crm.getByTestId('plugin-status').textContent()).resolves.toBe('Needs settings');
  await expect(crm.getByTestId('plugin-schedule-interval').textContent()).resolves.toContain('Off under the current settings');

  await crm.getByTestId('setting-source').click();
  await page.getByRole('option', { name: 'PostgreSQL database' }).click();
  await crm.getByTestId('setting-databaseUrl').fill(crmUrl);
  await crm.getByTestId('setting-contactQuery').fill('select full_name, company, tier, renewal from contacts where email = $1');
  await crm.getByTestId('setting-recordUrl').fill('https://crm.umbrella.test/people/{email}');
  await crm.getByTestId('setting-syncEveryMinutes').locator('input').fill('30');
  await crm.getByTestId('setting-syncQuery').fill('select email, full_name as name, company as organisation from contacts');
  await crm.getByTestId('plugin-save-crm').click();
  await page.getByTestId('admin-notice').waitFor();
  await expect(crm.getByTestId('plugin-status').textContent()).resolves.toBe('Running');
  await expect(crm.getByTestId('plugin-schedule-interval').textContent()).resolves.toContain('Runs every 30 minutes');
  await expect(crm.getByTestId('setting-databaseUrl').inputValue()).resolves.toBe('');

  await crm.getByTestId('plugin-schedule-run-sync').click();
  const row = crm.getByTestId('plugin-run-row').first();
  await row.getByText('Succeeded').waitFor({ timeout: 30_000 });
  await expect(row.textContent()).resolves.toContain('2 created, 0 updated, 0 unchanged, 1 skipped');
  await expect(row.textContent()).resolves.toContain("row 3: 'bad-address' is not an e-mail address");
  await row.scrollIntoViewIfNeeded();
  await shot(page, 'crm-connector-admin-en');
  expect(await violations(page)).toEqual([]);
  expect(errors).toEqual([]);
  expect(await userByEmail(admin, customer)).toMatchObject({ name: 'Nadia Benali', role: 'customer' });

  // The synced customer's ticket, seen by an agent: the CRM record beside it, with the link into the CRM.
  const ticket = await ok(admin.post('/api/tickets', { type: 'incident', title: 'Renewal quote', description: 'Need a quote', priority: 'medium', requesterId: (await userByEmail(admin, customer)).id }), 201);
  const agentFr = await createUser('agent', 'fr', 'Armand', desk.url);
  const { page: fr, errors: frErrors } = await openPage('fr', { baseURL: desk.url });
  await loginUi(fr, agentFr.email, agentFr.password);
  await fr.goto(`/tickets/${ticket.id}`);
  const panel = fr.getByTestId('plugin-panel-crm-customer');
  await expect(panel.locator('.summary').textContent()).resolves.toBe(`Fiche CRM de ${customer}`);
  await expect(panel.locator('dd').first().textContent()).resolves.toBe('Nadia Benali');
  // A date as the CRM keeps it, not an instant in the server's time zone.
  await expect(panel.locator('dd').nth(3).textContent()).resolves.toBe('2027-03-31');
  await expect(panel.getByRole('link', { name: 'Ouvrir dans le CRM' }).getAttribute('href')).resolves.toBe(`https://crm.umbrella.test/people/${encodeURIComponent(customer)}`);
  await panel.scrollIntoViewIfNeeded();
  await shot(fr, 'crm-connector-ticket-fr');
  expect(await violations(fr)).toEqual([]);
  expect(frErrors).toEqual([]);

  // The schedule and its report read in French.
  const adminFr = await createUser('admin', 'fr', 'Aurélie', desk.url);
  const { page: frAdmin } = await openPage('fr', { baseURL: desk.url });
  await loginUi(frAdmin, adminFr.email, adminFr.password);
  await frAdmin.goto('/admin/plugins');
  // The plug-in gives its description and its settings' labels in French.
  await frAdmin.getByTestId('plugin-crm').getByText('Affiche la fiche du demandeur', { exact: false }).waitFor();
  await frAdmin.getByTestId('plugin-crm').getByLabel('Requête du contact').waitFor();
  const schedule = frAdmin.getByTestId('plugin-crm').getByTestId('plugin-schedule-sync');
  await expect(schedule.getByTestId('plugin-schedule-interval').textContent()).resolves.toContain('S’exécute toutes les 30 minutes.');
  await expect(schedule.getByTestId('plugin-run-row').first().textContent()).resolves.toContain('2 créés, 0 mis à jour, 0 inchangés, 1 ignorés');
  await schedule.scrollIntoViewIfNeeded();
  await shot(frAdmin, 'crm-connector-admin-fr');
  expect(await violations(frAdmin)).toEqual([]);
}, 120_000);
