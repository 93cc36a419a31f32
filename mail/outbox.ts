// Drains the mail outbox from the worker: immediate mails as soon as they are queued, digests on a timer, retries with back-off.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { MailConfig } from '../platform/config';
import type { Logger } from '../platform/logger';
import type { MailTransport } from './transport';
import { domainOf, messageIdFor, ticketThreadId } from './addresses';
import { loadTemplates, mailLocale, renderHtml, renderText, textToHtml } from './templates';

interface OutboxRow {
  id: string;
  message_id: string;
  ticket_id: string | null;
  to_address: string;
  recipient_id: string | null;
  locale: string;
  subject: string;
  body: string;
  reply_to: string | null;
  attempts: number;
}

const MAX_ATTEMPTS = 12;
const UNDELIVERABLE = 'the address bounced: not mailed again (mail_undeliverable)';
const BATCH = 20;

/** 10 s, 20 s, 40 s … capped at one hour. */
const backoffSeconds = (attempts: number) => Math.min(3600, 10 * 2 ** Math.max(0, attempts - 1));

/**
 * Several workers may drain the same outbox: rows are claimed with `for update skip locked`, so each is sent by one of
 * them. A crash between sending and marking resends the row with the same Message-ID (at-least-once, de-duplicated by
 * receivers); a failure leaves it pending with a later next_attempt_at.
 */
export class MailOutbox {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private digesting: Promise<unknown> | undefined;
  private again = false;
  private stopped = false;
  private readonly domain: string;

  constructor(
    private readonly em: EntityManager,
    private readonly transport: MailTransport,
    private readonly config: MailConfig,
    private readonly log: Logger,
  ) {
    this.domain = domainOf(config.replyAddress);
  }

  start(): void {
    // Digests ride on the same poll: a recipient's digest leaves once their oldest waiting row is one interval old, so
    // nothing waits longer than the interval, quiet periods send nothing, and replicas claim rows under lock. No
    // Temporal schedule or extra workflow is needed: the rows are the durable state, and a restart loses nothing.
    this.timer = setInterval(() => {
      void this.queueWebhookNotices()
        .then((n) => n && this.wake())
        .catch((err) => this.log.error({ err }, 'webhook notices not queued'));
      this.wake();
      if (this.digesting) return;
      this.digesting = this.sendDigests()
        .catch((err) => this.log.error({ err }, 'mail digest failed'))
        .finally(() => (this.digesting = undefined));
    }, this.config.pollIntervalMs);
    this.wake();
  }

  /** Sends what is due now; calls while a drain runs make it run once more. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((err) => this.log.error({ err }, 'mail outbox drain failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all([this.running, this.digesting]);
  }

  private async drain(): Promise<void> {
    for (;;) {
      const sent = await this.em.fork().transactional(async (tx) => {
        const rows = await tx.execute<OutboxRow[]>(
          `select id, message_id, ticket_id, to_address, recipient_id, locale, subject, body, reply_to, attempts from mail_outbox
           where status = 'pending' and mode = 'immediate' and next_attempt_at <= now() order by created_at limit ${BATCH} for update skip locked`,
        );
        // An address a bounce said is dead is not mailed again: the row fails at once, saying why.
        const dead = rows.length
          ? new Set(
              (await tx.execute<Array<{ email: string }>>('select email from mail_undeliverable where email in (select jsonb_array_elements_text(?::jsonb))', [JSON.stringify(rows.map((r) => r.to_address.toLowerCase()))])).map(
                (d) => d.email,
              ),
            )
          : new Set<string>();
        for (const r of rows) {
          if (dead.has(r.to_address.toLowerCase())) {
            await tx.execute(`update mail_outbox set status = 'failed', last_error = ? where id = ?`, [UNDELIVERABLE, r.id]);
            continue;
          }
          try {
            await this.transport.send({
              to: r.to_address,
              subject: r.subject,
              text: r.body,
              html: textToHtml(r.body),
              messageId: r.message_id,
              replyTo: r.reply_to ?? undefined,
              ...(r.ticket_id ? { inReplyTo: ticketThreadId(r.ticket_id, this.domain), references: [ticketThreadId(r.ticket_id, this.domain)] } : {}),
            });
            await tx.execute(`update mail_outbox set status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = null where id = ?`, [r.id]);
          } catch (err) {
            const attempts = r.attempts + 1;
            this.log.warn({ err, to: r.to_address, attempts }, 'mail not sent, will retry');
            await tx.execute(
              `update mail_outbox set attempts = ?, last_error = ?, status = ?, next_attempt_at = now() + make_interval(secs => ?) where id = ?`,
              [attempts, String((err as Error).message ?? err).slice(0, 500), attempts >= MAX_ATTEMPTS ? 'failed' : 'pending', backoffSeconds(attempts), r.id],
            );
          }
        }
        return rows.length;
      });
      if (sent < BATCH) return;
    }
  }

  /**
   * Subscriptions the worker disabled for failing (webhook_disabled_notices) are told to their owner: one outbox row per
   * notice, keyed by it, so a notice is mailed once however many workers poll.
   */
  async queueWebhookNotices(): Promise<number> {
    return this.em.fork().transactional(async (tx) => {
      const notices = await tx.execute<Array<{ id: string; reason: string; name: string; url: string; owner_id: string; email: string; user_name: string; locale: string }>>(
        `select n.id, n.reason, s.name, s.url, n.owner_id, u.email, u.name as user_name, u.locale
           from webhook_disabled_notices n join webhook_subscriptions s on s.id = n.subscription_id join users u on u.id = n.owner_id
          where n.notified_at is null and not u.disabled order by n.id limit ${BATCH} for update of n skip locked`,
      );
      if (!notices.length) return 0;
      const template = await loadTemplates(tx);
      for (const n of notices) {
        const locale = mailLocale(n.locale);
        const tpl = template('webhook_disabled', locale);
        const vars = { recipient: { name: n.user_name }, webhook: { name: n.name, url: n.url, reason: n.reason, consoleUrl: `${this.config.publicUrl}/admin/webhooks` } };
        const key = `webhook-disabled:${n.id}`;
        await tx.execute(
          `insert into mail_outbox (id, dedupe_key, message_id, recipient_id, to_address, kind, locale, mode, subject, body)
           values (?, ?, ?, ?, ?, 'webhook_disabled', ?, 'immediate', ?, ?) on conflict (dedupe_key) do nothing`,
          [randomUUID(), key, messageIdFor(key, this.domain), n.owner_id, n.email, locale, renderText(tpl.subject, vars).replace(/[\r\n]+/g, ' ').slice(0, 400), renderText(tpl.body, vars)],
        );
      }
      await tx.execute(`update webhook_disabled_notices set notified_at = now() where id in (select value::bigint from jsonb_array_elements_text(?::jsonb))`, [JSON.stringify(notices.map((n) => n.id))]);
      return notices.length;
    });
  }

