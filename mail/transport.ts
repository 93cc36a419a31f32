// Sends mail over SMTP with nodemailer; without SMTP_URL mail is off (said once in the log) and sending is a no-op.
import nodemailer from 'nodemailer';
import type { MailConfig } from '../platform/config';
import type { Logger } from '../platform/logger';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  replyTo?: string;
  inReplyTo?: string;
  references?: string[];
}

export interface MailTransport {
  readonly enabled: boolean;
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export function createMailTransport(config: MailConfig, log: Logger): MailTransport {
  if (!config.smtpUrl) {
    log.info('SMTP_URL is not set: outgoing mail is off');
    return { enabled: false, send: async () => {}, close: () => {} };
  }
  // Short timeouts: the outbox holds its claimed rows while sending, and a stalled server must release them soon.
  const url = new URL(config.smtpUrl);
  for (const [k, v] of Object.entries({ connectionTimeout: '10000', greetingTimeout: '10000', socketTimeout: '30000' })) if (!url.searchParams.has(k)) url.searchParams.set(k, v);
  const transporter = nodemailer.createTransport(url.toString(), { from: config.from });
  return {
    enabled: true,
    async send(mail) {
      await transporter.sendMail({
        from: config.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        replyTo: mail.replyTo,
        inReplyTo: mail.inReplyTo,
        references: mail.references,
        // RFC 3834: we are a machine; well-behaved auto-responders must not answer us.
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
      });
    },
    close: () => transporter.close(),
  };
}
