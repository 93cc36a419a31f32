// Email administration and preferences: templates (defaults + admins' overrides), users' notification choices, the forgot-password mail.
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { MailTemplate, NotificationPreference, User } from '../../../platform/db/entities/index';
import type { MailConfig } from '../../../platform/config';
import type { Logger } from '../../../platform/logger';
import { notFound, unprocessable } from '../../http/problem';
import type { AuthService } from '../auth/service';
import type { AuthUser } from '../auth/types';
import type { MailTransport } from '../../../mail/transport';
import { domainOf, messageIdFor } from '../../../mail/addresses';
import {
  DEFAULT_TEMPLATES,
  loadTemplates,
  MAIL_KINDS,
  MAIL_LOCALES,
  mailLocale,
  NOTIFICATION_KINDS,
  PLACEHOLDERS,
  renderHtml,
  renderText,
  unknownPlaceholders,
  type MailKind,
  type MailLocale,
  type Template,
  type Vars,
} from '../../../mail/templates';

export type NotificationMode = 'immediate' | 'digest' | 'off';

export interface TemplateView extends Template {
  kind: MailKind;
  locale: MailLocale;
  customised: boolean;
  placeholders: string[];
  updatedAt: string | null;
}

const SAMPLE: Vars = {
  recipient: { name: 'Camille Martin' },
  ticket: { number: 'INC-000042', title: 'Printer down on the 3rd floor', description: 'It shows error E-502 since this morning.', priority: 'high', url: 'https://desk.example/tickets/…' },
  comment: { author: 'Alex Agent', body: 'We replaced the toner; can you try again?' },
  state: { label: 'Resolved' },
  actor: { name: 'Alex Agent' },
  escalation: { name: 'resolution-breach' },
  reset: { url: 'https://desk.example/reset-password?token=…', expiresAt: '2026-11-25 14:00 UTC' },
  digest: { count: 3, items: '• [INC-000042] New reply: Printer down\n• [INC-000043] Now Resolved: VPN\n• [INC-000044] New reply: Laptop' },
};

const isKind = (k: string): k is MailKind => (MAIL_KINDS as readonly string[]).includes(k);
const isLocale = (l: string): l is MailLocale => (MAIL_LOCALES as readonly string[]).includes(l);

export class MailService {
  private readonly recentResets = new Map<string, number>();

  constructor(
    private readonly em: EntityManager,
    private readonly config: MailConfig,
    private readonly transport: MailTransport,
    private readonly auth: AuthService,
    private readonly log: Logger,
    private readonly inboundPort: number | undefined,
  ) {}

  settings() {
    const c = this.config;
    let smtp: string | null = null;
    if (c.smtpUrl) {
      const u = new URL(c.smtpUrl);
      smtp = `${u.protocol}//${u.hostname}:${u.port || (u.protocol === 'smtps:' ? 465 : 587)}`; // never the credentials
    }
    const at = c.replyAddress.lastIndexOf('@');
    return {
      outbound: { enabled: this.transport.enabled, smtp, from: c.from, publicUrl: c.publicUrl, digestIntervalSeconds: c.digestIntervalSeconds },
      inbound: {
        enabled: this.inboundPort !== undefined,
        listen: this.inboundPort !== undefined ? `${c.inboundHost}:${this.inboundPort}` : null,
        address: c.replyAddress,
        replyAddressFormat: `${c.replyAddress.slice(0, at)}+<token>@${c.replyAddress.slice(at + 1)}`,
        createCustomers: c.inboundCreateCustomers,
        ticketType: c.inboundTicketType,
        priority: c.inboundPriority,
        perSenderPerHour: c.inboundPerSenderPerHour,
      },
    };
  }

  async templates(): Promise<TemplateView[]> {
    const rows = await this.em.fork().findAll(MailTemplate);
    const byKey = new Map(rows.map((r) => [`${r.kind}:${r.locale}`, r]));
    return MAIL_KINDS.flatMap((kind) =>
      MAIL_LOCALES.map((locale) => {
        const row = byKey.get(`${kind}:${locale}`);
        const t = row ?? DEFAULT_TEMPLATES[kind][locale];
        return { kind, locale, subject: t.subject, body: t.body, customised: !!row, placeholders: PLACEHOLDERS[kind], updatedAt: row ? row.updatedAt.toISOString() : null };
      }),
    );
  }

  private check(kind: string, locale: string): { kind: MailKind; locale: MailLocale } {
    if (!isKind(kind) || !isLocale(locale)) throw notFound(`no template ${kind}/${locale}`);
    return { kind, locale };
  }