  /** One mail per recipient gathering every digest row queued since their last digest, once the oldest is an interval old. */
  async sendDigests(): Promise<number> {
    let mails = 0;
    const recipients = await this.em
      .fork()
      .execute<Array<{ recipient_id: string }>>(
        `select recipient_id from mail_outbox where status = 'pending' and mode = 'digest' and next_attempt_at <= now() and recipient_id is not null
         group by recipient_id having min(created_at) <= now() - make_interval(secs => ?)`,
        [this.config.digestIntervalSeconds],
      );
    for (const { recipient_id } of recipients) {
      await this.em.fork().transactional(async (tx) => {
        const rows = await tx.execute<OutboxRow[]>(
          `select id, message_id, ticket_id, to_address, recipient_id, locale, subject, body, reply_to, attempts from mail_outbox
           where status = 'pending' and mode = 'digest' and recipient_id = ? and next_attempt_at <= now() order by created_at for update skip locked`,
          [recipient_id],
        );
        if (!rows.length) return;
        const [user] = await tx.execute<Array<{ name: string; email: string; locale: string }>>('select name, email, locale from users where id = ?', [recipient_id]);
        if (!user) return;
        const ids = JSON.stringify(rows.map((r) => r.id));
        if ((await tx.execute('select 1 from mail_undeliverable where email = ?', [user.email.toLowerCase()])).length) {
          await tx.execute(`update mail_outbox set status = 'failed', last_error = ? where id in (select value::uuid from jsonb_array_elements_text(?::jsonb))`, [UNDELIVERABLE, ids]);
          return;
        }
        const locale = mailLocale(user.locale);
        const tpl = (await loadTemplates(tx))('digest', locale);
        const vars = { recipient: { name: user.name }, digest: { count: rows.length, items: rows.map((r) => `• ${r.subject}`).join('\n') } };
        // The same set of rows always makes the same Message-ID, so a resend after a crash is recognisably the same mail.
        const messageId = messageIdFor(`digest:${rows.map((r) => r.id).sort().join(',')}`, this.domain);
        try {
          await this.transport.send({ to: user.email, subject: renderText(tpl.subject, vars), text: renderText(tpl.body, vars), html: renderHtml(tpl.body, vars), messageId });
          await tx.execute(
            `update mail_outbox set status = 'sent', sent_at = now(), attempts = attempts + 1, digest_message_id = ? where id in (select value::uuid from jsonb_array_elements_text(?::jsonb))`,
            [messageId, ids],
          );
          mails += 1;
        } catch (err) {
          this.log.warn({ err, to: user.email }, 'digest not sent, will retry');
          await tx.execute(`update mail_outbox set attempts = attempts + 1, last_error = ? where id in (select value::uuid from jsonb_array_elements_text(?::jsonb))`, [
            String((err as Error).message ?? err).slice(0, 500),
            ids,
          ]);
        }
      });
    }
    return mails;
  }
}
