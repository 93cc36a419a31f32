// Turns one received message into a ticket or a public comment, as its sender, through the ticket service.
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { raw, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { MailInbound, MailOutboxMessage, MailReplyToken, MailUndeliverable, User } from '../../../platform/db/entities/index';
import type { MailConfig } from '../../../platform/config';
import type { Logger } from '../../../platform/logger';
import { ProblemError } from '../../http/problem';
import type { TicketService } from '../tickets/service';
import type { AttachmentService } from '../attachments/service';
import type { AuthUser } from '../auth/types';
import { domainOf, replyTokenOf, ticketOfThreadId } from '../../../mail/addresses';
import { automaticReason, trimQuotedReply } from './inbound-rules';
import { bounceOf, type Bounce } from './bounces';
import { among } from '../../../platform/db/among';

export type IntakeOutcome = 'ticket_created' | 'commented' | 'duplicate' | 'automatic' | 'bounce' | 'rate_limited' | 'unknown_sender' | 'no_sender' | 'refused' | 'staff_unverified';

export interface IntakeResult {
  outcome: IntakeOutcome;
  ticketId?: string;
  detail?: string;
}

/** A list from the message as one bound parameter: a References header may name more ids than PostgreSQL takes parameters. */

/** By the database's clock, which stamped received_at. */
const anHourAgo = () => raw(`now() - interval '1 hour'`);

const addresses = (a: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.map((v) => v.address?.toLowerCase() ?? '')).filter(Boolean);

export class MailIntake {
  private readonly own: string[];
  private readonly domain: string;

  constructor(
    private readonly em: EntityManager,
    private readonly tickets: TicketService,
    private readonly attachments: AttachmentService,
    private readonly config: MailConfig,
    private readonly log: Logger,
  ) {
    const fromAddress = (/<([^>]+)>/.exec(config.from)?.[1] ?? config.from).toLowerCase();
    this.own = [...new Set([fromAddress, config.replyAddress.toLowerCase()])];
    this.domain = domainOf(config.replyAddress);
  }

  /**
   * `envelope` carries the SMTP MAIL FROM (empty for bounces) and RCPT TO addresses (false and none for mail fetched
   * from a mailbox); `via` says where it came from (SMTP, or the mailbox a plug-in fetched it from).
   */
  async receive(raw: Buffer, envelope: { from: string | false; to: string[] }, via = 'smtp'): Promise<IntakeResult> {
    const mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
    const messageId = mail.messageId?.trim() || `<sha256-${createHash('sha256').update(raw).digest('hex')}@${this.domain}>`;
    const sender = mail.from?.value[0]?.address?.toLowerCase() ?? '';
    const done = async (result: IntakeResult): Promise<IntakeResult> => {
      await this.em
        .fork()
        .createQueryBuilder(MailInbound)
        .insert({ messageId: messageId.slice(0, 998), sender: sender || '(none)', outcome: result.outcome, ticketId: result.ticketId ?? null, detail: result.detail?.slice(0, 500) ?? null })
        .onConflict('messageId')
        .merge(['outcome', 'ticketId', 'detail'])
        .execute();
      this.log.info({ messageId, sender, via, ...result }, 'inbound mail');
      return result;
    };

    const seen = await this.em.fork().findOne(MailInbound, { messageId: messageId.slice(0, 998) }, { fields: ['outcome', 'ticketId'] });
    if (seen && (seen.outcome === 'ticket_created' || seen.outcome === 'commented' || seen.outcome === 'bounce')) return { outcome: 'duplicate', ticketId: seen.ticketId ?? undefined };
    // Before the loop rules, which drop mail from mailer daemons: a bounce is news for the ticket it came back from.
    const bounce = bounceOf(mail, raw);
    if (bounce) return done(await this.bounced(bounce, messageId));
    if (!sender) return done({ outcome: 'no_sender' });

    // From the raw header lines: mailparser folds some headers (List-*) into structured values under other names.
    const lines = new Map<string, string>();
    for (const h of mail.headerLines) if (!lines.has(h.key)) lines.set(h.key, h.line.slice(h.line.indexOf(':') + 1).trim());
    const header = (name: string): string | undefined => lines.get(name);
    // Mail fetched from a mailbox has no SMTP envelope: the Return-Path its server stamped stands for it (<> for bounces).
    const returnPath = header('return-path');
    const envelopeFrom = envelope.from === false && returnPath !== undefined ? returnPath.replace(/^<|>$/g, '').trim().toLowerCase() : envelope.from;
    const automatic = automaticReason(header, sender, envelopeFrom, this.own, this.domain);
    if (automatic) return done({ outcome: 'automatic', detail: automatic });

    const n = await this.em.fork().count(MailInbound, { sender, receivedAt: { $gt: anHourAgo() } });
    if (n >= this.config.inboundPerSenderPerHour) return done({ outcome: 'rate_limited', detail: `more than ${this.config.inboundPerSenderPerHour} messages in an hour` });

    const user = await this.senderAccount(sender, mail);
    if (!user) return done({ outcome: 'unknown_sender' });

    // A From header is easy to forge: staff act by mail only through a reply token the desk mailed to them (a secret in
    // their own inbox), never by References alone nor by opening tickets, so a forged From cannot speak as an agent.
    const staff = user.role !== 'customer';
    const ticketId = await this.threadOf(mail, envelope.to, user.id, !staff);
    if (staff && !ticketId) return done({ outcome: 'staff_unverified', detail: 'staff mail must answer a reply address the desk sent them' });
    const text = mail.text?.trim() || '';
    if (ticketId) {
      try {
        await this.tickets.comment(user, ticketId, { body: trimQuotedReply(text) || '(no text)', visibility: 'public' });
        const detail = await this.attach(user, ticketId, mail);
        return done({ outcome: 'commented', ticketId, detail });
      } catch (err) {
        // Not theirs, or the ticket no longer takes comments: the message opens a ticket of its own rather than being lost.
        if (!(err instanceof ProblemError) || ![403, 404, 409, 422].includes(err.status)) throw err;
        this.log.info({ ticketId, status: err.status }, 'reply cannot be threaded; opening a new ticket');
      }
    }
    const title = (mail.subject?.replace(/\s+/g, ' ').trim() || text.split('\n')[0] || '(no subject)').slice(0, 200);
    try {
      const { ticket } = await this.tickets.create(
        user,
        { type: this.config.inboundTicketType, title: /\S/.test(title) ? title : '(no subject)', description: text.slice(0, 20000), priority: this.config.inboundPriority, channel: 'email' } as never,
        `mail:${messageId}`,
        undefined,
        // MAIL_INBOUND_PRIORITY is the operator's choice: it holds whatever customers may pick in the portal.
        { operatorPriority: true },
      );
      const detail = await this.attach(user, ticket.id, mail);
      return done({ outcome: 'ticket_created', ticketId: ticket.id, detail });
    } catch (err) {
      if (err instanceof ProblemError && err.status < 500) return done({ outcome: 'refused', detail: err.message });
      throw err;
    }
  }

  /**
   * Each address that failed for good is no longer mailed (the outbox skips it), and the ticket the returned message
   * belonged to gets an internal note saying so, once per bounce.
   */
  private async bounced(bounce: Bounce, messageId: string): Promise<IntakeResult> {
    const db = this.em.fork();
    // A notification is easy to forge, and thread ids are no secret: only one that returns a message the desk really
    // sent (its own Message-ID) to the failed address may stop mail to it; anything else is dropped as automatic.
    const refs = bounce.references.map((r) => r.slice(0, 998));
    // The outbox keeps addresses as they were written: lowered by the database, as before, to compare.
    const sent = refs.length
      ? await db
          .createQueryBuilder(MailOutboxMessage, 'o')
          .select([raw('lower(o.to_address) as "toAddress"'), 'ticketId'])
          .where({ $or: [{ messageId: among(refs) }, { digestMessageId: among(refs) }], [raw((o) => `lower(${o}.to_address)`)]: among(bounce.failed.map((f) => f.address)) })
          .execute<Array<Pick<InferEntity<typeof MailOutboxMessage>, 'toAddress' | 'ticketId'>>>()
      : [];
    const failed = bounce.failed.filter((f) => sent.some((s) => s.toAddress === f.address));
    if (!failed.length) return { outcome: 'automatic', detail: 'a delivery failure about no mail the desk sent' };
    const ticketId = sent.find((s) => s.ticketId)?.ticketId ?? undefined;
    for (const f of failed) {
      // A later bounce keeps the ticket an earlier one named when it names none itself.
      await db
        .createQueryBuilder(MailUndeliverable)
        .insert({ email: f.address, status: f.status, diagnostic: f.diagnostic, ticketId: ticketId ?? null })
        .onConflict('email')
        .merge({ status: f.status, diagnostic: f.diagnostic, ticketId: raw('coalesce(excluded.ticket_id, mail_undeliverable.ticket_id)'), bouncedAt: raw('now()') })
        .execute();
    }
    const list = failed.map((f) => `${f.address} (${f.status}${f.diagnostic ? `: ${f.diagnostic}` : ''})`).join(', ');
    const body = `Mail to ${list} could not be delivered. The desk no longer mails ${failed.length === 1 ? 'this address' : 'these addresses'}; reach the requester another way, or correct the address. / Le courriel n’a pas pu être remis ; le guichet n’écrit plus à ${failed.length === 1 ? 'cette adresse' : 'ces adresses'}.`;
    // A digest's bounce stops the address too; it belongs to no ticket, so there is no note.
    if (ticketId) {
      await this.tickets.systemNote(ticketId, body, messageId).catch((err: unknown) => {
        // A ticket gone or closed to notes keeps the address stopped; the note is the only thing lost.
        if (!(err instanceof ProblemError) || err.status >= 500) throw err;
        this.log.info({ ticketId, status: err.status }, 'bounce note not added');
      });
    }
    return { outcome: 'bounce', ticketId, detail: `undeliverable: ${list}` };
  }

  /** The ticket one of our Message-IDs belongs to (thread ids name it; other outbound ids are in the outbox). */
  private async ticketOfReferences(refs: string[]): Promise<string | undefined> {
    for (const ref of refs) {
      const direct = ticketOfThreadId(ref, this.domain);
      if (direct) return direct;
    }
    if (!refs.length) return undefined;
    const row = await this.em
      .fork()
      .findOne(MailOutboxMessage, { ticketId: { $ne: null }, messageId: among(refs.map((r) => (r.startsWith('<') ? r : `<${r}>`))) }, { fields: ['ticketId'] });
    return row?.ticketId ?? undefined;
  }

  /** The sender's account; unknown senders get a customer account only when the desk allows it. */
  private async senderAccount(sender: string, mail: ParsedMail): Promise<AuthUser | null> {
    const db = this.em.fork();
    const row = await db.findOne(User, { email: sender, disabled: false }, { fields: ['id'] });
    if (row) return this.tickets.userById(row.id);
    if ((await db.count(User, { email: sender })) || !this.config.inboundCreateCustomers) return null;
    const name = (mail.from?.value[0]?.name?.trim() || sender.slice(0, sender.indexOf('@'))).slice(0, 200);
    const locale = /^fr\b/i.test(String(mail.headers.get('content-language') ?? '')) ? 'fr' : 'en';
    // Two messages from a new sender at once: the second finds the account the first created.
    await db.createQueryBuilder(User).insert({ id: randomUUID(), email: sender, name, role: 'customer', locale }).onConflict('email').ignore().execute();
    const created = await db.findOneOrFail(User, { email: sender }, { fields: ['id'] });
    return this.tickets.userById(created.id);
  }

  /**
   * The ticket a reply belongs to: a reply token in a recipient address that was issued to this sender, else (customers
   * only, whose comments the ticket's visibility rules still check) a Message-ID we sent in In-Reply-To/References.
   */
  private async threadOf(mail: ParsedMail, envelopeTo: string[], senderId: string, byReferences: boolean): Promise<string | undefined> {
    const db = this.em.fork();
    const recipients = [...envelopeTo.map((a) => a.toLowerCase()), ...addresses(mail.to), ...addresses(mail.cc)];
    for (const address of recipients) {
      const token = replyTokenOf(this.config.replyAddress, address);
      if (!token) continue;
      const row = await db.findOne(MailReplyToken, { token, userId: senderId }, { fields: ['ticketId'] });
      if (row) return row.ticketId;
    }
    if (!byReferences) return undefined;
    const refs = [mail.inReplyTo ?? '', ...(Array.isArray(mail.references) ? mail.references : mail.references ? [mail.references] : [])].flatMap((r) => r.split(/\s+/)).filter(Boolean);
    return this.ticketOfReferences(refs);
  }

  /** Keeps the attachments the desk accepts (same types and size limit as uploads); refused ones are named in the log. */
  private async attach(user: AuthUser, ticketId: string, mail: ParsedMail): Promise<string | undefined> {
    const refused: string[] = [];
    for (const a of mail.attachments) {
      if (a.related) continue; // inline images of an HTML signature
      try {
        await this.attachments.upload(user, ticketId, { filename: a.filename || 'attachment', contentType: a.contentType, visibility: 'public', body: Readable.from(a.content), declaredLength: a.size });
      } catch (err) {
        if (!(err instanceof ProblemError)) throw err;
        refused.push(`${a.filename ?? 'attachment'}: ${err.message}`);
      }
    }
    return refused.length ? `attachments refused: ${refused.join('; ')}` : undefined;
  }
}
