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

export const templateView = {
  type: 'object',
  required: ['kind', 'locale', 'subject', 'body', 'customised', 'placeholders'],
  properties: {
    kind: { type: 'string', enum: [...MAIL_KINDS] },
    locale: { type: 'string', enum: [...MAIL_LOCALES] },
    subject: { type: 'string' },
    body: { type: 'string' },
    customised: { type: 'boolean' },
    placeholders: { type: 'array', items: { type: 'string' } },
    updatedAt: { type: ['string', 'null'] },
  },
} as const;

export const previewView = {
  type: 'object',
  required: ['subject', 'text', 'html'],
  properties: { subject: { type: 'string' }, text: { type: 'string' }, html: { type: 'string' } },
} as const;

const mode = { type: 'string', enum: ['immediate', 'digest', 'off'] } as const;

export const preferencesBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    locale: { type: 'string', enum: [...MAIL_LOCALES] },
    kinds: { type: 'object', additionalProperties: false, properties: Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, mode])) },
  },
} as const;

export const preferencesView = {
  type: 'object',
  required: ['locale', 'kinds'],
  properties: { locale: { type: 'string' }, kinds: { type: 'object', additionalProperties: mode } },
} as const;

export const settingsView = {
  type: 'object',
  required: ['outbound', 'inbound'],
  properties: {
    outbound: {
      type: 'object',
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
