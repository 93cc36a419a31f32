// The maintenance plan editor in Chromium, in English and French: a recurrence built from choices and said in words,
// a rule only text can say, and the owner group and time zone picked from lists, all saved as the API stores them.
import { createUser, loginUi, shot, useBrowser } from '../support/browser';
import { ADMIN, Session, unique, userByEmail } from '../support/http';

const TEXT = {
  en: { weeks: 'week(s)', mon: 'Mon', thu: 'Thu', words: 'Every 2 weeks on Monday and Thursday', yearly: 'Every year on day 1 in March and September' },
  fr: { weeks: 'semaine(s)', mon: 'lun.', thu: 'jeu.', words: 'Toutes les 2 semaines le lundi et le jeudi', yearly: 'Tous les ans le 1er en mars et septembre' },
} as const;

const { openPage } = useBrowser();

describe.each(['en', 'fr'] as const)('maintenance plan editor (%s)', (locale) => {
  const text = TEXT[locale];

  it('should build a recurrence in words, pick the owner group and time zone, and save what the API stores', async () => {
    const admin = await Session.login(ADMIN.email, ADMIN.password);
    const agent = await createUser('agent', locale, 'Pat Planner');
    const group = unique(`facilities_${locale}`).replace(/-/g, '_');
    const groupName = unique(`Facilities ${locale}`);
    expect((await admin.post('/api/groups', { key: group, name: groupName })).status).toBe(201);
    const agentId = (await userByEmail(admin, agent.email)).id;
    expect((await admin.request('PUT', `/api/groups/${group}/members`, { userIds: [agentId] })).status).toBe(200);
    const asset = await admin.post('/api/assets', { name: unique(`Chiller ${locale}`), kind: 'equipment', criticality: 'medium', ownerGroup: group });
    expect(asset.status).toBe(201);

    const { page, errors } = await openPage(locale);
    await loginUi(page, agent.email, agent.password);
    await page.goto('/maintenance/plans/new');
    const name = unique(`Chiller service ${locale}`);
    await page.getByTestId('plan-name').fill(name);
    await page.getByTestId('plan-assets').click();
    await page.getByRole('option', { name: asset.body.name }).click();
    await page.keyboard.press('Escape');

    // Every 2 weeks on Monday and Thursday, from choices.
    await page.getByTestId('recurrence-freq').click();
    await page.getByRole('option', { name: text.weeks, exact: true }).click();
    await page.getByTestId('recurrence-interval').locator('input').fill('2');
    await page.getByTestId('recurrence-interval').locator('input').press('Tab');
    await page.getByTestId('recurrence-weekdays').getByText(text.mon, { exact: true }).click();
    await page.getByTestId('recurrence-weekdays').getByText(text.thu, { exact: true }).click();
    await page.getByTestId('recurrence-words').filter({ hasText: text.words }).waitFor();

    // A rule the form cannot say is typed as text, said in words too, then the form comes back for one it can.
    await page.getByTestId('recurrence-advanced').click();
    expect(await page.getByTestId('plan-rrule').inputValue()).toBe('FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH');
    await page.getByTestId('plan-rrule').fill('FREQ=YEARLY;BYMONTH=3,9;BYMONTHDAY=1');
    await page.getByTestId('recurrence-words').filter({ hasText: text.yearly }).waitFor();
    expect(await page.getByTestId('recurrence-use-form').isDisabled()).toBe(true);
    await page.getByTestId('plan-rrule').fill('FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH');
    await page.getByTestId('recurrence-use-form').click();
    await page.getByTestId('recurrence-words').filter({ hasText: text.words }).waitFor();

    await page.getByTestId('plan-time-zone').click();
    await page.getByRole('searchbox').last().fill('Toronto');
    await page.getByRole('option', { name: 'America/Toronto', exact: true }).click();
    await page.getByTestId('plan-owner-group').click();
    await page.getByRole('option', { name: groupName, exact: true }).click();
    await page.getByRole('listbox').waitFor({ state: 'detached' });
    await shot(page, `plan-editor-${locale}`);
    await page.getByTestId('save-plan').click();

    await page.waitForURL(/\/maintenance\/plans\/[0-9a-f-]{36}$/);
    const plan = (await admin.get(`/api/maintenance/plans/${page.url().split('/').pop()}`)).body;
    // Reopened, the saved plan shows the same rule in the form.
    await page.getByTestId('recurrence-words').filter({ hasText: text.words }).waitFor();
    expect(plan).toMatchObject({ schedule: { kind: 'rrule', rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH' }, ownerGroup: group, timeZone: 'America/Toronto' });
    expect(errors).toEqual([]);
  });
});
