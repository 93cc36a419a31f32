// Files on a ticket in Chromium, in English and French: an agent attaches by picker, by drop and by pasting a
// screenshot, marks one internal, is told before sending that a file is too big; the customer sees the public files only.
import { createUser, loginUi, shot, useBrowser } from '../support/browser';
import { Session, unique } from '../support/http';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const TEXT = {
  en: { internal: 'Internal', tooLarge: 'is larger than 10 MiB' },
  fr: { internal: 'Interne', tooLarge: 'dépasse 10 Mio' },
} as const;

const { openPage } = useBrowser();

describe.each(['en', 'fr'] as const)('attachments (%s)', (locale) => {
  const text = TEXT[locale];

  it('should attach by picker, drop and paste, keep internal files from the customer, and refuse a too-big file before sending it', async () => {
    const customer = await createUser('customer', locale, 'Camille Client');
    const agent = await createUser('agent', locale, 'Alex Agent');
    const ticket = (await (await Session.login(customer.email, customer.password)).post('/api/tickets', { type: 'incident', title: unique(`Broken screen ${locale}`), priority: 'low' })).body;

    const { page, errors } = await openPage(locale);
    await loginUi(page, agent.email, agent.password);
    await page.goto(`/tickets/${ticket.id}`);
    const panel = page.getByTestId('attachments');
    await panel.waitFor();
    const files = panel.getByTestId('attachment');

    // By the picker: an image, previewed.
    await page.getByTestId('attachment-input').setInputFiles({ name: 'screen.png', mimeType: 'image/png', buffer: Buffer.from(PNG, 'base64') });
    await files.filter({ hasText: 'screen.png' }).waitFor();
    await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLImageElement>('[data-testid="attachment-preview"]')).some((i) => i.complete && i.naturalWidth === 1));

    // An internal note's file.
    await page.getByTestId('attachment-internal').click();
    await page.getByTestId('attachment-input').setInputFiles({ name: 'logs.txt', mimeType: 'text/plain', buffer: Buffer.from('secret logs') });
    await files.filter({ hasText: 'logs.txt' }).filter({ hasText: text.internal }).waitFor();
    await page.getByTestId('attachment-internal').click();

    // Too big: said at once, nothing sent.
    const sent: string[] = [];
    page.on('request', (r) => r.method() === 'POST' && r.url().includes('/attachments') && sent.push(r.url()));
    await page.getByTestId('attachment-input').setInputFiles({ name: 'huge.zip', mimeType: 'application/zip', buffer: Buffer.alloc(11 * 1024 * 1024) });
    await page.getByTestId('attachment-refusals').filter({ hasText: `huge.zip ${text.tooLarge}` }).waitFor();
    expect(sent).toEqual([]);

    // Dropped, and pasted as a screenshot.
    await panel.evaluate((el, png) => {
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from(atob(png), (c) => c.charCodeAt(0))], 'dropped.png', { type: 'image/png' }));
      el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, PNG);
    await files.filter({ hasText: 'dropped.png' }).waitFor();
    await page.evaluate((png) => {
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from(atob(png), (c) => c.charCodeAt(0))], '', { type: 'image/png' }));
      document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, PNG);
    await files.filter({ hasText: 'screenshot-' }).waitFor();
    await shot(page, `attachments-agent-${locale}`);
    expect(errors).toEqual([]);

    // The customer sees the three public files, not the internal one, which is not even downloadable by its address.
    const portal = await openPage(locale);
    await loginUi(portal.page, customer.email, customer.password);
    await portal.page.goto(`/portal/tickets/${ticket.id}`);
    const theirs = portal.page.getByTestId('attachment');
    await theirs.filter({ hasText: 'dropped.png' }).waitFor();
    expect(await theirs.count()).toBe(3);
    expect(await portal.page.content()).not.toContain('logs.txt');
    const all = (await (await Session.login(agent.email, agent.password)).get(`/api/tickets/${ticket.id}/attachments`)).body.items as Array<{ filename: string; url: string }>;
    const internal = all.find((f) => f.filename === 'logs.txt')!;
    expect((await portal.page.request.get(internal.url)).status()).toBe(404);
    const image = all.find((f) => f.filename === 'screen.png')!;
    const download = await portal.page.request.get(image.url);
    expect(download.headers()['content-disposition']).toMatch(/^attachment;/);
    const inline = await portal.page.request.get(`${image.url}?inline=1`);
    expect(inline.headers()['content-disposition']).toMatch(/^inline;/);
    expect(inline.headers()['content-security-policy']).toContain('sandbox');
    // The customer changes a field the definition lets them change; the others are not even shown.
    const category = portal.page.getByTestId('prop-field-category');
    await category.getByRole('combobox').click();
    await portal.page.getByRole('option', { name: 'network', exact: true }).click();
    await portal.page.getByTestId('prop-field-category-save').click();
    await portal.page.getByTestId('prop-field-category-save').and(portal.page.locator('[disabled]')).waitFor();
    expect(await portal.page.getByTestId('prop-field-resolution').count()).toBe(0);
    expect((await (await Session.login(agent.email, agent.password)).get(`/api/tickets/${ticket.id}`)).body.fields.category).toBe('network');
    await shot(portal.page, `attachments-portal-${locale}`);
    expect(portal.errors).toEqual([]);
  });
});
