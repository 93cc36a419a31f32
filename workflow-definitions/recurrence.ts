// Maintenance recurrences: a pure, deterministic iCalendar RRULE subset evaluated in a plan's local time (shared by the plan workflow, the API preview and the console).
import { isValidTimeZone, zonedParts, zonedToUtc } from './calendar';

const DAY = 86_400_000;
const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;
type Weekday = (typeof WEEKDAYS)[number];
export type Freq = 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';
/**
 * Periods scanned without a match before giving up (a rule like BYMONTH=2;BYMONTHDAY=29;BYDAY=MO matches once in 28
 * years; one that never matches must not spin): about 14 years of days, 20 of weeks or months, 400 years. Dates stop at
 * year 9999. Together they bound the work of any rule, so an API preview stays fast whatever the text.
 */
const MAX_EMPTY_PERIODS: Record<Freq, number> = { DAILY: 5000, WEEKLY: 1000, MONTHLY: 240, YEARLY: 400 };
const LAST_YEAR = 9999;
/** List parts longer than this are refused (BYDAY=MO,MO,… would only multiply work). */
const MAX_LIST = 60;

export interface ByDay {
  weekday: number; // 0 = Sunday
  ordinal: number | null; // 1..53 or -1..-53, null = every such weekday
}

export interface RRule {
  freq: Freq;
  interval: number;
  byDay: ByDay[];
  byMonthDay: number[];
  byMonth: number[];
  count: number | null;
  /** Inclusive bound, an instant (UTC form) or a local date (date form, the whole day counts). */
  until: { instant: number } | { date: LocalDate } | null;
}

export interface LocalDate {
  y: number;
  m: number;
  d: number;
}

/** When a series starts: a local date and time in an IANA time zone. */
export interface SeriesStart {
  /** 'YYYY-MM-DDTHH:mm' local wall-clock time. */
  start: string;
  timeZone: string;
  /** Optional last local date (inclusive), 'YYYY-MM-DD'. */
  endDate?: string | null;
}

export class RecurrenceError extends Error {
  constructor(
    message: string,
    readonly pointer = '',
  ) {
    super(message);
    this.name = 'RecurrenceError';
  }
}

const int = (s: string): number | null => (/^[+-]?\d{1,4}$/.test(s) ? Number(s) : null);

