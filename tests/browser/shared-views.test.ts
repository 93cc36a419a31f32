// A saved view shared with a group, in Chromium and in both languages: one agent saves the queue's filters for their
// group, a colleague of that group finds it marked as shared, applies it, and cannot delete it.
import { createUser, loginUi, shot, useBrowser } from '../support/browser';
import { ADMIN, Session, unique, userByEmail } from '../support/http';

const TEXT = { en: { group: 'Group: ', high: 'High' }, fr: { group: 'Groupe : ', high: 'Haute' } } as const;
const { openPage } = useBrowser();

describe.each(['en', 'fr'] as const)('shared views (%s)', (locale) => {
  it('should share a view with a group and let a colleague of that group use it', async () => {
    const admin = await Session.login(ADMIN.email, ADMIN.password);
    const [author, colleague] = [await createUser('agent', locale, unique('Author')), await createUser('agent', locale, unique('Colleague'))];
    const group = unique(`desk_${locale}`).replace(/-/g, '_');
    const groupName = unique(`Desk ${locale}`);
    expect((await admin.post('/api/groups', { key: group, name: groupName })).status).toBe(201);
    const ids = [(await userByEmail(admin, author.email)).id, (await userByEmail(admin, colleague.email)).id];
    expect((await admin.request('PUT', `/api/groups/${group}/members`, { userIds: ids })).status).toBe(200);

    const { page, errors } = await openPage(locale);
    await loginUi(page, author.email, author.password);
    await page.goto('/tickets');
    await page.getByTestId('filter-priority').click();
    await page.getByRole('option', { name: TEXT[locale].high, exact: true }).click();
    const name = unique(`High for the desk ${locale}`);
    await page.getByTestId('view-name').fill(name);
    await page.getByTestId('view-audience').click();
    await page.getByRole('option', { name: `${TEXT[locale].group}${groupName}` }).click();
    await page.getByTestId('view-save').click();
    await page.getByTestId('view-item').filter({ hasText: name }).getByTestId('view-shared').waitFor();

    const other = await openPage(locale);
    await loginUi(other.page, colleague.email, colleague.password);
    await other.page.goto('/tickets');
    const shared = other.page.getByRole('listitem').filter({ has: other.page.getByTestId('view-item').filter({ hasText: name }) });
    await shared.getByTestId('view-shared').waitFor();
    // Not theirs: no delete button.
    expect(await shared.getByRole('button').count()).toBe(1);
    await shared.getByTestId('view-item').click();
    await other.page.getByTestId('filter-priority').filter({ hasText: TEXT[locale].high }).waitFor();
    await shot(other.page, `shared-view-${locale}`);
    expect([...errors, ...other.errors]).toEqual([]);
  });
});
