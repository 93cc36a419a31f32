// Recurrence rules for people: the simple rules a form can build (every n days, weeks on some weekdays, months on a day
// or the n-th weekday, years), to and from RRULE text, and any rule the desk accepts said in English or French.
import { parseRRule, type Freq, type RRule } from './recurrence';

const CODES = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;

export interface SimpleRule {
  freq: Freq;
  interval: number;
  /** WEEKLY: the weekdays (0 = Sunday); empty means the start's weekday. */
  weekdays: number[];
  /** MONTHLY on a day of the month (1..31, -1 = the last day). */
  monthDay: number | null;
  /** MONTHLY on the n-th weekday (1..4, -1 = the last). */
  nth: { ordinal: number; weekday: number } | null;
  count: number | null;
  /** Last local date, 'YYYY-MM-DD'. */
  until: string | null;
}

export const SIMPLE_DEFAULT: SimpleRule = { freq: 'MONTHLY', interval: 1, weekdays: [], monthDay: null, nth: { ordinal: 1, weekday: 1 }, count: null, until: null };

const pad = (n: number) => String(n).padStart(2, '0');

/** The rule as the form shows it, or null when it uses parts the form does not have (the raw text is edited then). */
export function toSimple(text: string): SimpleRule | null {
  let r: RRule;
  try {
    r = parseRRule(text);
  } catch {
    return null;
  }
  if (r.byMonth.length || (r.until && 'instant' in r.until)) return null;
  const until = r.until && 'date' in r.until ? `${r.until.date.y}-${pad(r.until.date.m)}-${pad(r.until.date.d)}` : null;
  const base = { freq: r.freq, interval: r.interval, weekdays: [], monthDay: null, nth: null, count: r.count, until };
  if (r.freq === 'DAILY' || r.freq === 'YEARLY') return r.byDay.length || r.byMonthDay.length ? null : base;
  if (r.freq === 'WEEKLY') {
    if (r.byMonthDay.length || r.byDay.some((d) => d.ordinal !== null)) return null;
    return { ...base, weekdays: [...new Set(r.byDay.map((d) => d.weekday))].sort() };
  }
  // MONTHLY: one day of the month, or one n-th weekday (first to fourth, or last), or the start's day.
  if (r.byDay.length === 0 && r.byMonthDay.length <= 1) return { ...base, monthDay: r.byMonthDay[0] ?? null };
  const [d] = r.byDay;
  if (r.byDay.length === 1 && !r.byMonthDay.length && d!.ordinal !== null && (d!.ordinal === -1 || (d!.ordinal >= 1 && d!.ordinal <= 4))) {
    return { ...base, nth: { ordinal: d!.ordinal, weekday: d!.weekday } };
  }
  return null;
}

export function fromSimple(rule: SimpleRule): string {
  const parts = [`FREQ=${rule.freq}`];
  if (rule.interval > 1) parts.push(`INTERVAL=${rule.interval}`);
  if (rule.freq === 'WEEKLY' && rule.weekdays.length) parts.push(`BYDAY=${[...rule.weekdays].sort().map((w) => CODES[w]).join(',')}`);
  if (rule.freq === 'MONTHLY' && rule.nth) parts.push(`BYDAY=${rule.nth.ordinal}${CODES[rule.nth.weekday]}`);
  else if (rule.freq === 'MONTHLY' && rule.monthDay !== null) parts.push(`BYMONTHDAY=${rule.monthDay}`);
  if (rule.count) parts.push(`COUNT=${rule.count}`);
  else if (rule.until) parts.push(`UNTIL=${rule.until.replace(/-/g, '')}`);
  return parts.join(';');
}

type Locale = 'en' | 'fr';

const WORDS = {
  en: {
    days: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
    months: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
    every: { DAILY: 'Every day', WEEKLY: 'Every week', MONTHLY: 'Every month', YEARLY: 'Every year' },
    everyN: { DAILY: 'Every {n} days', WEEKLY: 'Every {n} weeks', MONTHLY: 'Every {n} months', YEARLY: 'Every {n} years' },
    ordinals: { 1: 'first', 2: 'second', 3: 'third', 4: 'fourth', 5: 'fifth', [-1]: 'last', [-2]: 'second to last' } as Record<number, string>,
    on: 'on',
    day: (n: number) => (n === -1 ? 'the last day' : `day ${n}`),
    and: 'and',
    in: 'in',
    times: (n: number) => (n === 1 ? 'once' : `${n} times`),
    until: (d: string) => `until ${d}`,
  },
  fr: {
    days: ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'],
    months: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'],
    every: { DAILY: 'Tous les jours', WEEKLY: 'Toutes les semaines', MONTHLY: 'Tous les mois', YEARLY: 'Tous les ans' },
    everyN: { DAILY: 'Tous les {n} jours', WEEKLY: 'Toutes les {n} semaines', MONTHLY: 'Tous les {n} mois', YEARLY: 'Tous les {n} ans' },
    ordinals: { 1: 'premier', 2: 'deuxième', 3: 'troisième', 4: 'quatrième', 5: 'cinquième', [-1]: 'dernier', [-2]: 'avant-dernier' } as Record<number, string>,
    on: '',
    day: (n: number) => (n === -1 ? 'le dernier jour' : `le ${n === 1 ? '1er' : n}`),
    and: 'et',
    in: 'en',
    times: (n: number) => (n === 1 ? 'une fois' : `${n} fois`),
    until: (d: string) => `jusqu'au ${d}`,
  },
} as const;

function list(items: string[], and: string): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${and} ${items.at(-1)}`;
}

/** Any rule the desk accepts, in words ("Every 2 weeks on Monday and Thursday"); throws RecurrenceError when invalid. */
export function describeRRule(text: string, locale: Locale): string {
  const r = parseRRule(text);
  const w = WORDS[locale];
  const parts: string[] = [r.interval > 1 ? w.everyN[r.freq].replace('{n}', String(r.interval)) : w.every[r.freq]];
  const day = (weekday: number) => (locale === 'fr' ? `le ${w.days[weekday]}` : w.days[weekday]!);
  if (r.byDay.length) {
    const named = r.byDay.map((d) =>
      d.ordinal === null ? day(d.weekday) : `${locale === 'fr' ? 'le ' : 'the '}${w.ordinals[d.ordinal] ?? `#${d.ordinal}`} ${w.days[d.weekday]}`,
    );
    parts.push(locale === 'en' ? `${w.on} ${list(named, w.and)}` : list(named, w.and));
  }
  if (r.byMonthDay.length) parts.push(locale === 'en' ? `${w.on} ${list(r.byMonthDay.map(w.day), w.and)}` : list(r.byMonthDay.map(w.day), w.and));
  if (r.byMonth.length) parts.push(`${w.in} ${list(r.byMonth.map((m) => w.months[m - 1]!), w.and)}`);
  let text_ = parts.join(' ');
  if (r.count) text_ += `, ${w.times(r.count)}`;
  if (r.until) {
    const d = 'date' in r.until ? r.until.date : (() => { const u = new Date(r.until.instant); return { y: u.getUTCFullYear(), m: u.getUTCMonth() + 1, d: u.getUTCDate() }; })();
    text_ += `, ${w.until(locale === 'fr' ? `${d.d} ${w.months[d.m - 1]} ${d.y}` : `${w.months[d.m - 1]} ${d.d}, ${d.y}`)}`;
  }
  return text_;
}
