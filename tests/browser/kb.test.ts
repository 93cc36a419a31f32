// Knowledge-base journeys in a real Chromium, in English and French: suggestions while a customer writes a request, the help centre, and the agent's ticket panel and editor.
import { createUser, loginUi, useBrowser, shot } from '../support/browser';
import { Session, eventually, unique, useAdmin } from '../support/http';

const TEXT = {
  en: { suggestions: 'These articles may answer your request', helpful: 'Was this article helpful?', thanks: 'Thank you for your feedback.', help: 'Help centre', kb: 'Knowledge base', revision2: 'Revision 2', restored: 'Revision 1 restored as a new revision.' },
  fr: { suggestions: 'Ces articles répondent peut-être à votre demande', helpful: 'Cet article vous a-t-il aidé ?', thanks: 'Merci pour votre avis.', help: "Centre d'aide", kb: 'Base de connaissances', revision2: 'Révision 2', restored: 'Révision 1 restaurée comme nouvelle révision.' },
} as const;

const { openPage } = useBrowser();
const admin = useAdmin();

describe.each(['en', 'fr'] as const)('knowledge base journeys (%s)', (locale) => {
  const text = TEXT[locale];

  it('should suggest an article while a customer types a request title, open it, take feedback, and find it in the help centre', async () => {
    const mark = unique('zk').replace(/[^a-z0-9]/g, '');
    const titles = { fr: `Dépannage de l'imprimante ${mark}`, en: `Printer troubleshooting ${mark}` };
    const created = await admin.post('/api/kb/articles', {
      visibility: 'public',
      status: 'published',
      tags: ['printer'],
      translations: {
        fr: { title: titles.fr, body: `Si l'imprimante ne fonctionne plus, **redémarrez-la** puis videz la file d'attente. ${mark}` },
        en: { title: titles.en, body: `If the printer stops working, **restart it** and clear the queue. ${mark}` },
      },
    });
    expect(created.status).toBe(201);
    const articleId = created.body.id as string;
    const customer = await createUser('customer', locale, 'Camille Client');
    const { page, errors } = await openPage(locale);

    await loginUi(page, customer.email, customer.password);
    await page.waitForURL(/\/portal$/);
    const typed = locale === 'fr' ? `imprimante ne fonctionne pas ${mark}` : `printer not working ${mark}`;
    await page.getByTestId('new-ticket-title').pressSequentially(typed, { delay: 5 });
    const panel = page.getByTestId('kb-suggestions');
    await panel.getByRole('heading', { name: text.suggestions }).waitFor();
    const suggestion = page.getByTestId('kb-suggestion').filter({ hasText: titles[locale] });
    await suggestion.waitFor();
    expect(await suggestion.locator('mark').count()).toBeGreaterThan(0);
    await shot(page, `kb-portal-suggestions-${locale}`);

    await suggestion.getByTestId('kb-suggestion-open').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('kb-article-title').filter({ hasText: titles[locale] }).waitFor();
    await dialog.getByTestId('kb-article-body').locator('strong').first().waitFor();
    await dialog.getByText(text.helpful).waitFor();
    await shot(page, `kb-portal-suggestion-open-${locale}`);
    await dialog.getByTestId('kb-helpful-yes').click();
    await dialog.getByTestId('kb-feedback-thanks').filter({ hasText: text.thanks }).waitFor();
    await dialog.getByTestId('kb-suggestion-close').click();
    await dialog.waitFor({ state: 'hidden' });

    // Submitting after opening a suggestion: the session counts as "not deflected".
    await page.getByTestId('new-ticket-submit').click();
    await page.getByTestId('ticket-created').waitFor();
    const staff = await admin.get(`/api/kb/articles/${articleId}`);
    expect(staff.body.feedback).toEqual({ helpful: 1, notHelpful: 0 });
    await eventually(async () => {
      const d = (await admin.get(`/api/kb/articles/${articleId}`)).body.deflection;
      return d.opened === 1 && d.deflected === 0 ? d : undefined;
    });

    await page.getByRole('link', { name: text.help }).click();
    await page.waitForURL(/\/portal\/help/);
    await page.getByTestId('help-search').fill(mark);
    await page.getByTestId('help-search-submit').click();
    const result = page.getByTestId('help-result').filter({ hasText: titles[locale] });
    await result.waitFor();
    await shot(page, `kb-help-centre-${locale}`);
    await result.getByRole('link').click();
    await page.waitForURL(new RegExp(`/portal/help/${articleId}`));
    await page.getByTestId('kb-article-title').filter({ hasText: titles[locale] }).waitFor();
    expect(errors).toEqual([]);
  });

  it('should let an agent insert a suggested article into a reply and draft an article from the ticket, then restore a revision', async () => {
    const mark = unique('zt').replace(/[^a-z0-9]/g, '');
    const articleTitle = locale === 'fr' ? `Réinitialiser le mot de passe ${mark}` : `Reset your password ${mark}`;
    const article = await admin.post('/api/kb/articles', {
      visibility: 'public',
      status: 'published',
      translations: { [locale]: { title: articleTitle, summary: 'Self-service reset.', body: `Use the reset page. ${mark}` } },
    });
    expect(article.status).toBe(201);
    const ticket = await admin.post('/api/tickets', { type: 'incident', title: `Password ${mark}`, description: `Locked out ${mark}`, priority: 'low' });
    expect(ticket.status).toBe(201);
    const agentUser = await createUser('agent', locale, 'Alex Agent');
    const agent = await Session.login(agentUser.email, agentUser.password);
    expect((await agent.post(`/api/tickets/${ticket.body.id}/comments`, { body: `Reset it from the self-service page. ${mark}`, visibility: 'public' })).status).toBe(201);

    const { page, errors } = await openPage(locale);
    await loginUi(page, agentUser.email, agentUser.password);
    await page.goto(`/tickets/${ticket.body.id}`);
    const panel = page.getByTestId('kb-ticket-panel');
    await panel.getByRole('heading', { name: text.kb }).waitFor();
    const hit = panel.getByTestId('kb-ticket-suggestion').filter({ hasText: articleTitle });
    await hit.waitFor();
    await hit.getByTestId('kb-insert-link').click();
    await eventually(async () => ((await page.getByTestId('comment-body').inputValue()).includes(`/portal/help/${article.body.id}`) ? true : undefined));
    await shot(page, `kb-agent-ticket-panel-${locale}`);

    await panel.getByTestId('kb-from-ticket').click();
    await page.waitForURL(/\/kb\/[0-9a-f-]{36}$/);
    await page.getByTestId('kb-editor-title').filter({ hasText: `Password ${mark}` }).waitFor();
    const body = page.getByTestId(`kb-body-${locale}`);
    await eventually(async () => ((await body.inputValue()).includes('Reset it from the self-service page.') ? true : undefined));
    await body.fill(`Second version ${mark}`);
    await page.getByTestId(`kb-save-${locale}`).click();
    await page.getByTestId('kb-revision').filter({ hasText: text.revision2 }).waitFor();
    await page.getByTestId('kb-restore-1').click();
    await page.getByTestId('kb-notice').filter({ hasText: text.restored }).waitFor();
    await eventually(async () => ((await body.inputValue()).includes('Reset it from the self-service page.') ? true : undefined));
    await shot(page, `kb-editor-${locale}`);
    expect(errors).toEqual([]);
  });
});

