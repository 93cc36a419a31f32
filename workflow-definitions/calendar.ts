// Business-hours arithmetic: pure, deterministic functions shared by the ticket workflow, the API and the console simulator.
import type { CalendarDef } from './schema';

const DAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const MINUTE = 60_000;
/** A calendar with no business hours would loop forever; ten years of search is a safe bound. */
const MAX_DAYS_SEARCHED = 3660;

export const ROUND_THE_CLOCK = '24x7';

interface LocalDate {
  y: number;
  m: number;
  d: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Wall-clock parts of an instant in a time zone. */
export function zonedParts(ms: number, timeZone: string): LocalDate & { hh: number; mm: number; ss: number } {
  const parts = {} as Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number>;
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') (parts as Record<string, number>)[p.type] = Number(p.value);
  }
  return { y: parts.year, m: parts.month, d: parts.day, hh: parts.hour % 24, mm: parts.minute, ss: parts.second };
}

function offsetAt(ms: number, timeZone: string): number {
  const p = zonedParts(ms, timeZone);
  const asUtc = Date.UTC(p.y, p.m - 1, p.d, p.hh, p.mm, p.ss);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The instant at a local wall-clock time; in a DST gap it lands after the gap, in an overlap on the first occurrence. */
export function zonedToUtc(date: LocalDate, minuteOfDay: number, timeZone: string): number {
  const naive = Date.UTC(date.y, date.m - 1, date.d) + minuteOfDay * MINUTE;
  let guess = naive - offsetAt(naive, timeZone);
  const second = naive - offsetAt(guess, timeZone);
  if (second !== guess) {
    const third = naive - offsetAt(second, timeZone);
    guess = third === second ? second : Math.max(guess, second);
  }
  return guess;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

function nextDate(date: LocalDate): LocalDate {
  const t = new Date(Date.UTC(date.y, date.m - 1, date.d + 1));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

function isoDate(date: LocalDate): string {
  return `${date.y}-${String(date.m).padStart(2, '0')}-${String(date.d).padStart(2, '0')}`;
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/**
 * Windows per calendar and local date. A pure function's results, so caching them is deterministic; keyed by the calendar
 * object, the cache lives as long as the definition that holds it.
 */
const windowCache = new WeakMap<CalendarDef, Map<string, Array<[number, number]>>>();
const WINDOW_CACHE_DAYS = 4096;

const dayStartCache = new WeakMap<CalendarDef, Map<string, number>>();

function dayStart(date: LocalDate, cal: CalendarDef): number {
  const key = isoDate(date);
  let days = dayStartCache.get(cal);
  if (!days) dayStartCache.set(cal, (days = new Map()));
  let at = days.get(key);
  if (at === undefined) {
    if (days.size >= WINDOW_CACHE_DAYS) days.clear();
    days.set(key, (at = zonedToUtc(date, 0, cal.timeZone)));
  }
  return at;
}

/** The business windows [start, end) of one local date, as UTC instants. */
function windowsOf(date: LocalDate, cal: CalendarDef): Array<[number, number]> {
  const key = isoDate(date);
  let days = windowCache.get(cal);
  if (!days) windowCache.set(cal, (days = new Map()));
  const cached = days.get(key);
  if (cached) return cached;
  let windows: Array<[number, number]> = [];
  if (!cal.holidays?.includes(key)) {
    const weekday = DAY_KEYS[new Date(Date.UTC(date.y, date.m - 1, date.d)).getUTCDay()]!;
    const hours = (cal.weekly[weekday] ?? []) as Array<[string, string]>;
    windows = hours.map(([from, to]) => [zonedToUtc(date, toMinutes(from), cal.timeZone), zonedToUtc(date, toMinutes(to), cal.timeZone)]);
  }
  if (days.size >= WINDOW_CACHE_DAYS) days.clear();
  days.set(key, windows);
  return windows;
}

export function hasBusinessHours(cal: CalendarDef): boolean {
  return Object.values(cal.weekly).some((day) => ((day ?? []) as Array<[string, string]>).some(([from, to]) => toMinutes(to) > toMinutes(from)));
}

/** The instant reached after `minutes` of business time counted from `startMs`; null calendar means 24/7. */
export function addBusinessMinutes(startMs: number, minutes: number, cal: CalendarDef | null): number {
  return addBusinessMs(startMs, minutes * MINUTE, cal);
}

export function addBusinessMs(startMs: number, ms: number, cal: CalendarDef | null): number {
  if (!cal) return startMs + ms;
  if (ms <= 0) return startMs;
  let remaining = ms;
  // Start one day early: a window of the previous local date can still be open (night shifts, time zones).
  let date = zonedParts(startMs - 24 * 60 * MINUTE, cal.timeZone) as LocalDate;
  for (let i = 0; i < MAX_DAYS_SEARCHED; i++) {
    for (const [open, close] of windowsOf(date, cal)) {
      const from = Math.max(open, startMs);
      if (from >= close) continue;
      if (remaining <= close - from) return from + remaining;
      remaining -= close - from;
    }
    date = nextDate(date);
  }
  throw new Error('calendar has no business hours within ten years');
}

/** Business time elapsed between two instants (0 when to <= from). */
export function businessMsBetween(fromMs: number, toMs: number, cal: CalendarDef | null): number {
  if (toMs <= fromMs) return 0;
  if (!cal) return toMs - fromMs;
  let total = 0;
  let date = zonedParts(fromMs - 24 * 60 * MINUTE, cal.timeZone) as LocalDate;
  for (let i = 0; i < MAX_DAYS_SEARCHED; i++) {
    const windows = windowsOf(date, cal);
    for (const [open, close] of windows) {
      const a = Math.max(open, fromMs);
      const b = Math.min(close, toMs);
      if (b > a) total += b - a;
    }
    if (dayStart(date, cal) > toMs) break;
    date = nextDate(date);
  }
  return total;
}
