// No raw keys left on two screens: a priority change in the timeline, and the plan editor's owner-group picker offering
// an agent groups the API would refuse them.
import { createUser, loginUi, shot, useBrowser, type Locale } from '../support/browser';
import { ADMIN, Session, unique, userByEmail } from '../support/http';

const { openPage } = useBrowser();
let admin: Session;

beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
}, 60_000);

const PRIORITY_CHANGE = { en: 'Low → Critical', fr: 'Basse → Critique' } as const;

describe.each<Locale>(['en', 'fr'])('readable keys (%s)', (locale) => {
  it('should name both priorities of a priority change in the timeline', async () => {
    const t = await admin.post('/api/tickets', { type: 'incident', title: unique('Slow mail'), priority: 'low' });
    expect((await admin.request('PATCH', `/api/tickets/${t.body.id}`, { priority: 'critical' })).status).toBe(200);
    const agent = await createUser('agent', locale, 'Ari Agent');
    const { page, errors } = await openPage(locale);
    await loginUi(page, agent.email, agent.password);
    await page.goto(`/tickets/${t.body.id}`);
    const change = page.locator('[data-testid="timeline-item"][data-type="priority_changed"] .summary');
    await change.waitFor();
    expect((await change.textContent())?.trim()).toBe(PRIORITY_CHANGE[locale]);
    await shot(page, `timeline-priority-${locale}`);
    expect(errors).toEqual([]);
  });

  it("should offer an agent only their own groups as a plan's owner", async () => {
    const agent = await createUser('agent', locale, 'Ari Agent');
    const agentId = (await userByEmail(admin, agent.email)).id;
    const mine = unique(`mine_${locale}`).replace(/-/g, '_');
    const other = unique(`other_${locale}`).replace(/-/g, '_');
    const mineName = unique(`Workshop ${locale}`);
    const otherName = unique(`Elsewhere ${locale}`);
    expect((await admin.post('/api/groups', { key: mine, name: mineName })).status).toBe(201);
    expect((await admin.post('/api/groups', { key: other, name: otherName })).status).toBe(201);
    expect((await admin.request('PUT', `/api/groups/${mine}/members`, { userIds: [agentId] })).status).toBe(200);
    const { page, errors } = await openPage(locale);
    await loginUi(page, agent.email, agent.password);
    await page.goto('/maintenance/plans/new');
    await page.getByTestId('plan-owner-group').click();
    await page.getByRole('option', { name: mineName, exact: true }).waitFor();
    const options = (await page.locator('.p-select-overlay [role="option"]').allTextContents()).map((o) => o.trim());
    expect(options).toContain(mineName);
    expect(options).not.toContain(otherName);
    await shot(page, `plan-owner-groups-${locale}`);
    expect(errors).toEqual([]);
  });
});
