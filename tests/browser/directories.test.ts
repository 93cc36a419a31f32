// The admin's Directories screen in a real Chromium, in English and French, against a real OpenLDAP slapd: add a
// directory (StartTLS with its certificate), test the connection, sync now and read the run's report.
import { loginUi, shot, useBrowser } from '../support/browser';
import { ADMIN, Session, unique } from '../support/http';
import { groupLdif, personLdif, startSlapd, type Slapd } from '../support/slapd';

const TEXT = {
  en: { title: 'Directories (LDAP / Active Directory)', connected: /3 users would be synced, 1 skipped/, succeeded: 'Succeeded', counts: /3 created/ },
  fr: { title: 'Annuaires (LDAP / Active Directory)', connected: /3 utilisateurs seraient synchronisés, 1 ignorés/, succeeded: 'Réussie', counts: /3 créés/ },
} as const;

const { openPage } = useBrowser();
let slapd: Slapd;
let admin: Session;
const made: string[] = [];

beforeAll(async () => {
  admin = await Session.login(ADMIN.email, ADMIN.password);
  slapd = await startSlapd();
});

afterAll(async () => {
  for (const d of (await admin.get('/api/ldap/directories')).body.items) if (made.includes(d.name)) await admin.request('DELETE', `/api/ldap/directories/${d.id}`);
  await slapd?.destroy();
});

describe.each(['en', 'fr'] as const)('directories screen (%s)', (locale) => {
  const text = TEXT[locale];

  it('should add a directory, test it, sync it and show the report', async () => {
    const run = unique(`ui${locale}`).replace(/[^a-z0-9]/g, '');
    const base = slapd.baseDn;
    slapd.add(
      ['ann', 'bob', 'cid'].map((u) => personLdif(base, { uid: `${u}${run}`, cn: `${u} ${run}`, mail: `${u}.${run}@corp.test`, o: `Org ${run}` })).join('') +
        personLdif(base, { uid: `nomail${run}`, cn: 'No mail' }) +
        groupLdif(base, `agents${run}`, [`ann${run}`]),
    );
    const { page, errors } = await openPage(locale);
    await page.goto('/login');
    await loginUi(page, ADMIN.email, ADMIN.password);
    await page.goto('/admin/directories');
    await page.getByRole('heading', { name: text.title, level: 1 }).waitFor();

    const name = `Corp ${run}`;
    made.push(name);
    await page.getByTestId('directory-add').click();
    await page.getByTestId('directory-name').fill(name);
    await page.getByTestId('directory-url').fill(slapd.url);
    await page.getByTestId('directory-bind-dn').fill(slapd.adminDn);
    await page.getByTestId('directory-bind-secret').fill(slapd.adminPassword);
    await page.locator('textarea[id$="-ca"]').fill(slapd.caPem);
    // Only this run's people: the shared slapd has the other language's too.
    await page.getByTestId('directory-user-base').fill(`ou=people,${base}`);
    await page.locator('input[id$="-ufilter"]').fill(`(&(objectClass=inetOrgPerson)(uid=*${run}))`);
    await page.getByTestId('directory-group-base').fill(`ou=groups,${base}`);
    await page.getByTestId('directory-attr-organisation').fill('o');
    await page.getByTestId('directory-add-mapping').click();
    await page.getByTestId('directory-mapping').locator('input').first().fill(`agents${run}`);
    await shot(page, `directories-form-${locale}`);
    await page.getByTestId('directory-save').click();
    const row = page.getByTestId('directory-row').filter({ hasText: name });
    await row.waitFor();

    await row.getByTestId('directory-test').click();
    await page.getByTestId('admin-notice').filter({ hasText: text.connected }).waitFor();

    await row.getByTestId('directory-sync').click();
    const report = page.getByTestId('directory-run').first();
    await report.filter({ hasText: text.succeeded }).waitFor();
    await report.filter({ hasText: text.counts }).waitFor();
    await row.getByTestId('directory-last-run').filter({ hasText: text.succeeded }).waitFor();
    await shot(page, `directories-${locale}`);
    expect(errors).toEqual([]);
  });
});