/** Parses the RRULE text (with or without the `RRULE:` prefix); throws RecurrenceError naming the faulty part. */
export function parseRRule(text: string): RRule {
  const body = text.trim().replace(/^RRULE:/i, '');
  if (!body) throw new RecurrenceError('the rule is empty');
  const seen = new Set<string>();
  const rule: RRule = { freq: 'DAILY', interval: 1, byDay: [], byMonthDay: [], byMonth: [], count: null, until: null };
  let freq: Freq | null = null;
  for (const part of body.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new RecurrenceError(`'${part}' is not NAME=VALUE`);
    const name = part.slice(0, eq).toUpperCase();
    const value = part.slice(eq + 1).toUpperCase();
    if (seen.has(name)) throw new RecurrenceError(`${name} appears twice`);
    seen.add(name);
    if (!value) throw new RecurrenceError(`${name} has no value`);
    if (value.split(',').length > MAX_LIST) throw new RecurrenceError(`${name} lists more than ${MAX_LIST} values`);
    switch (name) {
      case 'FREQ':
        if (!['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'].includes(value)) throw new RecurrenceError(`FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY, not ${value}`);
        freq = value as Freq;
        break;
      case 'INTERVAL': {
        const n = int(value);
        if (n === null || n < 1 || n > 1000) throw new RecurrenceError('INTERVAL must be a whole number from 1 to 1000');
        rule.interval = n;
        break;
      }
      case 'COUNT': {
        const n = int(value);
        if (n === null || n < 1 || n > 10000) throw new RecurrenceError('COUNT must be a whole number from 1 to 10000');
        rule.count = n;
        break;
      }
      case 'UNTIL': {
        const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/.exec(value);
        if (!m) throw new RecurrenceError('UNTIL must be YYYYMMDD or YYYYMMDDTHHMMSSZ');
        const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
        if (!validDate(y, mo, d)) throw new RecurrenceError(`UNTIL ${value} is not a date`);
        if (m[4] !== undefined) {
          if (!m[7]) throw new RecurrenceError('UNTIL with a time must be in UTC (end with Z)');
          const [hh, mm, ss] = [Number(m[4]), Number(m[5]), Number(m[6])];
          if (hh > 23 || mm > 59 || ss > 59) throw new RecurrenceError(`UNTIL ${value} is not a time`);
          rule.until = { instant: Date.UTC(y, mo - 1, d, hh, mm, ss) };
        } else rule.until = { date: { y, m: mo, d } };
        break;
      }
      case 'BYDAY':
        rule.byDay = value.split(',').map((v) => {
          const m = /^([+-]?\d{1,2})?(SU|MO|TU|WE|TH|FR|SA)$/.exec(v);
          if (!m) throw new RecurrenceError(`BYDAY value '${v}' is not a weekday like MO, 1MO or -1FR`);
          const ordinal = m[1] === undefined ? null : Number(m[1]);
          if (ordinal !== null && (ordinal === 0 || Math.abs(ordinal) > 53)) throw new RecurrenceError(`BYDAY ordinal in '${v}' must be 1..53 or -1..-53`);
          return { weekday: WEEKDAYS.indexOf(m[2] as Weekday), ordinal };
        });
        break;
      case 'BYMONTHDAY':
        rule.byMonthDay = value.split(',').map((v) => {
          const n = int(v);
          if (n === null || n === 0 || Math.abs(n) > 31) throw new RecurrenceError(`BYMONTHDAY value '${v}' must be 1..31 or -1..-31`);
          return n;
        });
        break;
      case 'BYMONTH':
        rule.byMonth = value.split(',').map((v) => {
          const n = int(v);
          if (n === null || n < 1 || n > 12) throw new RecurrenceError(`BYMONTH value '${v}' must be 1..12`);
          return n;
        });
        break;
      case 'WKST':
        if (value !== 'MO') throw new RecurrenceError('only WKST=MO is supported');
        break;
      default:
        throw new RecurrenceError(`${name} is not supported (use FREQ, INTERVAL, BYDAY, BYMONTHDAY, BYMONTH, COUNT, UNTIL)`);
    }
  }
  if (!freq) throw new RecurrenceError('FREQ is required');
  rule.freq = freq;
  if (rule.count !== null && rule.until !== null) throw new RecurrenceError('COUNT and UNTIL cannot both be given');
  const ordinals = rule.byDay.some((b) => b.ordinal !== null);
  if (ordinals && (freq === 'DAILY' || freq === 'WEEKLY')) throw new RecurrenceError(`BYDAY ordinals (like 1MO) need FREQ=MONTHLY or YEARLY`);
  if (freq === 'WEEKLY' && rule.byMonthDay.length) throw new RecurrenceError('BYMONTHDAY cannot be used with FREQ=WEEKLY');
  if (rule.byMonth.length && rule.byMonthDay.length && rule.byMonthDay.every((d) => rule.byMonth.every((m) => Math.abs(d) > daysIn(2024, m)))) {
    throw new RecurrenceError('no month in BYMONTH has any day in BYMONTHDAY');
  }
  return rule;
}

