// Locale-aware formatting of dates, durations and server-sent labels for the current UI language.
import { useI18n } from 'vue-i18n';

/** A label in the languages its author gave (definitions may give only some). */
type LocalizedText = { en?: string; fr?: string } & Record<string, string | undefined>;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function useFormat() {
  const { locale, t, te } = useI18n();

  function formatDate(iso: string | null | undefined): string {
    if (!iso) return t('common.none');
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    return new Intl.DateTimeFormat(locale.value, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
  }

  // Two units are enough to act on an SLA ("1 day 4 hr"); more digits only add noise.
  function formatDuration(ms: number): string {
    const abs = Math.abs(ms);
    const parts: Array<[number, 'day' | 'hour' | 'minute']> = abs >= DAY
      ? [[Math.floor(abs / DAY), 'day'], [Math.floor((abs % DAY) / HOUR), 'hour']]
      : [[Math.floor(abs / HOUR), 'hour'], [Math.floor((abs % HOUR) / MINUTE), 'minute']];
    const shown = parts.filter(([value], index) => value > 0 || index === parts.length - 1);
    return shown
      .map(([value, unit]) => new Intl.NumberFormat(locale.value, { style: 'unit', unit, unitDisplay: 'short' }).format(value))
      .join(' ');
  }

  function localized(text: LocalizedText | string | null | undefined, fallback = ''): string {
    if (!text) return fallback;
    if (typeof text === 'string') return text;
    return text[locale.value] ?? text.en ?? Object.values(text).find(Boolean) ?? fallback;
  }

  // Definitions may introduce values the console has no words for yet; show them raw rather than a key path.
  function label(group: string, value: string): string {
    const key = `${group}.${value}`;
    return te(key) ? t(key) : value;
  }

  return { formatDate, formatDuration, localized, label };
}
