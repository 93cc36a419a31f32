// The IMAP mailbox fetch (plugins/imap) against a real Dovecot over TLS: mail appended to the mailbox becomes tickets and
// replies through the desk's own intake (threading, loop protection, de-duplication), each message moved once taken
// in (or flagged, when set so); a delivery status notification puts a note on its ticket and stops mail to the dead
// address; wrong credentials are reported on the plug-in's admin page while the desk serves.
import pg from 'pg';
import { ImapFlow } from 'imapflow';
import { Session, eventually, ok, unique } from '../support/http';
import { firstPartyPlugin, startPluginDesk, type Desk } from '../support/desk';
import { startDovecot, type Dovecot } from '../support/dovecot';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp-capture';

const MAILBOX = 'support@desk.test';
const PASSWORD = 'imap-secret-1';
let dovecot: Dovecot;
let capture: SmtpCapture;
let desk: Desk;
let admin: Session;
let db: pg.Client;
let imap: ImapFlow;

const settings = (more: Record<string, unknown> = {}) => ({ host: '127.0.0.1', port: dovecot.tlsPort, security: 'tls', caCertificate: dovecot.caPem, user: MAILBOX, password: PASSWORD, ...more });

const message = (headers: Record<string, string>, body: string) =>
  `${Object.entries({ 'Message-ID': `<${unique('m')}@mua.test>`, Date: new Date().toUTCString(), To: MAILBOX, 'Content-Type': 'text/plain; charset=utf-8', ...headers })
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n${body}\r\n`;

/** The intake's record of a Message-ID, once it has one. */
const intakeOf = (messageId: string) =>
  eventually(async () => (await db.query('select outcome, ticket_id, detail from mail_inbound where message_id = $1', [messageId])).rows[0] as { outcome: string; ticket_id: string | null; detail: string | null } | undefined);

const count = async (mailbox: string) => {
  const status = await imap.status(mailbox, { messages: true });
  return status ? status.messages : undefined;
};

beforeAll(async () => {
  dovecot = await startDovecot({ [MAILBOX]: PASSWORD });
  capture = await startSmtpCapture();
  let databaseUrl: string;
  ({ desk, admin, databaseUrl } = await startPluginDesk('imap', [firstPartyPlugin('imap')], { SMTP_URL: capture.url, MAIL_FROM: `Desk <${MAILBOX}>`, MAIL_INBOUND_CREATE_CUSTOMERS: 'true' }));
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  imap = new ImapFlow({ host: '127.0.0.1', port: dovecot.tlsPort, secure: true, tls: { ca: dovecot.caPem }, auth: { user: MAILBOX, pass: PASSWORD }, logger: false });
  await imap.connect();
}, 120_000);

afterAll(async () => {
  await imap?.logout().catch(() => undefined);
  await db?.end();
  await desk?.stop();
  await capture?.stop();
  await dovecot?.stop();
});

