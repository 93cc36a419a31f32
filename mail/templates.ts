// The mail kinds, their shipped French and English templates, and a tiny safe renderer ({{path}} placeholders only).
import type { EntityManager } from '@mikro-orm/postgresql';

/** Kinds a user can turn off or receive as a digest. */
export const NOTIFICATION_KINDS = ['ticket_created', 'comment', 'state_change', 'escalation', 'reminder'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
// An approval request is always mailed at once: the request waits on it, so it is neither digested nor turned off.
export const MAIL_KINDS = [...NOTIFICATION_KINDS, 'password_reset', 'digest', 'webhook_disabled', 'approval_request'] as const;
export type MailKind = (typeof MAIL_KINDS)[number];
export const MAIL_LOCALES = ['en', 'fr'] as const;
export type MailLocale = (typeof MAIL_LOCALES)[number];

export interface Template {
  subject: string;
  body: string;
}

export const mailLocale = (locale: string | null | undefined): MailLocale => (locale === 'fr' ? 'fr' : 'en');

/** The placeholders each kind offers (shown in the console's editor; anything else renders empty). */
export const PLACEHOLDERS: Record<MailKind, string[]> = {
  ticket_created: ['recipient.name', 'ticket.number', 'ticket.title', 'ticket.description', 'ticket.url'],
  comment: ['recipient.name', 'ticket.number', 'ticket.title', 'ticket.url', 'comment.author', 'comment.body'],
  state_change: ['recipient.name', 'ticket.number', 'ticket.title', 'ticket.url', 'state.label', 'actor.name'],
  escalation: ['recipient.name', 'ticket.number', 'ticket.title', 'ticket.url', 'ticket.priority', 'escalation.name'],
  reminder: ['recipient.name', 'ticket.number', 'ticket.title', 'ticket.url', 'reminder.text'],
  password_reset: ['recipient.name', 'reset.url', 'reset.expiresAt'],
  digest: ['recipient.name', 'digest.count', 'digest.items'],
  webhook_disabled: ['recipient.name', 'webhook.name', 'webhook.url', 'webhook.reason', 'webhook.consoleUrl'],
  approval_request: ['recipient.name', 'ticket.number', 'ticket.title', 'ticket.description', 'approval.requester', 'approval.url', 'approval.deadline', 'approval.reminder'],
};

export const DEFAULT_TEMPLATES: Record<MailKind, Record<MailLocale, Template>> = {
  ticket_created: {
    en: {
      subject: '[{{ticket.number}}] We received your request: {{ticket.title}}',
      body: 'Hello {{recipient.name}},\n\nWe received your request and opened ticket {{ticket.number}}. We will get back to you soon.\n\n{{ticket.title}}\n{{ticket.description}}\n\nFollow it at {{ticket.url}} or reply to this message.',
    },
    fr: {
      subject: '[{{ticket.number}}] Nous avons reçu votre demande : {{ticket.title}}',
      body: 'Bonjour {{recipient.name}},\n\nNous avons bien reçu votre demande et ouvert le ticket {{ticket.number}}. Nous revenons vers vous rapidement.\n\n{{ticket.title}}\n{{ticket.description}}\n\nSuivez-le sur {{ticket.url}} ou répondez à ce message.',
    },
  },
  comment: {
    en: {
      subject: '[{{ticket.number}}] New reply: {{ticket.title}}',
      body: 'Hello {{recipient.name}},\n\n{{comment.author}} wrote on ticket {{ticket.number}}:\n\n{{comment.body}}\n\nReply to this message or open {{ticket.url}}.',
    },
    fr: {
      subject: '[{{ticket.number}}] Nouvelle réponse : {{ticket.title}}',
      body: 'Bonjour {{recipient.name}},\n\n{{comment.author}} a écrit sur le ticket {{ticket.number}} :\n\n{{comment.body}}\n\nRépondez à ce message ou ouvrez {{ticket.url}}.',
    },
  },
  state_change: {
    en: {
      subject: '[{{ticket.number}}] Now {{state.label}}: {{ticket.title}}',
      body: 'Hello {{recipient.name}},\n\nTicket {{ticket.number}} ({{ticket.title}}) is now {{state.label}}.\n\nDetails: {{ticket.url}}',
    },
    fr: {
      subject: '[{{ticket.number}}] Désormais {{state.label}} : {{ticket.title}}',
      body: 'Bonjour {{recipient.name}},\n\nLe ticket {{ticket.number}} ({{ticket.title}}) est désormais : {{state.label}}.\n\nDétails : {{ticket.url}}',
    },
  },
  escalation: {
    en: {
      subject: '[{{ticket.number}}] Escalation {{escalation.name}}: {{ticket.title}}',
      body: 'Hello {{recipient.name}},\n\nTicket {{ticket.number}} ({{ticket.title}}, priority {{ticket.priority}}) was escalated ({{escalation.name}}) and needs attention.\n\n{{ticket.url}}',
    },
    fr: {
      subject: '[{{ticket.number}}] Escalade {{escalation.name}} : {{ticket.title}}',
      body: 'Bonjour {{recipient.name}},\n\nLe ticket {{ticket.number}} ({{ticket.title}}, priorité {{ticket.priority}}) a été escaladé ({{escalation.name}}) et demande votre attention.\n\n{{ticket.url}}',
    },
  },
  reminder: {
    en: {
      subject: '[{{ticket.number}}] Reminder: {{ticket.title}}',
      body: 'Hello {{recipient.name}},\n\n{{reminder.text}}\n\nTicket {{ticket.number}} ({{ticket.title}}): {{ticket.url}}',
    },
    fr: {
      subject: '[{{ticket.number}}] Rappel : {{ticket.title}}',
      body: 'Bonjour {{recipient.name}},\n\n{{reminder.text}}\n\nTicket {{ticket.number}} ({{ticket.title}}) : {{ticket.url}}',
    },
  },
  password_reset: {
    en: {
      subject: 'Reset your Guichet password',
      body: 'Hello {{recipient.name}},\n\nSomeone asked to reset the password of your account. To choose a new one, open this link (valid until {{reset.expiresAt}}):\n\n{{reset.url}}\n\nIf it was not you, ignore this message; your password stays as it is.',
    },
    fr: {
      subject: 'Réinitialisez votre mot de passe Guichet',
      body: "Bonjour {{recipient.name}},\n\nUne réinitialisation du mot de passe de votre compte a été demandée. Pour en choisir un nouveau, ouvrez ce lien (valable jusqu'au {{reset.expiresAt}}) :\n\n{{reset.url}}\n\nSi vous n'êtes pas à l'origine de cette demande, ignorez ce message ; votre mot de passe reste inchangé.",
    },
  },
  digest: {
    en: { subject: 'Guichet digest: {{digest.count}} updates', body: 'Hello {{recipient.name}},\n\n{{digest.count}} updates since the last digest:\n\n{{digest.items}}' },
    fr: { subject: 'Résumé Guichet : {{digest.count}} mises à jour', body: 'Bonjour {{recipient.name}},\n\n{{digest.count}} mises à jour depuis le dernier résumé :\n\n{{digest.items}}' },
  },
  webhook_disabled: {
    en: {
      subject: 'Webhook {{webhook.name}} was disabled',
      body: 'Hello {{recipient.name}},\n\nThe webhook subscription {{webhook.name}} ({{webhook.url}}) kept failing and was disabled: {{webhook.reason}}.\n\nEvents are no longer sent to it. Fix the receiver, then enable the subscription and redeliver what it missed at {{webhook.consoleUrl}}.',
    },
    fr: {
      subject: 'Le webhook {{webhook.name}} a été désactivé',
      body: "Bonjour {{recipient.name}},\n\nL'abonnement webhook {{webhook.name}} ({{webhook.url}}) échouait sans cesse et a été désactivé : {{webhook.reason}}.\n\nAucun événement ne lui est plus envoyé. Réparez le destinataire, puis réactivez l'abonnement et renvoyez ce qu'il a manqué sur {{webhook.consoleUrl}}.",
    },
  },
  approval_request: {
    en: {
      subject: '[{{ticket.number}}] {{approval.reminder}}Your approval is requested: {{ticket.title}}',
      body: 'Hello {{recipient.name}},\n\n{{approval.requester}} asks for: {{ticket.title}} (ticket {{ticket.number}}).\n\n{{ticket.description}}\n\nApprove or reject it here:\n{{approval.url}}\n{{approval.deadline}}\n\nThe link is yours alone and counts for one decision.',
    },
    fr: {
      subject: '[{{ticket.number}}] {{approval.reminder}}Votre approbation est demandée : {{ticket.title}}',
      body: "Bonjour {{recipient.name}},\n\n{{approval.requester}} demande : {{ticket.title}} (ticket {{ticket.number}}).\n\n{{ticket.description}}\n\nApprouvez ou refusez ici :\n{{approval.url}}\n{{approval.deadline}}\n\nCe lien n'est valable que pour vous et pour une seule décision.",
    },
  },
};

const PLACEHOLDER = /\{\{\s*([a-zA-Z][\w]*(?:\.[a-zA-Z][\w]*)*)\s*\}\}/g;

export type Vars = Record<string, unknown>;

function lookup(vars: Vars, path: string): string {
  let v: unknown = vars;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, part)) return '';
    v = (v as Record<string, unknown>)[part];
  }
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}