/** Clear validation for forms and the API: null when the text is a supported rule, else why not. */
export function rruleError(text: string): string | null {
  try {
    parseRRule(text);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

function validDate(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m);
}

function daysIn(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function weekdayOf(date: LocalDate): number {
  // 1970-01-01 was a Thursday (4).
  return (((dayNumber(date) + 4) % 7) + 7) % 7;
}

function addDays(date: LocalDate, n: number): LocalDate {
  const t = new Date(Date.UTC(date.y, date.m - 1, date.d + n));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

const dayNumber = (date: LocalDate): number => Date.UTC(date.y, date.m - 1, date.d) / DAY;

function monthDays(y: number, m: number): LocalDate[] {
  return Array.from({ length: daysIn(y, m) }, (_, i) => ({ y, m, d: i + 1 }));
}

function matchesMonthDay(date: LocalDate, byMonthDay: number[]): boolean {
  const n = daysIn(date.y, date.m);
  return byMonthDay.some((k) => (k > 0 ? date.d === k : date.d === n + k + 1));
}

/** Keeps the days of one unit (a month or a year) that BYDAY selects, ordinals counted within the unit. */
function selectByDay(days: LocalDate[], byDay: ByDay[]): LocalDate[] {
  const keep = new Set<number>();
  for (const b of byDay) {
    const same = days.filter((d) => weekdayOf(d) === b.weekday);
    if (b.ordinal === null) same.forEach((d) => keep.add(dayNumber(d)));
    else {
      const pick = b.ordinal > 0 ? same[b.ordinal - 1] : same[same.length + b.ordinal];
      if (pick) keep.add(dayNumber(pick));
    }
  }
  return days.filter((d) => keep.has(dayNumber(d)));
}

/** The candidate local dates of period k (k-th step of INTERVAL from the start's period), in order. */
function periodDates(rule: RRule, first: LocalDate, k: number): LocalDate[] {
  const step = k * rule.interval;
  let days: LocalDate[];
  switch (rule.freq) {
    case 'DAILY':
      days = [addDays(first, step)];
      if (rule.byMonthDay.length) days = days.filter((d) => matchesMonthDay(d, rule.byMonthDay));
      if (rule.byDay.length) days = days.filter((d) => rule.byDay.some((b) => b.weekday === weekdayOf(d)));
      break;
    case 'WEEKLY': {
      const monday = addDays(first, -((weekdayOf(first) + 6) % 7) + 7 * step);
      const week = Array.from({ length: 7 }, (_, i) => addDays(monday, i));
      const wanted = rule.byDay.length ? rule.byDay.map((b) => b.weekday) : [weekdayOf(first)];
      days = week.filter((d) => wanted.includes(weekdayOf(d)));
      break;
    }
    case 'MONTHLY': {
      const index = first.y * 12 + (first.m - 1) + step;
      const all = monthDays(Math.floor(index / 12), (index % 12) + 1);
      days = all;
      if (rule.byMonthDay.length) days = days.filter((d) => matchesMonthDay(d, rule.byMonthDay));
      if (rule.byDay.length) {
        // Ordinals count within the whole month, then BYMONTHDAY (if any) narrows.
        const picked = new Set(selectByDay(all, rule.byDay).map((d) => d.d));
        days = days.filter((d) => picked.has(d.d));
      }
      // Neither given: the start's day of the month, skipped in months that lack it (the 31st).
      if (!rule.byMonthDay.length && !rule.byDay.length) days = all.filter((d) => d.d === first.d);
      break;
    }
    case 'YEARLY': {
      const y = first.y + step;
      const months = rule.byMonth.length ? [...rule.byMonth].sort((a, b) => a - b) : null;
      if (months) {
        days = months.flatMap((m) => {
          const all = monthDays(y, m);
          let sel = all;
          if (rule.byMonthDay.length) sel = sel.filter((d) => matchesMonthDay(d, rule.byMonthDay));
          if (rule.byDay.length) {
            const picked = selectByDay(all, rule.byDay);
            sel = sel.filter((d) => picked.some((p) => p.d === d.d));
          }
          if (!rule.byMonthDay.length && !rule.byDay.length) sel = all.filter((d) => d.d === first.d);
          return sel;
        });
      } else if (rule.byDay.length) {
        const all = Array.from({ length: 12 }, (_, i) => monthDays(y, i + 1)).flat();
        days = selectByDay(all, rule.byDay);
        if (rule.byMonthDay.length) days = days.filter((d) => matchesMonthDay(d, rule.byMonthDay));
      } else if (rule.byMonthDay.length) {
        days = Array.from({ length: 12 }, (_, i) => monthDays(y, i + 1))
          .flat()
          .filter((d) => matchesMonthDay(d, rule.byMonthDay));
      } else {
        days = validDate(y, first.m, first.d) ? [{ y, m: first.m, d: first.d }] : [];
      }
      break;
    }
  }
  if (rule.byMonth.length && rule.freq !== 'YEARLY') days = days.filter((d) => rule.byMonth.includes(d.m));
  return days;
}

export function parseLocalStart(start: string): { date: LocalDate; minuteOfDay: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(start);
  if (!m) throw new RecurrenceError(`start '${start}' must be YYYY-MM-DDTHH:mm`, '/start');
  const date = { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
  const [hh, mm] = [Number(m[4]), Number(m[5])];
  if (!validDate(date.y, date.m, date.d) || hh > 23 || mm > 59) throw new RecurrenceError(`start '${start}' is not a valid local date and time`, '/start');
  return { date, minuteOfDay: hh * 60 + mm };
}

function parseLocalDate(s: string, pointer: string): LocalDate {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const date = m ? { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) } : null;
  if (!date || !validDate(date.y, date.m, date.d)) throw new RecurrenceError(`'${s}' must be a date YYYY-MM-DD`, pointer);
  return date;
}

/** Checks a series' start, end and time zone; throws RecurrenceError with a pointer. */
export function validateSeries(series: SeriesStart): void {
  if (!isValidTimeZone(series.timeZone)) throw new RecurrenceError(`'${series.timeZone}' is not an IANA time zone`, '/timeZone');
  const { date } = parseLocalStart(series.start);
  if (series.endDate) {
    const end = parseLocalDate(series.endDate, '/endDate');
    if (dayNumber(end) < dayNumber(date)) throw new RecurrenceError('the end date is before the start', '/endDate');
  }
}

/**
 * Walks the series in order, calling `visit` with each occurrence instant (ms) until it returns false or the series ends
 * (COUNT, UNTIL, end date). Every occurrence is at the start's local time of day on its local date; a local time that a
 * DST gap skips lands just after the gap (calendar.ts rule). Occurrences before the start are never produced.
 */
export function walkOccurrences(ruleText: string | RRule, series: SeriesStart, visit: (at: number, index: number) => boolean): void {
  const rule = typeof ruleText === 'string' ? parseRRule(ruleText) : ruleText;
  const { date: first, minuteOfDay } = parseLocalStart(series.start);
  const startMs = zonedToUtc(first, minuteOfDay, series.timeZone);
  const endDay = series.endDate ? dayNumber(parseLocalDate(series.endDate, '/endDate')) : Infinity;
  const untilDay = rule.until && 'date' in rule.until ? dayNumber(rule.until.date) : Infinity;
  const untilMs = rule.until && 'instant' in rule.until ? rule.until.instant : Infinity;
  let index = 0;
  let empty = 0;
  for (let k = 0; ; k++) {
    const periodStart = periodStartOf(rule, first, k);
    if (periodStart.y > LAST_YEAR) return;
    const days = periodDates(rule, first, k);
    if (!days.length) {
      if (++empty > MAX_EMPTY_PERIODS[rule.freq]) return;
      // Periods start after the end: stop once the period's first day is past every bound.
      if (dayNumber(periodStart) > Math.min(endDay, untilDay) || zonedToUtc(periodStart, 0, series.timeZone) > untilMs) return;
      continue;
    }
    empty = 0;
    for (const d of days) {
      const n = dayNumber(d);
      if (n < dayNumber(first)) continue;
      if (n > endDay || n > untilDay) return;
      if (d.y > LAST_YEAR) return;
      const at = zonedToUtc(d, minuteOfDay, series.timeZone);
      if (at < startMs) continue;
      if (at > untilMs) return;
      if (!visit(at, index)) return;
      index++;
      if (rule.count !== null && index >= rule.count) return;
    }
  }
}

function periodStartOf(rule: RRule, first: LocalDate, k: number): LocalDate {
  const step = k * rule.interval;
  if (rule.freq === 'DAILY') return addDays(first, step);
  if (rule.freq === 'WEEKLY') return addDays(first, -((weekdayOf(first) + 6) % 7) + 7 * step);
  if (rule.freq === 'MONTHLY') {
    const index = first.y * 12 + (first.m - 1) + step;
    return { y: Math.floor(index / 12), m: (index % 12) + 1, d: 1 };
  }
  return { y: first.y + step, m: 1, d: 1 };
}

/** The first `limit` occurrences strictly after `afterMs` (all of them from the start when afterMs is null). */
export function occurrencesAfter(rule: string | RRule, series: SeriesStart, afterMs: number | null, limit: number): number[] {
  const out: number[] = [];
  if (limit <= 0) return out;
  walkOccurrences(rule, series, (at) => {
    if (afterMs === null || at > afterMs) out.push(at);
    return out.length < limit;
  });
  return out;
}

/** The occurrences within [fromMs, toMs]. */
export function occurrencesBetween(rule: string | RRule, series: SeriesStart, fromMs: number, toMs: number, max = 1000): number[] {
  const out: number[] = [];
  walkOccurrences(rule, series, (at) => {
    if (at > toMs) return false;
    if (at >= fromMs) out.push(at);
    return out.length < max;
  });
  return out;
}

/** Interval plans: the due instant `days` local days after a completion, at the plan's local time of day. */
export function dueAfterCompletion(completedAtMs: number, days: number, series: SeriesStart): number {
  const { minuteOfDay } = parseLocalStart(series.start);
  const p = zonedParts(completedAtMs, series.timeZone);
  return zonedToUtc(addDays({ y: p.y, m: p.m, d: p.d }, days), minuteOfDay, series.timeZone);
}

/** The instant a series starts (its first possible occurrence). */
export function seriesStartMs(series: SeriesStart): number {
  const { date, minuteOfDay } = parseLocalStart(series.start);
  return zonedToUtc(date, minuteOfDay, series.timeZone);
}

/** A local end date's last instant, or null. */
export function seriesEndMs(series: SeriesStart): number | null {
  if (!series.endDate) return null;
  return zonedToUtc(addDays(parseLocalDate(series.endDate, '/endDate'), 1), 0, series.timeZone) - 1;
}