describe('IMAP mailbox fetch', () => {
  it('should turn mail in the mailbox into tickets and replies through the intake, moving each message once taken in', async () => {
    expect((await ok(admin.get('/api/plugins'))).items[0]).toMatchObject({ name: 'imap', status: 'not_configured' });
    await ok(admin.request('PUT', '/api/plugins/imap/settings', settings()));
    await eventually(async () => ((await ok(admin.get('/api/plugins/imap/status'))).watching ? true : undefined));

    const customer = `${unique('zoe')}@example.test`;
    const first = `<${unique('first')}@mua.test>`;
    await imap.append('INBOX', message({ 'Message-ID': first, From: `Zoé Martin <${customer}>`, Subject: 'Imprimante bloquée' }, 'Le bac 2 ne prend plus de papier.'));
    const opened = await intakeOf(first);
    expect(opened.outcome).toBe('ticket_created');
    const ticket = await ok(admin.get(`/api/tickets/${opened.ticket_id}`));
    expect(ticket).toMatchObject({ title: 'Imprimante bloquée' });
    await eventually(async () => ((await count('INBOX')) === 0 && (await count('Processed')) === 1 ? true : undefined));

    // A reply found by its reference to the ticket's thread; an auto-reply dropped; a message taken in twice is one.
    const reply = `<${unique('reply')}@mua.test>`;
    await imap.append('INBOX', message({ 'Message-ID': reply, From: customer, Subject: 'Re: Imprimante bloquée', References: `<ticket-${opened.ticket_id}@desk.test>` }, 'Toujours bloquée.'));
    const away = `<${unique('away')}@mua.test>`;
    await imap.append('INBOX', message({ 'Message-ID': away, From: customer, Subject: 'Absent', 'Auto-Submitted': 'auto-replied' }, 'Je suis absente.'));
    await imap.append('INBOX', message({ 'Message-ID': first, From: customer, Subject: 'Imprimante bloquée' }, 'Le bac 2 ne prend plus de papier.'));
    expect(await intakeOf(reply)).toMatchObject({ outcome: 'commented', ticket_id: opened.ticket_id });
    expect(await intakeOf(away)).toMatchObject({ outcome: 'automatic' });
    await eventually(async () => ((await count('INBOX')) === 0 && (await count('Processed')) === 4 ? true : undefined));
    const { rows } = await db.query(`select count(*)::int as n from tickets where requester_id = (select id from users where email = $1)`, [customer]);
    expect(rows[0].n).toBe(1);
    expect(await ok(admin.get('/api/plugins/imap/status'))).toMatchObject({ watching: true, takenIn: 4 });

    // A message larger than the intake takes is set aside (left in place, marked) and the ones after it still come in.
    const huge = `<${unique('huge')}@mua.test>`;
    await imap.append('INBOX', message({ 'Message-ID': huge, From: customer, Subject: 'Scan' }, 'x'.repeat(31 * 1024 * 1024)));
    const after = `<${unique('after')}@mua.test>`;
    await imap.append('INBOX', message({ 'Message-ID': after, From: customer, Subject: 'Re: Imprimante bloquée', References: `<ticket-${opened.ticket_id}@desk.test>` }, 'Et maintenant ?'));
    expect(await intakeOf(after)).toMatchObject({ outcome: 'commented' });
    const lock = await imap.getMailboxLock('INBOX');
    try {
      const left = [];
      for await (const m of imap.fetch('1:*', { flags: true, envelope: true })) left.push({ id: m.envelope?.messageId, flags: [...(m.flags ?? [])] });
      expect(left).toEqual([{ id: huge, flags: ['$GuichetFailed'] }]);
      await imap.messageDelete('1:*');
    } finally {
      lock.release();
    }
    expect((await db.query('select 1 from mail_inbound where message_id = $1', [huge])).rows).toEqual([]);
  });

  it('should put a bounce on its ticket and stop mailing the dead address', async () => {
    const customer = `${unique('dead')}@example.test`;
    const opening = `<${unique('open')}@mua.test>`;
    await imap.append('INBOX', message({ 'Message-ID': opening, From: customer, Subject: 'Badge' }, 'Mon badge ne marche plus.'));
    const { ticket_id: ticketId } = await intakeOf(opening);
    // The desk acknowledges the new ticket by mail; that is the mail that comes back, with its Message-ID.
    const { message_id: ackId } = await eventually(async () => (await db.query('select message_id from mail_outbox where ticket_id = $1 and to_address = $2', [ticketId, customer])).rows[0]);
    // The delivery status notification a mail server sends back when the desk's mail to the customer failed.
    const boundary = 'dsn-boundary';
    const dsn = (dsnId: string, recipient: string, returnedId: string) =>
      [
        `From: Mail Delivery System <MAILER-DAEMON@mx.example.test>`,
        `To: ${MAILBOX}`,
        `Subject: Undelivered Mail Returned to Sender`,
        `Message-ID: ${dsnId}`,
        `Date: ${new Date().toUTCString()}`,
        `Auto-Submitted: auto-replied`,
        `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain; charset=us-ascii',
        '',
        `I'm sorry to have to inform you that your message could not be delivered to ${recipient}.`,
        '',
        `--${boundary}`,
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.example.test',
        '',
        `Final-Recipient: rfc822; ${recipient}`,
        'Original-Recipient: rfc822;' + recipient,
        'Action: failed',
        'Status: 5.1.1',
        'Diagnostic-Code: smtp; 550 5.1.1 <' + recipient + '>: Recipient address rejected: User unknown',
        '',
        `--${boundary}`,
        'Content-Type: text/rfc822-headers',
        '',
        `From: Desk <${MAILBOX}>`,
        `To: ${recipient}`,
        `Subject: [INC] Badge`,
        `Message-ID: ${returnedId}`,
        `References: <ticket-${ticketId}@desk.test>`,
        '',
        `--${boundary}--`,
        '',
      ].join('\r\n');
    // Forged ones are dropped and stop no one's mail: one naming the ticket's thread but no message the desk sent, and
    // one returning the desk's message but for an address it was not sent to.
    const forged = `<${unique('forged')}@mx.example.test>`;
    await imap.append('INBOX', dsn(forged, customer, `<${unique('made-up')}@desk.test>`));
    expect(await intakeOf(forged)).toMatchObject({ outcome: 'automatic', detail: 'a delivery failure about no mail the desk sent' });
    const forged2 = `<${unique('forged')}@mx.example.test>`;
    const bystander = `${unique('bystander')}@example.test`;
    await imap.append('INBOX', dsn(forged2, bystander, ackId));
    expect(await intakeOf(forged2)).toMatchObject({ outcome: 'automatic' });
    expect((await db.query('select 1 from mail_undeliverable where email = any($1)', [[bystander, customer]])).rows).toEqual([]);

    const dsnId = `<${unique('dsn')}@mx.example.test>`;
    await imap.append('INBOX', dsn(dsnId, customer, ackId));
    expect(await intakeOf(dsnId)).toMatchObject({ outcome: 'bounce', ticket_id: ticketId, detail: expect.stringContaining(`${customer} (5.1.1: 550 5.1.1`) });
    const note = await eventually(async () => ((await ok(admin.get(`/api/tickets/${ticketId}/timeline`))).items as any[]).find((e) => e.type === 'commented' && e.visibility === 'internal'));
    expect(note.data.body).toMatch(new RegExp(`Mail to ${customer.replace('.', '\\.')} \\(5\\.1\\.1.*could not be delivered`));
    expect((await db.query('select status from mail_undeliverable where email = $1', [customer])).rows).toEqual([{ status: '5.1.1' }]);

    // The next mail to that customer is not sent: its outbox row fails at once, saying why.
    const [{ now }] = (await db.query('select now()')).rows;
    const mailedBefore = capture.to(customer).length;
    await ok(admin.post(`/api/tickets/${ticketId}/comments`, { body: 'Nous avons réactivé votre badge.', visibility: 'public' }), 201);
    const row = await eventually(
      async () => (await db.query(`select status, last_error from mail_outbox where ticket_id = $1 and to_address = $2 and created_at >= $3 and status <> 'pending'`, [ticketId, customer, now])).rows[0],
    );
    expect(row).toEqual({ status: 'failed', last_error: expect.stringMatching(/bounced/) });
    expect(capture.to(customer)).toHaveLength(mailedBefore);

    // The admin sees it, and mails the address again once it is fixed.
    const listed = await ok(admin.get(`/api/mail/undeliverable?q=${encodeURIComponent(customer.slice(0, 12))}`));
    expect(listed.items).toEqual([{ email: customer, status: '5.1.1', diagnostic: expect.stringContaining('User unknown'), ticketId, ticketNumber: expect.any(String), userName: expect.any(String), bouncedAt: expect.any(String) }]);
    await ok(admin.request('DELETE', `/api/mail/undeliverable/${encodeURIComponent(customer)}`), 204);
    expect((await admin.request('DELETE', `/api/mail/undeliverable/${encodeURIComponent(customer)}`)).status).toBe(404);
    expect((await ok(admin.get('/api/mail/undeliverable'))).items.map((a: any) => a.email)).not.toContain(customer);
  });

  it('should flag rather than move when set so, and report wrong credentials while the desk serves', async () => {
    const saved = new Date().toISOString();
    await ok(admin.request('PUT', '/api/plugins/imap/settings', settings({ afterIntake: 'flag', port: dovecot.port, security: 'starttls', receivedSince: saved.slice(0, 10) })));
    // The task starts again with the new settings (over STARTTLS) within seconds.
    await eventually(async () => {
      const status = await ok(admin.get('/api/plugins/imap/status'));
      return status.watching && status.since > saved ? true : undefined;
    });
    // Mail older than the day set is left alone (connecting a mailbox with years of mail makes no tickets of them).
    const old = `<${unique('old')}@mua.test>`;
    await imap.append('INBOX', message({ 'Message-ID': old, From: `${unique('olga')}@example.test`, Subject: 'Archive' }, 'From 2020.'), [], new Date('2020-03-01T10:00:00Z'));
    const flagged = `<${unique('flag')}@mua.test>`;
    await imap.append('INBOX', message({ 'Message-ID': flagged, From: `${unique('fay')}@example.test`, Subject: 'Écran noir' }, 'Plus d’image.'));
    expect(await intakeOf(flagged)).toMatchObject({ outcome: 'ticket_created' });
    const lock = await imap.getMailboxLock('INBOX');
    try {
      const kept = await eventually(async () => {
        for await (const m of imap.fetch('1:*', { flags: true, envelope: true })) if (m.flags?.has('$Guichet')) return m;
        return undefined;
      });
      expect(kept.flags!.has('\\Seen')).toBe(true);
      expect(kept.envelope!.messageId).toBe(flagged);
      const untouched = [];
      for await (const m of imap.fetch('1:*', { flags: true, envelope: true })) if (m.envelope?.messageId === old) untouched.push([...(m.flags ?? [])].filter((f) => f !== '\\Recent'));
      expect(untouched).toEqual([[]]);
    } finally {
      lock.release();
    }

    await ok(admin.request('PUT', '/api/plugins/imap/settings', settings({ password: 'not-the-password' })));
    const error = await eventually(async () => ((await ok(admin.get('/api/plugins'))).items[0].recentErrors as any[]).find((e) => e.phase === 'background'), 30_000);
    expect((await db.query('select 1 from mail_inbound where message_id = $1', [old])).rows).toEqual([]);
    expect(error).toMatchObject({ process: 'api', message: expect.stringMatching(/^background task fetch: the IMAP server refused the user name or password \(.*(AUTHENTICATIONFAILED|Authentication failed).*\)$/i) });
    expect((await fetch(`${desk.url}/readyz`)).status).toBe(200);
  });
});
