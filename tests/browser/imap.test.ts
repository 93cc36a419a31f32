// The IMAP mailbox fetch configured in Chromium, against a real Dovecot: an admin fills in the plug-in's form (server,
// TLS, the server's CA in a text area, the password a secret), sees it run, and a message in the mailbox becomes a
// ticket; the page in French too.
import { ImapFlow } from 'imapflow';
import pg from 'pg';
import { violations } from '../support/axe';
import { createUser, loginUi, shot, useBrowser } from '../support/browser';
import { ADMIN, Session, eventually, ok, unique } from '../support/http';
import { firstPartyPlugin, startPluginDesk, type Desk } from '../support/desk';
import { startDovecot, type Dovecot } from '../support/dovecot';

const MAILBOX = 'helpdesk@desk.test';
const PASSWORD = 'imap-ui-secret';
let dovecot: Dovecot;
let desk: Desk;
let admin: Session;
let databaseUrl: string;
const { openPage } = useBrowser();

beforeAll(async () => {
  dovecot = await startDovecot({ [MAILBOX]: PASSWORD });
  ({ desk, admin, databaseUrl } = await startPluginDesk('imap_ui', [firstPartyPlugin('imap')], { MAIL_FROM: `Desk <${MAILBOX}>`, MAIL_INBOUND_CREATE_CUSTOMERS: 'true' }));
}, 120_000);

afterAll(async () => {
  await desk?.stop();
  await dovecot?.stop();
});

it('should let an admin connect a mailbox from the form and take its mail in', async () => {
  const { page, errors } = await openPage('en', { baseURL: desk.url });
  await loginUi(page, ADMIN.email, ADMIN.password);
  await page.goto('/admin/plugins');
  const imap = page.getByTestId('plugin-imap');
  await expect(imap.getByTestId('plugin-status').textContent()).resolves.toBe('Needs settings');
  await imap.getByTestId('setting-host').fill('127.0.0.1');
  await imap.getByTestId('setting-port').locator('input').fill(String(dovecot.tlsPort));
  await imap.getByTestId('setting-caCertificate').fill(dovecot.caPem);
  await imap.getByTestId('setting-user').fill(MAILBOX);
  await imap.getByTestId('setting-password').fill(PASSWORD);
  await imap.getByTestId('plugin-save-imap').click();
  await page.getByTestId('admin-notice').waitFor();
  await expect(imap.getByTestId('plugin-status').textContent()).resolves.toBe('Running');
  await expect(imap.getByTestId('plugin-adds').textContent()).resolves.toContain('Background tasks, run by one API process at a time while the settings are complete: Mailbox fetch');
  await eventually(async () => ((await ok(admin.get('/api/plugins/imap/status'))).watching ? true : undefined));

  const client = new ImapFlow({ host: '127.0.0.1', port: dovecot.tlsPort, secure: true, tls: { ca: dovecot.caPem }, auth: { user: MAILBOX, pass: PASSWORD }, logger: false });
  await client.connect();
  try {
    const title = unique('Projector in room 4');
    await client.append('INBOX', `From: Hugo <${unique('hugo')}@example.test>\r\nTo: ${MAILBOX}\r\nSubject: ${title}\r\nMessage-ID: <${unique('ui')}@mua.test>\r\n\r\nNo signal.\r\n`);
    const ticket = await eventually(async () => ((await ok(admin.get(`/api/tickets?q=${encodeURIComponent(title)}`))).items as any[])[0]);
    expect(ticket.title).toBe(title);
  } finally {
    await client.logout();
  }
  await imap.getByTestId('plugin-adds').scrollIntoViewIfNeeded();
  await shot(page, 'imap-admin-en');
  expect(await violations(page)).toEqual([]);
  expect(errors).toEqual([]);

  const adminFr = await createUser('admin', 'fr', 'Inès', desk.url);
  const { page: fr } = await openPage('fr', { baseURL: desk.url });
  await loginUi(fr, adminFr.email, adminFr.password);
  await fr.goto('/admin/plugins');
  const imapFr = fr.getByTestId('plugin-imap');
  await imapFr.getByLabel('Certificat de l’autorité (PEM)').waitFor();
  await expect(imapFr.getByTestId('plugin-adds').textContent()).resolves.toContain('Relève de la boîte');
  await shot(fr, 'imap-admin-fr');
  expect(await violations(fr)).toEqual([]);
}, 120_000);

it('should list the addresses that bounced on the email page, and mail one again', async () => {
  const ticket = await ok(admin.post('/api/tickets', { type: 'incident', title: 'Badge reader', description: 'Door 2', priority: 'medium' }), 201);
  const dead = `${unique('left')}@example.test`;
  // What a bounce leaves (tests/api/imap.test.ts takes the whole path): the address, the server's words, the ticket.
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(`insert into mail_undeliverable (email, status, diagnostic, ticket_id) values ($1, '5.1.1', '550 5.1.1 <' || $1 || '>: Recipient address rejected: User unknown in virtual mailbox table', $2)`, [dead, ticket.id]);
  } finally {
    await db.end();
  }
  const { page, errors } = await openPage('en', { baseURL: desk.url });
  await loginUi(page, ADMIN.email, ADMIN.password);
  await page.goto('/admin/email');
  const section = page.getByTestId('mail-undeliverable');
  const row = section.getByTestId('mail-undeliverable-row').filter({ hasText: dead });
  await expect(row.textContent()).resolves.toContain('5.1.1');
  await expect(row.getByRole('link', { name: ticket.number }).getAttribute('href')).resolves.toBe(`/tickets/${ticket.id}`);
  await section.scrollIntoViewIfNeeded();
  await shot(page, 'mail-undeliverable-en');
  expect(await violations(page)).toEqual([]);
  await section.getByTestId(`mail-again-${dead}`).click();
  await section.getByTestId('mail-undeliverable-cleared').waitFor();
  await section.getByTestId('mail-undeliverable-empty').waitFor();
  expect((await ok(admin.get('/api/mail/undeliverable'))).items).toEqual([]);
  expect(errors).toEqual([]);

  const adminFr = await createUser('admin', 'fr', 'Odile', desk.url);
  const { page: fr } = await openPage('fr', { baseURL: desk.url });
  await loginUi(fr, adminFr.email, adminFr.password);
  await fr.goto('/admin/email');
  await fr.getByRole('heading', { name: 'Adresses en échec' }).waitFor();
  await fr.getByTestId('mail-undeliverable-empty').waitFor();
  await fr.getByTestId('mail-undeliverable').scrollIntoViewIfNeeded();
  await shot(fr, 'mail-undeliverable-fr');
  expect(await violations(fr)).toEqual([]);
}, 120_000);
