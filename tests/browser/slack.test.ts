// The Slack connector's settings in Chromium: secrets as password fields, the channel per queue and the resolve fields
// as JSON, refused at the field when the JSON does not match, saved and running; in French too.
import { violations } from '../support/axe';
import { createUser, shot, useBrowser } from '../support/browser';
import { ADMIN, ok } from '../support/http';
import { firstPartyPlugin, usePluginDesk } from '../support/desk';

const { openSignedIn } = useBrowser();
const own = usePluginDesk('slack_ui', [firstPartyPlugin('slack')]);

it('should let an admin connect Slack from the form, refusing a channel map that is not one', async () => {
  const { desk, admin } = own;
  const { page, errors } = await openSignedIn('en', ADMIN, '/admin/plugins', { baseURL: desk.url });
  const slack = page.getByTestId('plugin-slack');
  await expect(slack.getByTestId('plugin-status').textContent()).resolves.toBe('Needs settings');
  await slack.getByTestId('setting-botToken').fill('xoxb-1234-5678-abcdef');
  await slack.getByTestId('setting-signingSecret').fill('8f742231b10e8888abcd99yyyzzz85a5');
  await slack.getByTestId('setting-defaultChannel').fill('C0DESK001');
  await slack.getByTestId('setting-queueChannels').fill('{"network": "#network"}');
  await slack.getByTestId('plugin-save-slack').click();
  await expect(slack.getByTestId('setting-queueChannels-error').textContent()).resolves.toMatch(/pattern/);
  await slack.getByTestId('setting-queueChannels').fill('{"network": "C0NET0001"}');
  await slack.getByTestId('plugin-save-slack').click();
  await page.getByTestId('admin-notice').waitFor();
  await expect(slack.getByTestId('plugin-status').textContent()).resolves.toBe('Running');
  const saved = ((await ok(admin.get('/api/plugins'))).items as any[]).find((p) => p.name === 'slack');
  expect(saved.settings).toMatchObject({ values: { defaultChannel: 'C0DESK001', queueChannels: { network: 'C0NET0001' } }, secretsSet: ['botToken', 'signingSecret'] });
  await expect(slack.getByTestId('plugin-adds').textContent()).resolves.toContain('POST /api/plugins/slack/interactions');
  await slack.scrollIntoViewIfNeeded();
  await shot(page, 'slack-admin-en');
  expect(await violations(page)).toEqual([]);
  expect(errors).toEqual([]);

  const { page: fr } = await openSignedIn('fr', await createUser('admin', 'fr', 'Salomé', desk.url), '/admin/plugins', { baseURL: desk.url });
  await fr.getByTestId('plugin-slack').getByLabel('Secret de signature').waitFor();
  await shot(fr, 'slack-admin-fr');
  expect(await violations(fr)).toEqual([]);
}, 120_000);