  private validate(kind: MailKind, t: Template): void {
    const errors = [
      ...unknownPlaceholders(kind, t.subject).map((p) => ({ pointer: '/subject', message: `unknown placeholder {{${p}}}` })),
      ...unknownPlaceholders(kind, t.body).map((p) => ({ pointer: '/body', message: `unknown placeholder {{${p}}}` })),
    ];
    if (errors.length) throw unprocessable(`placeholders this kind does not offer: ${errors.map((e) => e.message).join(', ')}`, errors, 'unknown-placeholder');
  }

  async saveTemplate(user: AuthUser, kind: string, locale: string, t: Template): Promise<TemplateView> {
    const k = this.check(kind, locale);
    this.validate(k.kind, t);
    // now(): the database's clock, as a new template's default, not this process's.
    await this.em.fork().upsert(MailTemplate, { ...k, subject: t.subject, body: t.body, updatedBy: user.id, updatedAt: raw('now()') });
    return (await this.templates()).find((v) => v.kind === k.kind && v.locale === k.locale)!;
  }

  async resetTemplate(kind: string, locale: string): Promise<TemplateView> {
    const k = this.check(kind, locale);
    await this.em.fork().nativeDelete(MailTemplate, k);
    return (await this.templates()).find((v) => v.kind === k.kind && v.locale === k.locale)!;
  }

  preview(kind: string, locale: string, t: Template): { subject: string; text: string; html: string } {
    const k = this.check(kind, locale);
    this.validate(k.kind, t);
    return { subject: renderText(t.subject, SAMPLE), text: renderText(t.body, SAMPLE), html: renderHtml(t.body, SAMPLE) };
  }

  async preferences(user: AuthUser): Promise<{ locale: MailLocale; kinds: Record<string, NotificationMode> }> {
    const em = this.em.fork();
    const rows = await em.find(NotificationPreference, { userId: user.id });
    const u = await em.findOne(User, user.id, { fields: ['locale'] });
    const kinds = Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, (rows.find((r) => r.kind === k)?.mode as NotificationMode | undefined) ?? 'immediate']));
    return { locale: mailLocale(u?.locale), kinds };
  }

  async savePreferences(user: AuthUser, body: { locale?: MailLocale; kinds?: Record<string, NotificationMode> }) {
    const kinds = body.kinds ?? {};
    // Digests gather queue traffic for staff; a customer follows a few tickets of their own, one mail each.
    if (user.role === 'customer' && Object.values(kinds).includes('digest')) {
      throw unprocessable('digests are for agents; choose immediate or off', Object.entries(kinds).filter(([, m]) => m === 'digest').map(([k]) => ({ pointer: `/kinds/${k}`, message: 'digest is for agents' })));
    }
    await this.em.fork().transactional(async (tx) => {
      if (body.locale) await tx.nativeUpdate(User, user.id, { locale: body.locale });
      const modes = Object.entries(kinds).map(([kind, mode]) => ({ userId: user.id, kind, mode }));
      if (modes.length) await tx.upsertMany(NotificationPreference, modes);
    });
    return this.preferences(user);
  }

  /**
   * Mails a reset link when the address has an active account, and does nothing otherwise; the caller answers the same
   * either way, after the same work, so the response never tells whether an address exists.
   */
  /** Whether this desk sends mail at all: the reset form must not promise a link it cannot send. */
  get outgoingEnabled(): boolean {
    return this.transport.enabled;
  }

  async forgotPassword(email: string): Promise<void> {
    // The form's address is ASCII (format: email), so lowercasing it here is the database's lower().
    const u = await this.em.fork().findOne(User, { email: email.toLowerCase(), disabled: false }, { fields: ['id', 'email', 'name', 'locale'] });
    if (!u) return;
    // One mail per account and minute: the form cannot be used to flood someone's inbox.
    const last = this.recentResets.get(u.id) ?? 0;
    if (Date.now() - last < 60_000) return;
    this.recentResets.set(u.id, Date.now());
    if (!this.transport.enabled) {
      this.log.warn({ user: u.id }, 'password reset requested but outgoing mail is off');
      return;
    }
    const { token, expiresAt } = await this.auth.createResetToken(u.id, null);
    const locale = mailLocale(u.locale);
    const tpl = (await loadTemplates(this.em))('password_reset', locale);
    const vars = {
      recipient: { name: u.name },
      reset: { url: `${this.config.publicUrl}/reset-password?token=${encodeURIComponent(token)}`, expiresAt: expiresAt.replace('T', ' ').slice(0, 16) + ' UTC' },
    };
    await this.transport.send({
      to: u.email,
      subject: renderText(tpl.subject, vars),
      text: renderText(tpl.body, vars),
      html: renderHtml(tpl.body, vars),
      messageId: messageIdFor(`reset:${token}`, domainOf(this.config.replyAddress)),
    });
  }
}
