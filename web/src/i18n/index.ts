// Sets up vue-i18n: locale from localStorage, else the browser language; changes are persisted.
import { createI18n } from 'vue-i18n';
import en, { type Messages } from './en';
import fr from './fr';
import { pluralRule } from './plural';

export const LOCALES = ['en', 'fr'] as const;
export type Locale = (typeof LOCALES)[number];

const STORAGE_KEY = 'guichet.locale';

function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

function initialLocale(): Locale {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (isLocale(stored)) return stored;
  } catch {
    // Storage can be disabled (private mode, policies); the browser language still works.
  }
  const browser = (navigator.language || 'en').slice(0, 2).toLowerCase();
  return isLocale(browser) ? browser : 'en';
}

export const i18n = createI18n<[Messages], Locale, false>({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'en',
  messages: { en, fr },
  pluralRules: { en: pluralRule('en'), fr: pluralRule('fr') },
});

export function currentLocale(): Locale {
  return i18n.global.locale.value;
}

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale;
  document.documentElement.lang = locale;
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Not persisting is acceptable; the choice still holds for this tab.
  }
}

document.documentElement.lang = currentLocale();
