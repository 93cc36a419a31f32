// The admin workflow designer in a real Chromium, in English and French: edit the graph, see and fix a validation error,
// simulate an SLA breach, publish, and check through the API that new tickets follow the new version while older ones keep theirs.
import type { Page } from 'playwright-core';
import { createUser, loginUi, useBrowser, shot, type Locale } from '../support/browser';
import { eventually, unique, useAdmin } from '../support/http';

const TEXT = {
  en: { pending: 'Pending', unreachable: 'unreachable', valid: 'This definition is valid.', breach: 'SLA breach', published: 'published', designer: 'Workflow designer — problem' },
  fr: { pending: 'En attente', unreachable: 'unreachable', valid: 'Cette définition est valide.', breach: 'Dépassement SLA', published: 'publiée', designer: 'Éditeur de workflow — problem' },
} as const;

const { openPage } = useBrowser();
const admin = useAdmin();

afterEach(async () => {
  // A test that failed half-way must not leave a draft for the next suite to trip over.
  await admin.request('DELETE', '/api/definitions/problem/draft');
});

async function latestPublished(key: string): Promise<number> {
  const versions = await admin.get(`/api/definitions/${key}/versions`);
  return Math.max(...versions.body.items.filter((v: { status: string }) => v.status === 'published').map((v: { version: number }) => v.version));
}

/** Draws a connection from one state's bottom (source) handle to another's top (target) handle, as a mouse would. */
async function connect(page: Page, from: string, to: string): Promise<void> {
  const source = await page.locator(`.vue-flow__node[data-id="${from}"] .vue-flow__handle.source`).boundingBox();
  const target = await page.locator(`.vue-flow__node[data-id="${to}"] .vue-flow__handle.target`).boundingBox();
  if (!source || !target) throw new Error(`handles of ${from} or ${to} are not on screen`);
  await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
  await page.mouse.down();
  await page.mouse.move((source.x + target.x) / 2, (source.y + target.y) / 2, { steps: 5 });
  await page.mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 5 });
  await page.mouse.up();
}

it('should load the designer only in the admin chunk, which an agent never downloads', async () => {
  const agentUser = await createUser('agent', 'en', 'Alex Agent');
  const { page } = await openPage('en');
  const scripts: string[] = [];
  page.on('request', (r) => {
    if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
  });
  await page.goto('/login');
  await loginUi(page, agentUser.email, agentUser.password);
  await page.goto('/admin/definitions/problem');
  await page.waitForURL(/\/tickets$/);
  await page.getByRole('heading', { name: 'Tickets' }).waitFor();
  expect(scripts.some((s) => /\/admin-[\w-]+\.js$/.test(s))).toBe(false);
  expect(scripts.some((s) => /\/agent-[\w-]+\.js$/.test(s))).toBe(true);
});

it('should withdraw the validator\'s verdict as soon as the pasted definition changes', async () => {
  const adminUser = await createUser('admin', 'en', 'Val Idator');
  const { page, errors } = await openPage('en');
  await loginUi(page, adminUser.email, adminUser.password);
  await page.goto('/admin');
  const body = (await admin.get('/api/definitions/incident/versions/1')).body;
  const { version: _v, status: _s, ...doc } = body;
  await page.getByTestId('definition-json').fill(JSON.stringify(doc));
  await page.getByTestId('definition-validate').click();
  await page.getByTestId('definition-valid').waitFor();
  await page.getByTestId('definition-json').fill(`${JSON.stringify(doc)} trailing`);
  await page.getByTestId('definition-valid').waitFor({ state: 'detached' });
  await page.getByTestId('definition-validate').click();
  await page.getByTestId('definition-parse-error').waitFor();
  expect(errors).toEqual([]);
});

