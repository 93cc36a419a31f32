// The plug-ins admin page in Chromium, on a desk of its own loading the test plug-ins: an admin sees which plug-in runs,
// which waits for settings and which failed to load (with why), fills in the settings form drawn from the plug-in's
// schema (a secret never shown back), sees a refusal at the setting at fault, and reads the page in French.
import path from 'node:path';
import { violations } from '../support/axe';
import { createUser, loginUi, shot, useBrowser } from '../support/browser';
import { ADMIN, Session, eventually, ok, unique } from '../support/http';
import { startPluginDesk, type Desk } from '../support/desk';

const plugin = (name: string) => path.resolve(import.meta.dirname, '..', 'plugins', name);
let desk: Desk;
let admin: Session;
const { openPage } = useBrowser();
const draftOf = async (key: string) => ((await ok(admin.get(`/api/definitions/${key}/versions`))).items as any[]).find((v) => v.status === 'draft');

beforeAll(async () => {
  ({ desk, admin } = await startPluginDesk('plugins_ui', [plugin('echo'), plugin('broken')]));
}, 120_000);

afterAll(async () => {
  await desk?.stop();
});

it('should show each plug-in as it stands and save its settings from a form drawn from its schema', async () => {
  const { page, errors } = await openPage('en', { baseURL: desk.url });
  await loginUi(page, ADMIN.email, ADMIN.password);
  await page.goto('/admin');
  await page.getByRole('link', { name: 'Plug-ins' }).click();
  const echo = page.getByTestId('plugin-echo');
  await expect(echo.getByTestId('plugin-status').textContent()).resolves.toBe('Needs settings');
  await expect(echo.getByTestId('plugin-needs-settings').textContent()).resolves.toContain('/greeting is required');
  await expect(echo.getByTestId('plugin-adds').textContent()).resolves.toContain('GET /api/plugins/echo/hello');
  const broken = page.getByTestId('plugin-broken');
  await expect(broken.getByTestId('plugin-status').textContent()).resolves.toBe('Failed to load');
  await expect(broken.getByTestId('plugin-error').textContent()).resolves.toMatch(/SyntaxError|Unexpected/);
  await broken.getByTestId('plugin-error-row').first().waitFor();
  await shot(page, 'plugins-before-en');
  expect(await violations(page)).toEqual([]);

  // A greeting, a secret, a number and a choice; saved, the secret is only said to be set.
  await echo.getByTestId('setting-greeting').fill('Bonjour');
  await echo.getByTestId('setting-apiToken').fill('s3cret-token');
  await echo.getByTestId('setting-maxItems').locator('input').fill('7');
  await echo.getByTestId('setting-mode').click();
  await page.getByRole('option', { name: 'chatty' }).click();
  await echo.getByTestId('plugin-save-echo').click();
  await page.getByTestId('admin-notice').waitFor();
  await expect(echo.getByTestId('plugin-status').textContent()).resolves.toBe('Running');
  await expect(echo.getByTestId('setting-apiToken').inputValue()).resolves.toBe('');
  await expect(echo.getByTestId('setting-apiToken').getAttribute('placeholder')).resolves.toContain('leave empty to keep');
  const saved = (await ok(admin.get('/api/plugins'))).items.find((p: any) => p.name === 'echo');
  expect(saved.settings).toMatchObject({ values: { greeting: 'Bonjour', maxItems: 7, mode: 'chatty' }, secretsSet: ['apiToken'] });

  // The greeting emptied: refused at its field, nothing saved.
  await echo.getByTestId('setting-greeting').fill('');
  await echo.getByTestId('plugin-save-echo').click();
  await expect(echo.getByTestId('setting-greeting-error').textContent()).resolves.toBe('is required');
  expect((await ok(admin.get('/api/plugins'))).items.find((p: any) => p.name === 'echo').settings.values.greeting).toBe('Bonjour');
  await shot(page, 'plugins-refused-en');
  expect(errors).toEqual([]);

  const { page: fr } = await openPage('fr', { baseURL: desk.url });
  const adminFr = await createUser('admin', 'fr', 'Aude', desk.url);
  await loginUi(fr, adminFr.email, adminFr.password);
  await fr.goto('/admin/plugins');
  await expect(fr.getByTestId('plugin-echo').getByTestId('plugin-status').textContent()).resolves.toBe('En service');
  await expect(fr.getByTestId('plugin-broken').getByTestId('plugin-status').textContent()).resolves.toBe('Échec du chargement');
  await fr.getByRole('heading', { name: 'Extensions' }).waitFor();
  await shot(fr, 'plugins-fr');
  expect(await violations(fr)).toEqual([]);
}, 120_000);

