// Recurrence evaluator: hand-picked RRULE examples in local time across DST, clear refusals, and fast-check properties.
import fc from 'fast-check';
import { zonedParts } from './calendar';
import { dueAfterCompletion, occurrencesAfter, occurrencesBetween, parseRRule, rruleError, walkOccurrences, type SeriesStart } from './recurrence';

const local = (ms: number, tz = 'Europe/Paris') => {
  const p = zonedParts(ms, tz);
  return `${p.y}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')} ${String(p.hh).padStart(2, '0')}:${String(p.mm).padStart(2, '0')}`;
};
const paris = (start: string, endDate?: string): SeriesStart => ({ start, timeZone: 'Europe/Paris', endDate });
const dates = (rule: string, series: SeriesStart, n: number, tz = series.timeZone) => occurrencesAfter(rule, series, null, n).map((t) => local(t, tz));

describe('hand-picked rules', () => {
  it('should keep 09:00 Paris every month across both DST changes', () => {
    const got = dates('FREQ=MONTHLY', paris('2026-01-15T09:00'), 12);
    expect(got).toEqual(Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}-15 09:00`));
    const utc = occurrencesAfter('FREQ=MONTHLY', paris('2026-01-15T09:00'), null, 12).map((t) => new Date(t).toISOString().slice(11, 16));
    expect(utc[0]).toBe('08:00'); // UTC+1 in winter
    expect(utc[5]).toBe('07:00'); // UTC+2 in summer
    expect(utc[10]).toBe('08:00');
  });

  it('should take every 3 months on the first Monday', () => {
    expect(dates('FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO', paris('2026-01-01T08:30'), 4)).toEqual(['2026-01-05 08:30', '2026-04-06 08:30', '2026-07-06 08:30', '2026-10-05 08:30']);
  });

  it('should take yearly on 15 March', () => {
    expect(dates('FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=15', paris('2026-01-01T10:00'), 3)).toEqual(['2026-03-15 10:00', '2027-03-15 10:00', '2028-03-15 10:00']);
  });

  it('should take the last Friday of each month (BYDAY=-1FR)', () => {
    expect(dates('FREQ=MONTHLY;BYDAY=-1FR', paris('2026-01-01T14:00'), 4)).toEqual(['2026-01-30 14:00', '2026-02-27 14:00', '2026-03-27 14:00', '2026-04-24 14:00']);
  });

  it('should skip months without a 31st', () => {
    expect(dates('FREQ=MONTHLY', paris('2026-01-31T07:00'), 4)).toEqual(['2026-01-31 07:00', '2026-03-31 07:00', '2026-05-31 07:00', '2026-07-31 07:00']);
    expect(dates('FREQ=MONTHLY;BYMONTHDAY=31', paris('2026-01-01T07:00'), 2)).toEqual(['2026-01-31 07:00', '2026-03-31 07:00']);
  });

  it('should take the last day of each month with BYMONTHDAY=-1', () => {
    expect(dates('FREQ=MONTHLY;BYMONTHDAY=-1', paris('2026-01-01T07:00'), 3)).toEqual(['2026-01-31 07:00', '2026-02-28 07:00', '2026-03-31 07:00']);
  });

  it('should take weekly days, every other week, with COUNT', () => {
    expect(dates('FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=5', paris('2026-11-25T09:00'), 10)).toEqual([
      '2026-11-26 09:00',
      '2026-12-07 09:00',
      '2026-12-10 09:00',
      '2026-12-21 09:00',
      '2026-12-24 09:00',
    ]);
  });

  it('should stop at UNTIL (date form, inclusive) and at the end date', () => {
    expect(dates('FREQ=DAILY;INTERVAL=10;UNTIL=20260121', paris('2026-01-01T09:00'), 10)).toEqual(['2026-01-01 09:00', '2026-01-11 09:00', '2026-01-21 09:00']);
    expect(dates('FREQ=DAILY;INTERVAL=10', paris('2026-01-01T09:00', '2026-01-20'), 10)).toEqual(['2026-01-01 09:00', '2026-01-11 09:00']);
    expect(dates('FREQ=DAILY;UNTIL=20260102T080000Z', paris('2026-01-01T09:00'), 10)).toEqual(['2026-01-01 09:00', '2026-01-02 09:00']);
  });

  it('should take the second Sunday of March yearly, in New York local time', () => {
    expect(dates('FREQ=YEARLY;BYMONTH=3;BYDAY=2SU', { start: '2026-01-01T02:30', timeZone: 'America/New_York' }, 2)).toEqual([
      // 02:30 does not exist that night: it lands after the gap.
      '2026-03-08 03:30',
      '2027-03-14 03:30',
    ]);
  });

  it('should take the 20th Monday of the year when BYDAY has a yearly ordinal', () => {
    expect(dates('FREQ=YEARLY;BYDAY=20MO', paris('2026-01-01T09:00'), 1)).toEqual(['2026-05-18 09:00']);
  });

  it('should end quietly when a rule never matches', () => {
    expect(dates('FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=29', paris('2026-01-01T09:00'), 2)).toEqual(['2028-02-29 09:00', '2032-02-29 09:00']);
  });

  it('should follow completion dates for interval plans at the local time of day', () => {
    const done = Date.parse('2026-03-27T16:00:00Z'); // 17:00 Paris, before the DST change
    expect(local(dueAfterCompletion(done, 7, paris('2026-01-01T09:00')))).toBe('2026-04-03 09:00');
  });
});

describe('refusals', () => {
  it.each([
    ['', 'the rule is empty'],
    ['FREQ=HOURLY', 'FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY'],
    ['INTERVAL=2', 'FREQ is required'],
    ['FREQ=MONTHLY;BYDAY=1XX', "BYDAY value '1XX'"],
    ['FREQ=WEEKLY;BYDAY=1MO', 'BYDAY ordinals'],
    ['FREQ=MONTHLY;BYMONTHDAY=32', 'BYMONTHDAY'],
    ['FREQ=MONTHLY;COUNT=3;UNTIL=20270101', 'COUNT and UNTIL'],
    ['FREQ=MONTHLY;BYSETPOS=1', 'BYSETPOS is not supported'],
    ['FREQ=MONTHLY;FREQ=DAILY', 'FREQ appears twice'],
    ['FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30,31', 'no month in BYMONTH'],
    ['FREQ=DAILY;UNTIL=20260101T100000', 'UTC'],
  ])('should refuse %j', (rule, message) => {
    expect(rruleError(rule)).toContain(message);
  });

  it('should accept the RRULE: prefix and lower case', () => {
    expect(parseRRule('RRULE:freq=monthly;byday=-1fr').byDay).toEqual([{ weekday: 5, ordinal: -1 }]);
  });
});

describe('properties', () => {
  const weekday = fc.constantFrom('MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU');
  const rule = fc.oneof(
    fc.record({ i: fc.integer({ min: 1, max: 5 }) }).map(({ i }) => `FREQ=DAILY;INTERVAL=${i}`),
    fc.record({ i: fc.integer({ min: 1, max: 4 }), d: fc.uniqueArray(weekday, { minLength: 1, maxLength: 3 }) }).map(({ i, d }) => `FREQ=WEEKLY;INTERVAL=${i};BYDAY=${d.join(',')}`),
    fc.record({ i: fc.integer({ min: 1, max: 6 }), d: fc.integer({ min: -31, max: 31 }).filter((x) => x !== 0) }).map(({ i, d }) => `FREQ=MONTHLY;INTERVAL=${i};BYMONTHDAY=${d}`),
    fc.record({ i: fc.integer({ min: 1, max: 3 }), o: fc.constantFrom(1, 2, 3, 4, -1, -2), d: weekday }).map(({ i, o, d }) => `FREQ=MONTHLY;INTERVAL=${i};BYDAY=${o}${d}`),
    fc.record({ m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) }).map(({ m, d }) => `FREQ=YEARLY;BYMONTH=${m};BYMONTHDAY=${d}`),
  );
  const series = fc.record({
    y: fc.integer({ min: 2020, max: 2035 }),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 28 }),
    hh: fc.integer({ min: 0, max: 23 }),
    mm: fc.constantFrom(0, 15, 30, 45),
    tz: fc.constantFrom('Europe/Paris', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney', 'UTC'),
  });
  const p2 = (n: number) => String(n).padStart(2, '0');

  it('should produce strictly increasing occurrences, at or after the start, at the start local time unless in a DST gap', () => {
    fc.assert(
      fc.property(rule, series, (r, s) => {
        const start = `${s.y}-${p2(s.m)}-${p2(s.d)}T${p2(s.hh)}:${p2(s.mm)}`;
        const sr: SeriesStart = { start, timeZone: s.tz };
        const got = occurrencesAfter(r, sr, null, 25);
        expect(got.length).toBeGreaterThan(0);
        for (let i = 1; i < got.length; i++) expect(got[i]).toBeGreaterThan(got[i - 1]);
        const startMs = occurrencesAfter('FREQ=DAILY', sr, null, 1)[0];
        expect(got[0]).toBeGreaterThanOrEqual(startMs);
        // Only a DST gap moves the wall-clock time, so an occurrence off it sits beside an offset change (a long series
        // may meet several: every other month on the 4th Sunday at 02:00 in Paris hits one each March).
        const offsetAt = (ms: number) => {
          const p = zonedParts(ms, s.tz);
          return Date.UTC(p.y, p.m - 1, p.d, p.hh, p.mm) - Math.floor(ms / 60_000) * 60_000;
        };
        const offTime = got.filter((t) => {
          const p = zonedParts(t, s.tz);
          return p.hh !== s.hh || p.mm !== s.mm;
        });
        for (const t of offTime) expect(offsetAt(t - 12 * 3_600_000)).not.toBe(offsetAt(t + 12 * 3_600_000));
      }),
      { numRuns: 150 },
    );
  });

  it('should move only the occurrences that fall in a DST gap, however many a long series meets', () => {
    // Found by the property above: the 4th Sunday is also the last one of March in 2021, 2022 and 2023.
    const got = occurrencesAfter('FREQ=MONTHLY;INTERVAL=2;BYDAY=4SU', { start: '2020-01-01T02:00', timeZone: 'Europe/Paris' }, null, 25);
    const moved = got.map((t) => zonedParts(t, 'Europe/Paris')).filter((p) => p.hh !== 2);
    expect(moved.map((p) => `${p.y}-${p2(p.m)}-${p2(p.d)} ${p2(p.hh)}:${p2(p.mm)}`)).toEqual(['2021-03-28 03:00', '2022-03-27 03:00', '2023-03-26 03:00']);
  });

  it('should stay within COUNT, the end date, and agree between "after" and "between" windows', () => {
    fc.assert(
      fc.property(rule, series, fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 24 }), (r, s, count, cut) => {
        const start = `${s.y}-${p2(s.m)}-${p2(s.d)}T${p2(s.hh)}:${p2(s.mm)}`;
        const sr: SeriesStart = { start, timeZone: s.tz };
        const counted = occurrencesAfter(`${r};COUNT=${count}`, sr, null, 100);
        expect(counted.length).toBeLessThanOrEqual(count);
        const all = occurrencesAfter(r, sr, null, 30);
        expect(counted).toEqual(all.slice(0, counted.length));
        // Resuming after any occurrence gives the rest of the same series.
        const k = Math.min(cut, all.length - 1);
        expect(occurrencesAfter(r, sr, all[k - 1] ?? null, 30 - k)).toEqual(all.slice(k));
        expect(occurrencesBetween(r, sr, all[0], all[all.length - 1])).toEqual(all);
        const endDate = local(all[Math.min(3, all.length - 1)], s.tz).slice(0, 10);
        const bounded = occurrencesAfter(r, { ...sr, endDate }, null, 100);
        for (const t of bounded) expect(local(t, s.tz).slice(0, 10) <= endDate).toBe(true);
      }),
      { numRuns: 120 },
    );
  });

  it('should never produce a day the rule excludes', () => {
    fc.assert(
      fc.property(series, fc.integer({ min: -31, max: 31 }).filter((x) => x !== 0), (s, md) => {
        const start = `${s.y}-${p2(s.m)}-${p2(s.d)}T12:00`;
        walkOccurrences(`FREQ=MONTHLY;BYMONTHDAY=${md}`, { start, timeZone: s.tz }, (at, i) => {
          const p = zonedParts(at, s.tz);
          const days = new Date(Date.UTC(p.y, p.m, 0)).getUTCDate();
          expect(md > 0 ? p.d === md : p.d === days + md + 1).toBe(true);
          return i < 20;
        });
      }),
      { numRuns: 100 },
    );
  });
});

describe('bounded work', () => {
  it.each([
    'FREQ=YEARLY;INTERVAL=1000;BYMONTH=2;BYMONTHDAY=29',
    'FREQ=YEARLY;BYDAY=MO,TU,WE,TH,FR,SA,SU,1MO,2MO,3MO,4MO,5MO,-1MO,-2MO,-3MO;BYMONTHDAY=-31',
    'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO',
    'FREQ=MONTHLY;INTERVAL=1000;BYMONTH=7',
    'FREQ=WEEKLY;INTERVAL=1000;BYMONTH=2',
  ])('should answer %s quickly, never past year 9999', (rule) => {
    const started = performance.now();
    const got = occurrencesAfter(rule, paris('2026-01-01T09:00'), null, 100);
    expect(performance.now() - started).toBeLessThan(2000);
    for (const t of got) expect(new Date(t).getUTCFullYear()).toBeLessThanOrEqual(9999);
  });

  it('should refuse overlong lists', () => {
    expect(rruleError(`FREQ=MONTHLY;BYMONTHDAY=${Array.from({ length: 61 }, () => '1').join(',')}`)).toContain('more than 60');
  });
});
