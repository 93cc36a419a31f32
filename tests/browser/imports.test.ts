// The import page in Chromium, on a desk of its own: an admin checks a CSV file of tickets, reads the rows the desk
// cannot take (Import stays off), checks the corrected file, imports it and finds the run listed; in French, a file
// of people checked with its errors. Both pages looked at and checked with axe.
import fs from 'node:fs';
import { violations } from '../support/axe';
import { loginUi, shot, useBrowser } from '../support/browser';
import { ADMIN, Session, ok } from '../support/http';
import { startPluginDesk, type Desk } from '../support/desk';

let desk: Desk;
let admin: Session;
const { openPage } = useBrowser();

beforeAll(async () => {
  ({ desk, admin } = await startPluginDesk('imports_ui', []));
}, 120_000);

afterAll(async () => {
  await desk?.stop();
});

const HEADER = 'id,title,requester,requester_name,created_at,state,priority,comment';
const GOOD = [
  HEADER,
  'GLPI-101,Projector in room 4 flickers,louise@school.test,Louise Michel,2024-09-02T08:15:00Z,closed,medium,"2024-09-02T09:00:00Z;louise@school.test;It started after the update."',
  'GLPI-102,Wi-Fi drops in the library,jules@school.test,Jules Ferry,2024-10-14 10:00,in_progress,high,',
].join('\n');
const BAD = [GOOD, 'GLPI-103,,someone,Nobody,14/10/2024,closed,urgent,'].join('\n');

it('should check a file of tickets, list the rows it cannot take, then import the corrected file', async () => {
  const { page, errors } = await openPage('en', { baseURL: desk.url });
  await loginUi(page, ADMIN.email, ADMIN.password);
  await page.goto('/admin/imports');
  await page.getByRole('link', { name: 'Import' }).waitFor();
  await expect(page.getByTestId('import-columns').textContent()).resolves.toContain('requester (an e-mail address)');

  await page.getByTestId('import-file').setInputFiles({ name: 'GLPI export.csv', mimeType: 'text/csv', buffer: Buffer.from(BAD) });
  await expect(page.getByTestId('import-source').inputValue()).resolves.toBe('glpi-export');
  await expect(page.getByTestId('import-run').isDisabled()).resolves.toBe(true);
  await page.getByTestId('import-check').click();
  await page.getByTestId('import-refused').waitFor();
  const rows = page.getByTestId('import-error');
  await expect(rows.allTextContents()).resolves.toEqual([
    '4titletitle is required',
    "4requester'someone' is not an e-mail address",
    "4created_at'14/10/2024' is not a date (ISO 8601: 2024-03-01 or 2024-03-01T14:05:00Z)",
    "4prioritypriority 'urgent' is not one of low, medium, high, critical",
  ]);
  await expect(page.getByTestId('import-run').isDisabled()).resolves.toBe(true);
  await page.getByTestId('import-report').scrollIntoViewIfNeeded();
  await shot(page, 'imports-refused-en');
  expect(await violations(page)).toEqual([]);

  await page.getByTestId('import-file').setInputFiles({ name: 'GLPI export.csv', mimeType: 'text/csv', buffer: Buffer.from(GOOD) });
  await page.getByTestId('import-check').click();
  await page.getByTestId('import-clean').waitFor();
  await expect(page.getByTestId('import-count-created').textContent()).resolves.toBe('New2');
  await page.getByTestId('import-run').click();
  await page.getByTestId('import-written').waitFor();
  await expect(page.getByTestId('import-count-workflowsStarted').textContent()).resolves.toBe('Tickets now worked1');
  await expect(page.getByTestId('import-count-usersCreated').textContent()).resolves.toBe('People added2');
  await expect(page.getByTestId('import-run-row').first().textContent()).resolves.toContain('2 rows: 2 new, 0 updated, 0 unchanged');
  await shot(page, 'imports-written-en');
  expect(await violations(page)).toEqual([]);
  expect(errors).toEqual([]);

  const imported = await ok(admin.get('/api/tickets?q=Projector&limit=5'));
  expect(imported.items).toEqual([expect.objectContaining({ title: 'Projector in room 4 flickers', stateCategory: 'closed', createdAt: '2024-09-02T08:15:00.000Z' })]);
  // The ticket page says where the ticket came from, and shows its conversation at its own dates.
  await page.goto(`/tickets/${imported.items[0].id}`);
  const items = page.getByTestId('timeline-item');
  await expect(items.first().textContent()).resolves.toContain('imported from GLPI export.csv line 2');
  await expect(items.nth(1).textContent()).resolves.toContain('It started after the update.');
  await expect(items.nth(1).textContent()).resolves.toContain('Sep 2, 2024');
  await shot(page, 'imports-ticket-en');
  expect(await violations(page)).toEqual([]);
  expect(errors).toEqual([]);
});

it('should say in French which people of a file cannot be taken', async () => {
  const { page, errors } = await openPage('fr', { baseURL: desk.url });
  await loginUi(page, ADMIN.email, ADMIN.password);
  await page.goto('/admin/imports');
  await page.getByTestId('import-kind').click();
  await page.getByRole('option', { name: 'Personnes' }).click();
  await expect(page.getByTestId('import-columns').textContent()).resolves.toContain("Un fichier ne crée jamais d'administrateur");
  // The example file offered beside the columns is one the desk takes as it is.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('import-example').click()]);
  expect(download.suggestedFilename()).toBe('users-example.csv');
  const example = await fs.promises.readFile((await download.path())!);
  await page.getByTestId('import-file').setInputFiles({ name: 'exemple.csv', mimeType: 'text/csv', buffer: example });
  await page.getByTestId('import-check').click();
  await page.getByTestId('import-clean').waitFor();
  await expect(page.getByTestId('import-count-created').textContent()).resolves.toBe('Nouveaux2');
  await page.getByTestId('import-file').setInputFiles({ name: 'annuaire.csv', mimeType: 'text/csv', buffer: Buffer.from('email,name,role\nchef@ecole.test,Chef,admin\nmarie@ecole.test,Marie,customer\n') });
  await page.getByTestId('import-check').click();
  await page.getByTestId('import-refused').waitFor();
  await expect(page.getByTestId('import-refused').textContent()).resolves.toContain("Rien n'a été écrit : 1 problème relevé (ci-dessous).");
  await expect(page.getByTestId('import-error').count()).resolves.toBe(1);
  await page.getByTestId('import-rt').scrollIntoViewIfNeeded();
  await shot(page, 'imports-fr');
  expect(await violations(page)).toEqual([]);
  expect(errors).toEqual([]);
});