it("should show a plug-in's panel beside the agent's ticket page, and a failing panel's error without losing the page", async () => {
  await ok(admin.request('PUT', '/api/plugins/echo/settings', { greeting: 'Bonjour' }));
  const email = `${unique('agent')}@example.test`;
  await ok(admin.post('/api/users', { email, name: 'Agathe', role: 'agent', password: 'a-long-password-1', locale: 'fr' }), 201);
  const ticket = await ok(admin.post('/api/tickets', { type: 'incident', title: unique('Badge reader offline'), description: 'Door 3', priority: 'high' }), 201);

  const { page, errors } = await openPage('fr', { baseURL: desk.url });
  await loginUi(page, email, 'a-long-password-1');
  await page.goto(`/tickets/${ticket.id}`);
  const echo = page.getByTestId('plugin-panel-echo-heard');
  await echo.getByRole('heading', { name: 'Écho' }).waitFor();
  await expect(echo.locator('.summary').textContent()).resolves.toMatch(new RegExp(`événements entendus pour ${ticket.number}`));
  await expect(echo.locator('dd').first().textContent()).resolves.toContain(ADMIN.email);
  await expect(echo.getByRole('link', { name: 'Open in the CRM' }).getAttribute('href')).resolves.toBe(`https://crm.example.test/tickets/${ticket.number}`);
  await page.getByTestId('plugin-panel-echo-faulty').getByRole('alert').waitFor();
  await echo.scrollIntoViewIfNeeded();
  await shot(page, 'plugins-ticket-panel-fr');
  expect(await violations(page)).toEqual([]);
  // The faulty panel's 502 is the plug-in's, answered as such; nothing else on the page failed.
  expect(errors.filter((e) => !e.includes('/panels/echo/faulty'))).toEqual([]);

  // The plug-in's console page, from the top bar: a table of what it heard.
  await page.getByRole('navigation').getByRole('link', { name: 'Extensions' }).click();
  await page.getByRole('heading', { name: 'Statistiques de l’écho' }).waitFor();
  const table = page.getByTestId('plugin-page').getByTestId('plugin-table');
  await table.getByRole('cell', { name: 'created' }).waitFor();
  expect(await page.getByTestId('plugin-page-tab-echo-admin-only').count()).toBe(0);
  await shot(page, 'plugins-page-fr');
  expect(await violations(page)).toEqual([]);
}, 120_000);

it("should let an admin give a rule a plug-in's action, its values in a form drawn from the action's schema", async () => {
  await ok(admin.request('PUT', '/api/plugins/echo/settings', { greeting: 'Bonjour' }));
  const { page, errors } = await openPage('en', { baseURL: desk.url });
  await loginUi(page, ADMIN.email, ADMIN.password);
  await page.goto('/admin/rules');
  await page.getByTestId('rules').waitFor();
  await page.getByTestId('rule-new').click();
  const dialog = page.getByTestId('rule-dialog');
  const name = unique('Page ops');
  await dialog.getByTestId('rule-name').fill(name);
  const row = dialog.getByTestId('rule-action-0');
  await row.getByTestId('rule-action-kind').click();
  await page.getByRole('option', { name: 'Run a plug-in action' }).click();
  await row.getByTestId('rule-action-plugin').click();
  await page.getByRole('option', { name: 'Page a channel (echo)' }).click();
  // A channel the action's schema refuses: marked at its input, nothing saved.
  await row.getByTestId('rule-action-with-channel').fill('ops');
  await dialog.getByTestId('rule-save').click();
  await row.getByTestId('rule-action-with-channel-error').waitFor();
  expect((await ok(admin.get('/api/rules'))).items.filter((r: any) => r.name === name)).toEqual([]);
  await shot(page, 'plugins-rule-action-refused-en');

  await row.getByTestId('rule-action-with-channel').fill('#ops');
  await row.getByTestId('rule-action-with-urgent').click();
  await dialog.getByTestId('rule-save').click();
  await dialog.waitFor({ state: 'hidden' });
  await page.getByTestId('rules').getByText(name).waitFor();
  const saved = (await ok(admin.get('/api/rules'))).items.find((r: any) => r.name === name);
  expect(saved.then).toEqual([{ action: 'plugin', plugin: 'echo', run: 'page', with: { channel: '#ops', urgent: true } }]);
  await shot(page, 'plugins-rule-action-en');
  expect(await violations(page)).toEqual([]);
  expect(errors).toEqual([]);
  await ok(admin.request('DELETE', `/api/rules/${saved.id}`), 204);
}, 120_000);

it("should let an admin add a plug-in's action to a definition's escalation in the designer, checked when the draft is saved", async () => {
  await ok(admin.request('PUT', '/api/plugins/echo/settings', { greeting: 'Bonjour' }));
  const { page, errors } = await openPage('en', { baseURL: desk.url });
  await loginUi(page, ADMIN.email, ADMIN.password);
  await page.goto('/admin/definitions/incident');
  await page.getByTestId('tab-rules').click();
  const escalation = page.getByTestId('escalation-row').first();
  const picker = escalation.getByTestId('plugin-action-picker');
  await picker.getByTestId('plugin-action-pick').click();
  await page.getByRole('option', { name: 'Page a channel (echo)' }).click();
  // A channel the schema refuses: the designer adds it, the API refuses the draft at the value.
  await picker.getByTestId('plugin-action-with-channel').fill('ops');
  await picker.getByTestId('plugin-action-add').click();
  await page.getByTestId('designer-save').click();
  await page.getByTestId('error-message').filter({ hasText: '/with/channel' }).waitFor();
  expect(await draftOf('incident')).toBeUndefined();
  await shot(page, 'plugins-designer-refused-en');

  const actions = escalation.locator('textarea').first();
  const fixed = (JSON.parse(await actions.inputValue()) as any[]).map((a) => (a.type === 'plugin' ? { ...a, with: { channel: '#ops' } } : a));
  await actions.fill(JSON.stringify(fixed));
  await actions.blur();
  await page.getByTestId('designer-save').click();
  const draft = await eventually(() => draftOf('incident'));
  const body = await ok(admin.get(`/api/definitions/incident/versions/${draft.version}`));
  expect(body.escalations.flatMap((e: any) => e.actions).filter((a: any) => a.type === 'plugin')).toEqual([{ type: 'plugin', plugin: 'echo', run: 'page', with: { channel: '#ops' } }]);
  expect(errors.filter((e) => !e.includes('/draft'))).toEqual([]);
  await admin.request('DELETE', '/api/definitions/incident/draft');
}, 120_000);
