// Request and response schemas of the email routes.
import { MAIL_KINDS, MAIL_LOCALES, NOTIFICATION_KINDS } from '../../../mail/templates';

export const templateBody = {
  type: 'object',
  required: ['subject', 'body'],
  additionalProperties: false,
  properties: {
    subject: { type: 'string', minLength: 1, maxLength: 300, pattern: '\\S' },
    body: { type: 'string', minLength: 1, maxLength: 20000, pattern: '\\S' },
  },
} as const;

const mailLocale = { title: 'MailLocale', type: 'string', enum: [...MAIL_LOCALES] } as const;

export const templateView = {
  title: 'MailTemplate',
  type: 'object',
  required: ['kind', 'locale', 'subject', 'body', 'customised', 'placeholders', 'updatedAt'],
  properties: {
    kind: { title: 'MailKind', type: 'string', enum: [...MAIL_KINDS] },
    locale: mailLocale,
    subject: { type: 'string' },
    body: { type: 'string' },
    customised: { type: 'boolean' },
    placeholders: { type: 'array', items: { type: 'string' } },
    updatedAt: { type: ['string', 'null'], format: 'date-time', description: 'when an admin last changed it (null: the default)' },
  },
} as const;

export const previewView = {
  title: 'MailPreview',
  type: 'object',
  required: ['subject', 'text', 'html'],
  properties: { subject: { type: 'string' }, text: { type: 'string' }, html: { type: 'string' } },
} as const;

const mode = { title: 'NotificationMode', type: 'string', enum: ['immediate', 'digest', 'off'] } as const;

const notificationKinds = { type: 'object', additionalProperties: false, properties: Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, mode])) } as const;

export const preferencesBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    locale: mailLocale,
    kinds: notificationKinds,
  },
} as const;

export const preferencesView = {
  title: 'NotificationPreferences',
  type: 'object',
  required: ['locale', 'kinds'],
  properties: { locale: mailLocale, kinds: { ...notificationKinds, required: [...NOTIFICATION_KINDS] } },
} as const;

export const settingsView = {
  title: 'MailSettings',
  type: 'object',
  required: ['outbound', 'inbound'],
  properties: {
    outbound: {
      type: 'object',
      required: ['enabled', 'smtp', 'from', 'publicUrl', 'digestIntervalSeconds'],
      properties: {
        enabled: { type: 'boolean' },
        smtp: { type: ['string', 'null'] },
        from: { type: 'string' },
        publicUrl: { type: 'string' },
        digestIntervalSeconds: { type: 'integer' },
      },
    },
    inbound: {
      type: 'object',
      required: ['enabled', 'listen', 'address', 'replyAddressFormat', 'createCustomers', 'ticketType', 'priority', 'perSenderPerHour'],
      properties: {
        enabled: { type: 'boolean' },
        listen: { type: ['string', 'null'] },
        address: { type: 'string' },
        replyAddressFormat: { type: 'string' },
        createCustomers: { type: 'boolean' },
        ticketType: { type: 'string' },
        priority: { type: 'string' },
        perSenderPerHour: { type: 'integer' },
      },
    },
  },
} as const;

export const forgotBody = {
  type: 'object',
  required: ['email'],
  additionalProperties: false,
  properties: { email: { type: 'string', format: 'email', maxLength: 254 } },
} as const;