describe.each(['en', 'fr'] as const)('workflow designer (%s)', (locale: Locale) => {
  const text = TEXT[locale];

  it('should add a state and a transition, flag then clear the unreachable state, simulate a breach and publish a version new tickets follow', async () => {
    const before = await latestPublished('problem');
    const older = await admin.post('/api/tickets', { type: 'problem', title: unique(`older problem ${locale}`), priority: 'high' });
    expect(older.status).toBe(201);
    expect(older.body.definition).toMatchObject({ key: 'problem', version: before });

    const adminUser = await createUser('admin', locale, 'Ada Admin');
    const { page, errors } = await openPage(locale);
    await page.goto('/login');
    await loginUi(page, adminUser.email, adminUser.password);
    await page.goto('/admin');
    await page.getByTestId('definitions-table').waitFor();
    // A definition's name is bilingual: the list shows it in the page's language.
    const problemRow = page.getByTestId('definitions-table').locator('tr', { has: page.getByTestId('design-problem') });
    expect(await problemRow.textContent()).toContain(locale === 'fr' ? 'Problème' : 'Problem');
    expect(await page.getByTestId('definitions-table').textContent()).not.toContain('"en"');
    await shot(page, `definitions-list-${locale}`);
    await page.getByTestId('design-problem').click();
    await page.waitForURL(/\/admin\/definitions\/problem$/);
    await page.getByRole('heading', { name: text.designer }).waitFor();
    await page.getByTestId('state-node-investigating').waitFor();
    await page.getByTestId('designer-valid').waitFor();

    // A new state nobody can reach: the validator (the server's own, running in the page) paints it red.
    await page.getByTestId('designer-add-state').click();
    const state = `on_hold_${locale}`;
    await page.getByTestId('state-name').fill(state);
    await page.getByTestId('state-name').press('Enter');
    await page.getByTestId(`state-node-${state}`).waitFor();
    await page.getByTestId('state-label-en').fill('On hold');
    await page.getByTestId('state-label-fr').fill('Suspendu');
    await page.getByTestId('state-category').click();
    await page.getByRole('option', { name: text.pending, exact: true }).click();
    await page.getByTestId('state-sla-paused').click();
    const nodeError = page.getByTestId(`state-node-${state}`).getByTestId('state-node-error');
    await nodeError.filter({ hasText: text.unreachable }).waitFor();
    await page.getByTestId('designer-invalid').waitFor();
    expect(await page.getByTestId('designer-error').filter({ hasText: state }).count()).toBe(1);
    expect(await page.getByTestId('designer-publish').isDisabled()).toBe(true);
    await shot(page, `designer-unreachable-${locale}`);

    // Drawing the transition from "investigating" makes it reachable.
    await connect(page, 'investigating', state);
    await page.getByTestId('transition-name').waitFor();
    expect(await page.getByTestId('transition-name').inputValue()).toBe(`to_${state}`);
    await page.getByTestId('designer-valid').waitFor();
    expect(await nodeError.count()).toBe(0);
    await page.getByTestId('transition-label-en').fill('Put on hold');
    await page.getByTestId('transition-label-fr').fill('Suspendre');

    // The JSON view follows the graph, and the graph follows JSON typed into it.
    await page.getByTestId('tab-json').click();
    const json = JSON.parse(await page.getByTestId('designer-json').inputValue());
    expect(json.transitions.find((t: { name: string }) => t.name === `to_${state}`)).toMatchObject({ from: ['investigating'], to: state, label: { en: 'Put on hold', fr: 'Suspendre' } });
    expect(json.layout.states[state]).toEqual({ x: expect.any(Number), y: expect.any(Number) });
    json.states.find((x: { name: string }) => x.name === state).label = { en: 'On hold (JSON)', fr: 'Suspendu (JSON)' };
    // As a paste would: the whole text replaced, then one input event.
    await page.getByTestId('designer-json').evaluate((el, value) => {
      (el as HTMLTextAreaElement).value = value;
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }, JSON.stringify(json, null, 2));
    await page.getByTestId('tab-graph').click();
    await page.getByTestId(`state-node-${state}`).filter({ hasText: '(JSON)' }).waitFor();

    // A state added by mistake goes with the Delete key.
    await page.getByTestId('designer-add-state').click();
    await page.getByTestId('state-node-new_state').waitFor();
    await page.getByTestId('designer-invalid').waitFor();
    await page.keyboard.press('Delete');
    await page.getByTestId('state-node-new_state').waitFor({ state: 'detached' });
    await page.getByTestId('designer-valid').waitFor();

    // A 4-hour resolution target for high priority, then the simulator: Friday 17:00 Paris on 9–18 → breach Monday 12:00.
    await page.getByTestId('tab-sla').click();
    const resolution = page.locator('[data-testid="sla-high-resolution"] input, input[data-testid="sla-high-resolution"]').first();
    await resolution.fill('240');
    await resolution.press('Tab');
    await page.getByTestId('tab-simulator').click();
    await page.getByTestId('sim-calendar').click();
    await page.getByRole('option', { name: 'business', exact: true }).click();
    await page.getByTestId('sim-created-at').fill('2026-11-27 17:00');
    await page.getByTestId('sim-run').click();
    const breach = page.locator('[data-testid="sim-entry"][data-kind="sla_breached"]');
    await breach.waitFor();
    expect(await breach.count()).toBe(1);
    expect(await breach.getAttribute('data-at')).toBe('2026-11-30T11:00:00.000Z');
    expect(await breach.textContent()).toContain('12:00');
    expect(await breach.textContent()).toContain(text.breach);
    // A scripted step: the agent starts the investigation at once; the resolution clock keeps running.
    await page.getByTestId('sim-add-transition').click();
    await page.getByTestId('sim-run').click();
    await page.locator('[data-testid="sim-entry"][data-kind="transitioned"]').filter({ hasText: 'investigate' }).waitFor();
    expect(await breach.getAttribute('data-at')).toBe('2026-11-30T11:00:00.000Z');
    await shot(page, `designer-simulator-${locale}`);

    // A way back from the new state: the two opposite arrows are drawn apart, and each is selected on its own.
    await page.getByTestId('tab-graph').click();
    await connect(page, state, 'investigating');
    await page.getByTestId('transition-name').waitFor();
    // The English run published a to_investigating already; the French one gets the next free name.
    const backName = await page.getByTestId('transition-name').inputValue();
    expect(backName).toMatch(/^to_investigating(_\d+)?$/);
    const forth = page.getByTestId(`transition-edge-to_${state}-investigating`);
    const back = page.getByTestId(`transition-edge-${backName}-${state}`);
    const [a, b] = [await forth.boundingBox(), await back.boundingBox()];
    expect(a && b).toBeTruthy();
    // Their labels do not overlap.
    expect(a!.x + a!.width <= b!.x || b!.x + b!.width <= a!.x || a!.y + a!.height <= b!.y || b!.y + b!.height <= a!.y).toBe(true);
    await forth.click();
    expect(await page.getByTestId('transition-name').inputValue()).toBe(`to_${state}`);
    await back.click();
    expect(await page.getByTestId('transition-name').inputValue()).toBe(backName);
    await shot(page, `designer-graph-${locale}`);

    // Text that is not JSON: the page says so instead of "valid", and nothing can be saved or published until it parses.
    // One stray character typed at the end, as a slip of the hand would, then taken back.
    await page.getByTestId('tab-json').click();
    await page.getByTestId('designer-json').focus();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(',');
    await page.getByTestId('designer-json-invalid').waitFor();
    expect(await page.getByTestId('designer-valid').count()).toBe(0);
    expect(await page.getByTestId('designer-publish').isDisabled()).toBe(true);
    expect(await page.getByTestId('designer-save').isDisabled()).toBe(true);
    await page.keyboard.press('Backspace');
    await page.getByTestId('designer-valid').waitFor();
    await page.getByTestId('tab-graph').click();

    // Publishing asks first, naming the key and the version; cancelling publishes nothing.
    await page.getByTestId('designer-publish').click();
    const confirm = page.getByTestId('designer-confirm');
    await confirm.filter({ hasText: `problem` }).filter({ hasText: String(before + 1) }).waitFor();
    await page.getByTestId('designer-confirm-cancel').click();
    await confirm.waitFor({ state: 'detached' });
    expect(await latestPublished('problem')).toBe(before);
    await page.getByTestId('designer-publish').click();
    await page.getByTestId('designer-confirm-publish').click();
    await page.getByTestId('designer-notice').waitFor();
    await page.getByTestId('designer-editing').filter({ hasText: text.published }).waitFor();
    const after = await latestPublished('problem');
    expect(after).toBe(before + 1);

    // New tickets start on the new version and can take the new transition; the older ticket keeps its version.
    const newer = await eventually(async () => {
      const res = await admin.post('/api/tickets', { type: 'problem', title: unique(`newer problem ${locale}`), priority: 'high' });
      return res.body.definition?.version === after ? res : undefined;
    });
    expect(newer.body.definition).toEqual({ key: 'problem', version: after });
    expect((await admin.get(`/api/tickets/${older.body.id}`)).body.definition).toEqual({ key: 'problem', version: before });
    for (const ticket of [older, newer]) {
      expect((await admin.post(`/api/tickets/${ticket.body.id}/transitions`, { transition: 'investigate' })).status).toBe(200);
    }
    const names = async (id: string) => (await admin.get(`/api/tickets/${id}/transitions`)).body.items.map((t: { name: string }) => t.name);
    expect(await names(newer.body.id)).toContain(`to_${state}`);
    expect(await names(older.body.id)).not.toContain(`to_${state}`);
    const held = await admin.post(`/api/tickets/${newer.body.id}/transitions`, { transition: `to_${state}` });
    expect(held.status).toBe(200);
    expect(held.body.state).toBe(state);

    // The versions tab shows what changed, then moves the older version's running tickets to the new one.
    await page.getByTestId('tab-versions').click();
    await page.getByTestId('diff-run').click();
    await page.getByTestId('diff-row').filter({ hasText: `/states/${state}` }).first().waitFor();
    await page.getByTestId('diff-row').filter({ hasText: `/transitions/to_${state}` }).first().waitFor();
    await shot(page, `designer-versions-${locale}`);
    await page.getByTestId('migrate-run').click();
    await page.getByTestId('migrate-report').waitFor({ timeout: 60_000 });
    expect((await admin.get(`/api/tickets/${older.body.id}`)).body.definition).toEqual({ key: 'problem', version: after });
    expect(errors).toEqual([]);
  });
});
