// Email over HTTP: settings and templates (admins), notification preferences (everyone), forgot password (public).
import type { RouteTable } from '../../http/routes';
import type { Logger } from '../../../platform/logger';
import type { MailService, NotificationMode } from './service';
import type { MailLocale, Template } from '../../../mail/templates';
import { forgotBody, preferencesBody, preferencesView, previewView, settingsView, templateBody, templateView } from './schemas';
import { listOf } from '../../http/shapes';
import { undeliverableQuery, undeliverableView, type UndeliverableAddresses } from './undeliverable';


export function mailRoutes(table: RouteTable, mail: MailService, undeliverable: UndeliverableAddresses, log: Logger): void {
  table.add<unknown, { q?: string }>({
    method: 'get',
    path: '/api/mail/undeliverable',
    summary: 'Addresses mail bounced from for good, newest first (at most 200; q filters by address): the desk no longer mails them (admin)',
    tag: 'mail',
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    query: undeliverableQuery,
    responses: { 200: { description: 'Undeliverable addresses', schema: listOf(undeliverableView) }, 403: { description: 'Not an admin' } },
    handler: async ({ query }) => ({ body: await undeliverable.list(query.q?.trim() || undefined) }),
  });
  table.add({
    method: 'delete',
    path: '/api/mail/undeliverable/:email',
    summary: 'Mail this address again (once it is fixed); mail already given up on is not resent (admin)',
    tag: 'mail',
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    responses: { 204: { description: 'Mailed again from now on' }, 403: { description: 'Not an admin' }, 404: { description: 'Not among the undeliverable addresses' } },
    handler: async ({ params }) => {
      await undeliverable.clear(params.email!);
      return { status: 204 };
    },
  });
  table.add({
    method: 'get',
    path: '/api/mail/settings',
    summary: 'What email is configured: outbound SMTP (never its credentials), inbound endpoint and reply address format (admin)',
    tag: 'mail',
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    responses: { 200: { description: 'Settings (from the environment)', schema: settingsView }, 403: { description: 'Not an admin' } },
    handler: () => ({ body: mail.settings() }),
  });
  table.add({
    method: 'get',
    path: '/api/mail/templates',
    summary: 'Every mail template per kind and language: the admin override or the shipped default (admin)',
    tag: 'mail',
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    responses: { 200: { description: 'Templates', schema: listOf(templateView) }, 403: { description: 'Not an admin' } },
    handler: async () => ({ body: { items: await mail.templates() } }),
  });
  table.add<Template>({
    method: 'put',
    path: '/api/mail/templates/:kind/:locale',
    audits: { entity: 'mail_template', id: ({ params }) => `${params.kind}/${params.locale}` },
    summary: 'Replace a template; placeholders are {{name}} from the kind\'s list, values are HTML-escaped in the HTML part (admin)',
    tag: 'mail',
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    body: templateBody,
    responses: {
      200: { description: 'Saved', schema: templateView },
      403: { description: 'Not an admin' },
      404: { description: 'No such kind or language' },
      422: { description: 'Unknown placeholder' },
    },
    handler: async ({ user, params, body }) => ({ body: await mail.saveTemplate(user, params.kind, params.locale, body) }),
  });
  table.add({
    method: 'delete',
    path: '/api/mail/templates/:kind/:locale',
    audits: { entity: 'mail_template', id: ({ params }) => `${params.kind}/${params.locale}` },
    summary: 'Go back to the shipped default template (admin)',
    tag: 'mail',
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    responses: { 200: { description: 'The default now in force', schema: templateView }, 403: { description: 'Not an admin' }, 404: { description: 'No such kind or language' } },
    handler: async ({ params }) => ({ body: await mail.resetTemplate(params.kind, params.locale) }),
  });
  table.add<Template>({
    method: 'post',
    path: '/api/mail/templates/:kind/:locale/preview',
    summary: 'Render a template with sample values, without saving it (admin)',
    tag: 'mail',
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    body: templateBody,
    responses: {
      200: { description: 'Rendered', schema: previewView },
      403: { description: 'Not an admin' },
      404: { description: 'No such kind or language' },
      422: { description: 'Unknown placeholder' },
    },
    handler: ({ params, body }) => ({ body: mail.preview(params.kind, params.locale, body) }),
  });
  table.add({
    method: 'get',
    path: '/api/me/notifications',
    summary: 'Your notification preferences: language and, per kind, immediate, digest (agents) or off',
    tag: 'mail',
    auth: 'user',
    responses: { 200: { description: 'Preferences', schema: preferencesView } },
    handler: async ({ user }) => ({ body: await mail.preferences(user) }),
  });
  table.add<{ locale?: MailLocale; kinds?: Record<string, NotificationMode> }>({
    method: 'put',
    path: '/api/me/notifications',
    summary: 'Change your notification preferences (kinds not named keep their mode)',
    tag: 'mail',
    auth: 'user',
    body: preferencesBody,
    responses: { 200: { description: 'Preferences', schema: preferencesView }, 422: { description: 'Digest asked by a customer' } },
    handler: async ({ user, body }) => ({ body: await mail.savePreferences(user, body) }),
  });
  table.add<{ email: string }>({
    method: 'post',
    path: '/api/auth/forgot-password',
    summary: 'Mail a password reset link to this address if it has an account; the answer is the same whether it does or not',
    tag: 'auth',
    auth: 'public',
    body: forgotBody,
    responses: {
      202: {
        description: 'If the address has an account and outgoing mail is on (mailEnabled, a fact of the desk, not of the account), a link is on its way',
        schema: { type: 'object', required: ['accepted', 'mailEnabled'], properties: { accepted: { const: true }, mailEnabled: { type: 'boolean' } } },
      },
    },
    handler: ({ body }) => {
      // Not awaited: the answer and its timing must not depend on whether the account exists.
      void mail.forgotPassword(body.email).catch((err) => log.error({ err }, 'password reset mail failed'));
      return { status: 202, body: { accepted: true, mailEnabled: mail.outgoingEnabled } };
    },
  });
}