it('should fit a help-centre article with long links, commands, tables and words on a 390 px phone without scrolling the page sideways', async () => {
  const long = 'https://intranet.example.test/' + 'very-long-path-segment-'.repeat(8);
  const body = [
    `Open ${long} then run:`,
    '```\nsudo vpnctl --profile=corporate --server=vpn.example.test --cert=/etc/ssl/certs/corporate-vpn-client-certificate.pem\n```',
    '| Setting | Value | Notes |\n|---|---|---|\n| Server | vpn.example.test | the corporate gateway for all sites and every remote office |',
    'Supercalifragilisticexpialidocious'.repeat(3),
  ].join('\n\n');
  const created = await admin.post('/api/kb/articles', { visibility: 'public', status: 'published', tags: ['vpn'], translations: { en: { title: unique('Configure the VPN client'), body } } });
  expect(created.status).toBe(201);
  const customer = await createUser('customer', 'en', 'Phone User');
  const { page, errors } = await openPage('en');
  await page.setViewportSize({ width: 390, height: 844 });
  await loginUi(page, customer.email, customer.password);
  await page.waitForURL(/\/portal$/);
  await page.goto(`/portal/help/${created.body.id}`);
  await page.getByTestId('kb-article-body').getByText('Supercalifragilistic', { exact: false }).first().waitFor();
  const [scrollWidth, clientWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
  await shot(page, 'help-article-390');
  expect(errors).toEqual([]);
});
