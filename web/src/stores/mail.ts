// Email store: the desk's email settings and templates (admins) and the signed-in user's notification preferences.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { http } from '../api/http';
import type { MailKind, MailLocale, MailPreview, MailSettings, MailTemplate, NotificationPreferences } from '../api/generated';

export type { MailKind, MailLocale, MailPreview, MailSettings, MailTemplate, NotificationMode, NotificationPreferences } from '../api/generated';
export type NotificationKind = keyof NotificationPreferences['kinds'];


export const useMailStore = defineStore('mail', () => {
  const settings = ref<MailSettings | null>(null);
  const templates = ref<MailTemplate[]>([]);
  const preferences = ref<NotificationPreferences | null>(null);

  async function fetchSettings(): Promise<MailSettings> {
    settings.value = await http.get('/mail/settings');
    return settings.value;
  }

  async function fetchTemplates(): Promise<MailTemplate[]> {
    templates.value = (await http.get('/mail/templates')).items;
    return templates.value;
  }

  function replace(t: MailTemplate): MailTemplate {
    templates.value = templates.value.map((x) => (x.kind === t.kind && x.locale === t.locale ? t : x));
    return t;
  }

  async function saveTemplate(kind: MailKind, locale: MailLocale, subject: string, body: string): Promise<MailTemplate> {
    return replace(await http.put('/mail/templates/{kind}/{locale}', { path: { kind, locale }, body: { subject, body } }));
  }

  async function resetTemplate(kind: MailKind, locale: MailLocale): Promise<MailTemplate> {
    return replace(await http.delete('/mail/templates/{kind}/{locale}', { path: { kind, locale } }));
  }

  function previewTemplate(kind: MailKind, locale: MailLocale, subject: string, body: string): Promise<MailPreview> {
    return http.post('/mail/templates/{kind}/{locale}/preview', { path: { kind, locale }, body: { subject, body } });
  }

  async function fetchPreferences(): Promise<NotificationPreferences> {
    preferences.value = await http.get('/me/notifications');
    return preferences.value;
  }

  async function savePreferences(next: { locale?: MailLocale; kinds?: Partial<NotificationPreferences['kinds']> }): Promise<NotificationPreferences> {
    preferences.value = await http.put('/me/notifications', { body: next });
    return preferences.value;
  }

  function forgotPassword(email: string): Promise<{ accepted: true; mailEnabled: boolean }> {
    return http.post('/auth/forgot-password', { body: { email } });
  }

  function resetPassword(token: string, newPassword: string): Promise<void> {
    return http.post('/auth/password-reset', { body: { token, newPassword } });
  }

  function reset(): void {
    settings.value = null;
    templates.value = [];
    preferences.value = null;
  }

  return {
    settings,
    templates,
    preferences,
    fetchSettings,
    fetchTemplates,
    saveTemplate,
    resetTemplate,
    previewTemplate,
    fetchPreferences,
    savePreferences,
    forgotPassword,
    resetPassword,
    reset,
  };
});