/** Replaces {{a.b}} with values (never evaluates anything); unknown placeholders render empty. */
export function renderText(template: string, vars: Vars): string {
  return template.replace(PLACEHOLDER, (_, path: string) => lookup(vars, path));
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The HTML part: template text and values both escaped, line breaks kept. */
export function renderHtml(template: string, vars: Vars): string {
  let out = '';
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    out += escapeHtml(template.slice(last, m.index)) + escapeHtml(lookup(vars, m[1]));
    last = m.index! + m[0].length;
  }
  out += escapeHtml(template.slice(last));
  return `<div style="font-family:sans-serif;white-space:pre-wrap">${out}</div>`;
}

/** Already-rendered text as HTML (nothing in it is a placeholder any more). */
export const textToHtml = (text: string): string => `<div style="font-family:sans-serif;white-space:pre-wrap">${escapeHtml(text)}</div>`;

/** Placeholders used by a template that its kind does not offer (the editor refuses them). */
export function unknownPlaceholders(kind: MailKind, template: string): string[] {
  const allowed = new Set(PLACEHOLDERS[kind]);
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]).filter((p) => !allowed.has(p));
}

/** The template in force: the admin's override if any, else the shipped default. */
export async function loadTemplates(em: EntityManager): Promise<(kind: MailKind, locale: MailLocale) => Template> {
  const rows = await em.fork().execute<Array<{ kind: MailKind; locale: MailLocale; subject: string; body: string }>>('select kind, locale, subject, body from mail_templates');
  const overrides = new Map(rows.map((r) => [`${r.kind}:${r.locale}`, { subject: r.subject, body: r.body }]));
  return (kind, locale) => overrides.get(`${kind}:${locale}`) ?? DEFAULT_TEMPLATES[kind][locale];
}
