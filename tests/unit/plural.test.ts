// The console's messages take the plural form their language's rules give: French says "0 ticket ouvert".
import { createI18n } from 'vue-i18n';
import en from '../../web/src/i18n/en';
import fr from '../../web/src/i18n/fr';
import { pluralRule } from '../../web/src/i18n/plural';
import { queueEn } from '../../web/src/i18n/workspace.en';
import { queueFr } from '../../web/src/i18n/workspace.fr';

const i18n = createI18n({ legacy: false, locale: 'fr', fallbackLocale: 'en', messages: { en: { ...en, queue: queueEn }, fr: { ...fr, queue: queueFr } }, pluralRules: { en: pluralRule('en'), fr: pluralRule('fr') } });
const t = (locale: 'en' | 'fr', key: string, count: number) => {
  i18n.global.locale.value = locale;
  return i18n.global.t(key, { count }, count);
};

it('should keep 0 and 1 singular in French and make 0 plural in English', () => {
  expect([0, 1, 2, 12].map((n) => t('fr', 'queue.openCount', n))).toEqual(['0 ticket ouvert', '1 ticket ouvert', '2 tickets ouverts', '12 tickets ouverts']);
  expect([0, 1, 2].map((n) => t('en', 'queue.openCount', n))).toEqual(['0 open tickets', '1 open ticket', '2 open tickets']);
});

it('should still give a three-form message its own words for zero', () => {
  expect([0, 1, 2].map((n) => t('fr', 'webhooks.queued', n))).toEqual(['Aucun envoi en file.', '1 envoi en file.', '2 envois en file.']);
});

it('should count by absolute value and fall back to the last form', () => {
  expect(pluralRule('fr')(-1, 2)).toBe(0);
  expect(pluralRule('en')(5, 1)).toBe(0);
});
