// Benchmark: mail taken in from an IMAP mailbox (plugins/imap, a real Dovecot over TLS) beside the same messages sent to
// the desk's SMTP intake. N messages, each from its own new customer (a ticket each), are put in a mailbox folder before
// the plug-in is pointed at it; the rate is counted between the first and the last message the intake recorded, so the
// task's start does not count. The SMTP run sends the same texts (new Message-IDs) one after another on one connection.
import nodemailer from 'nodemailer';
import { ImapFlow } from 'imapflow';
import type { BenchContext } from './lib/context';
import { expectStatus, log, ratio, round, sleep, table, writeResult } from './lib/load';
import { startDovecot } from '../tests/support/dovecot';

const MAILBOX = 'bench@desk.test';
const PASSWORD = 'bench-imap-secret';

const messageOf = (run: string, kind: string, i: number) => ({
  id: `<${kind}-${i}-${run}@bench.test>`,
  from: `sender${i}.${kind}.${run}@bench-mail.test`,
  subject: `Bench ${i}: the printer on floor ${i % 7} jams`,
  text: `Hello,\n\nThe printer on floor ${i % 7} jams on every second page since this morning (${i}).\n\nThanks`,
});

const raw = (m: ReturnType<typeof messageOf>) =>
  `From: ${m.from}\r\nTo: ${MAILBOX}\r\nSubject: ${m.subject}\r\nMessage-ID: ${m.id}\r\nDate: ${new Date().toUTCString()}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${m.text.replace(/\n/g, '\r\n')}\r\n`;

/** Messages per second between the first and the last of these Message-IDs the intake recorded, once all are in. */
async function intakeRate(ctx: BenchContext, ids: string[], timeoutMs = 600_000): Promise<{ perSecond: number; ms: number; outcomes: Record<string, number> }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await ctx.pool.query<{ n: number; first: Date; last: Date }>('select count(*)::int as n, min(received_at) as first, max(received_at) as last from mail_inbound where message_id = any($1)', [ids]);
    const { n, first, last } = rows[0]!;
    if (n === ids.length) {
      const { rows: outcomes } = await ctx.pool.query<{ outcome: string; n: number }>('select outcome, count(*)::int as n from mail_inbound where message_id = any($1) group by outcome', [ids]);
      const ms = last.getTime() - first.getTime();
      return { perSecond: round(((n - 1) / Math.max(ms, 1)) * 1000), ms, outcomes: Object.fromEntries(outcomes.map((o) => [o.outcome, o.n])) };
    }
    if (Date.now() > deadline) throw new Error(`only ${n} of ${ids.length} messages were taken in`);
    await sleep(250);
  }
}

export async function imapIntakeBench(ctx: BenchContext) {
  const n = Number(process.env.BENCH_MAIL_MESSAGES ?? (ctx.full ? 2000 : 300));
  const run = Date.now().toString(36);
  const dovecot = await startDovecot({ [MAILBOX]: PASSWORD });
  const client = new ImapFlow({ host: '127.0.0.1', port: dovecot.tlsPort, secure: true, tls: { ca: dovecot.caPem }, auth: { user: MAILBOX, pass: PASSWORD }, logger: false });
  try {
    await client.connect();
    const folder = `Bench-${run}`;
    await client.mailboxCreate(folder);
    log(`imap: ${n} messages into ${folder}`);
    const imapMessages = Array.from({ length: n }, (_, i) => messageOf(run, 'imap', i));
    for (const m of imapMessages) await client.append(folder, raw(m));

    log('imap: the plug-in takes the folder in');
    expectStatus(
      await ctx.admin.request('PUT', '/api/plugins/imap/settings', { host: '127.0.0.1', port: dovecot.tlsPort, security: 'tls', caCertificate: dovecot.caPem, user: MAILBOX, password: PASSWORD, mailbox: folder }),
      200,
      'PUT imap settings',
    );
    const imap = await intakeRate(ctx, imapMessages.map((m) => m.id));
    // Stopped before the SMTP run, so the two do not share the desk.
    expectStatus(await ctx.admin.request('PUT', '/api/plugins/imap/settings', { host: '127.0.0.1', port: 9, security: 'none', user: 'off', password: 'off' }), 200, 'PUT imap settings');

    log(`smtp: the same ${n} messages to the desk's SMTP intake`);
    const smtpMessages = Array.from({ length: n }, (_, i) => messageOf(run, 'smtp', i));
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: ctx.desk.mailPort, secure: false, ignoreTLS: true, pool: true, maxConnections: 1 });
    for (const m of smtpMessages) await transport.sendMail({ from: m.from, to: MAILBOX, subject: m.subject, text: m.text, messageId: m.id });
    transport.close();
    const smtp = await intakeRate(ctx, smtpMessages.map((m) => m.id));

    process.stdout.write(
      `\n== mail intake: ${n} messages, each a new customer's ticket (one after another) ==\n` +
        table(
          ['intake', 'messages/s', 'ms first to last', 'outcomes', 'vs SMTP'],
          [
            ['IMAP fetch (plugins/imap, Dovecot over TLS, moved once taken in)', imap.perSecond, imap.ms, JSON.stringify(imap.outcomes), ratio(imap.perSecond, smtp.perSecond)],
            ["baseline: the desk's SMTP intake, same texts", smtp.perSecond, smtp.ms, JSON.stringify(smtp.outcomes), 1],
          ],
        ) +
        '\n',
    );
    const file = writeResult('imap-intake', { benchmark: 'imap-intake', machine: ctx.machine, messages: n, imap, smtp }, ctx.startedAt);
    log(`imap-intake written to ${file}`);
    return { messages: n, imap, smtp };
  } finally {
    await client.logout().catch(() => undefined);
    await dovecot.stop();
  }
}
