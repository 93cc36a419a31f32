// Email store: the desk's email settings and templates (admins) and the signed-in user's notification preferences.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api } from '../api/client';

export type MailKind = 'ticket_created' | 'comment' | 'state_change' | 'escalation' | 'reminder' | 'password_reset' | 'digest' | 'webhook_disabled';
export type NotificationKind = 'ticket_created' | 'comment' | 'state_change' | 'escalation' | 'reminder';
export type NotificationMode = 'immediate' | 'digest' | 'off';
export type MailLocale = 'en' | 'fr';

export interface MailTemplate {
  kind: MailKind;
  locale: MailLocale;
  subject: string;
  body: string;
  customised: boolean;
  placeholders: string[];
  updatedAt: string | null;
}

export interface MailSettings {
  outbound: { enabled: boolean; smtp: string | null; from: string; publicUrl: string; digestIntervalSeconds: number };
  inbound: {
    enabled: boolean;
    listen: string | null;
    address: string;
    replyAddressFormat: string;
    createCustomers: boolean;
    ticketType: string;
    priority: string;
    perSenderPerHour: number;
  };
}

export interface NotificationPreferences {
  locale: MailLocale;
  kinds: Record<NotificationKind, NotificationMode>;
}

export interface MailPreview {
  subject: string;
  text: string;
  html: string;
}

const path = (kind: MailKind, locale: MailLocale) => `/mail/templates/${encodeURIComponent(kind)}/${encodeURIComponent(locale)}`;

export const useMailStore = defineStore('mail', () => {
  const settings = ref<MailSettings | null>(null);
  const templates = ref<MailTemplate[]>([]);
  const preferences = ref<NotificationPreferences | null>(null);

  async function fetchSettings(): Promise<MailSettings> {
    settings.value = await api.get<MailSettings>('/mail/settings');
    return settings.value;
  }

  async function fetchTemplates(): Promise<MailTemplate[]> {
    templates.value = (await api.get<{ items: MailTemplate[] }>('/mail/templates')).items;
    return templates.value;
  }

  function replace(t: MailTemplate): MailTemplate {
    templates.value = templates.value.map((x) => (x.kind === t.kind && x.locale === t.locale ? t : x));
    return t;
  }

  async function saveTemplate(kind: MailKind, locale: MailLocale, subject: string, body: string): Promise<MailTemplate> {
    return replace(await api.put<MailTemplate>(path(kind, locale), { subject, body }));
  }

  async function resetTemplate(kind: MailKind, locale: MailLocale): Promise<MailTemplate> {
    return replace(await api.delete<MailTemplate>(path(kind, locale)));
  }

  function previewTemplate(kind: MailKind, locale: MailLocale, subject: string, body: string): Promise<MailPreview> {
    return api.post<MailPreview>(`${path(kind, locale)}/preview`, { subject, body });
  }

  async function fetchPreferences(): Promise<NotificationPreferences> {
    preferences.value = await api.get<NotificationPreferences>('/me/notifications');
    return preferences.value;
  }

  async function savePreferences(next: Partial<NotificationPreferences>): Promise<NotificationPreferences> {
    preferences.value = await api.put<NotificationPreferences>('/me/notifications', next);
    return preferences.value;
  }

  function forgotPassword(email: string): Promise<{ accepted: true; mailEnabled: boolean }> {
    return api.post<{ accepted: true; mailEnabled: boolean }>('/auth/forgot-password', { email });
  }

  function resetPassword(token: string, newPassword: string): Promise<void> {
    return api.post<void>('/auth/password-reset', { token, newPassword });
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
