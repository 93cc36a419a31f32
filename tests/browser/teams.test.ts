// The Teams connector's settings in Chromium: the client secret as a password field, the Bot Connector's service URL
// and the sign-in services prefilled, the channel per queue as JSON refused at the field when it names no Teams
// channel, saved and running; in French too.
import { violations } from '../support/axe';
import { createUser, shot, useBrowser } from '../support/browser';
import { ADMIN, ok } from '../support/http';
import { firstPartyPlugin, usePluginDesk } from '../support/desk';

const { openSignedIn } = useBrowser();
const own = usePluginDesk('teams_ui', [firstPartyPlugin('teams')]);

it('should let an admin connect a Teams bot from the form, refusing a channel map that is not one', async () => {
  const { desk, admin } = own;
  const { page, errors } = await openSignedIn('en', ADMIN, '/admin/plugins', { baseURL: desk.url });
  const teams = page.getByTestId('plugin-teams');
  await expect(teams.getByTestId('plugin-status').textContent()).resolves.toBe('Needs settings');
  await expect(teams.getByTestId('setting-serviceUrl').inputValue()).resolves.toBe('https://smba.trafficmanager.net/emea/');
  await teams.getByTestId('setting-appId').fill('0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d');
  await teams.getByTestId('setting-appPassword').fill('Xy8Q~client-secret-value');
  await teams.getByTestId('setting-tenantId').fill('5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9');
  await teams.getByTestId('setting-defaultChannel').fill('19:desk0001@thread.tacv2');
  await teams.getByTestId('setting-queueChannels').fill('{"network": "#network"}');
  await teams.getByTestId('plugin-save-teams').click();
  await expect(teams.getByTestId('setting-queueChannels-error').textContent()).resolves.toMatch(/pattern/);
  await teams.getByTestId('setting-queueChannels').fill('{"network": "19:network0001@thread.tacv2"}');
  await teams.getByTestId('plugin-save-teams').click();
  await page.getByTestId('admin-notice').waitFor();
  await expect(teams.getByTestId('plugin-status').textContent()).resolves.toBe('Running');
  const saved = ((await ok(admin.get('/api/plugins'))).items as any[]).find((p) => p.name === 'teams');
  expect(saved.settings).toMatchObject({ values: { defaultChannel: '19:desk0001@thread.tacv2', queueChannels: { network: '19:network0001@thread.tacv2' } }, secretsSet: ['appPassword'] });
  await expect(teams.getByTestId('plugin-adds').textContent()).resolves.toContain('POST /api/plugins/teams/messages');
  await teams.scrollIntoViewIfNeeded();
  await shot(page, 'teams-admin-en');
  expect(await violations(page)).toEqual([]);
  expect(errors).toEqual([]);

  const { page: fr } = await openSignedIn('fr', await createUser('admin', 'fr', 'Salomé', desk.url), '/admin/plugins', { baseURL: desk.url });
  await fr.getByTestId('plugin-teams').getByLabel('Secret client').waitFor();
  await shot(fr, 'teams-admin-fr');
  expect(await violations(fr)).toEqual([]);
}, 120_000);
