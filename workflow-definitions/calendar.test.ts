// Business-hours arithmetic: windows, weekends, holidays, DST, and the inverse relation between adding and measuring.
import fc from 'fast-check';
import { addBusinessMinutes, businessMsBetween, zonedParts, type CalendarDef } from './engine';

const paris: CalendarDef = {
  timeZone: 'Europe/Paris',
  weekly: { mon: [['09:00', '18:00']], tue: [['09:00', '18:00']], wed: [['09:00', '18:00']], thu: [['09:00', '18:00']], fri: [['09:00', '18:00']] },
  holidays: ['2026-12-25'],
};
const split: CalendarDef = { timeZone: 'America/New_York', weekly: { mon: [['08:00', '12:00'], ['13:00', '17:00']], wed: [['22:00', '24:00']] } };

const local = (ms: number, tz = 'Europe/Paris') => {
  const p = zonedParts(ms, tz);
  return `${p.y}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')} ${String(p.hh).padStart(2, '0')}:${String(p.mm).padStart(2, '0')}`;
};

describe('addBusinessMinutes', () => {
  it('should carry a Friday 17:55 one-hour target to Monday 09:55', () => {
    expect(local(addBusinessMinutes(Date.parse('2026-11-27T16:55:00Z'), 60, paris))).toBe('2026-11-30 09:55');
  });

  it('should start counting at the next opening when created outside hours', () => {
    expect(local(addBusinessMinutes(Date.parse('2026-11-28T10:00:00Z'), 30, paris))).toBe('2026-11-30 09:30');
  });

  it('should skip holidays', () => {
    expect(local(addBusinessMinutes(Date.parse('2026-12-24T16:30:00Z'), 60, paris))).toBe('2026-12-28 09:30');
  });

  it('should keep local opening hours across the October DST change', () => {
    // Friday 2026-10-23 17:00 Paris (UTC+2), 2 hours → Monday 10:00 Paris, now UTC+1.
    const due = addBusinessMinutes(Date.parse('2026-10-23T15:00:00Z'), 120, paris);
    expect(local(due)).toBe('2026-10-26 10:00');
    expect(new Date(due).toISOString()).toBe('2026-10-26T09:00:00.000Z');
  });

  it('should use split windows and windows ending at midnight', () => {
    const monday9 = Date.parse('2026-11-30T14:00:00Z'); // 09:00 New York
    expect(local(addBusinessMinutes(monday9, 240, split), 'America/New_York')).toBe('2026-11-30 14:00');
    // Monday gives 180 + 240 minutes; the last 60 fall in Wednesday's late window.
    expect(local(addBusinessMinutes(monday9, 480, split), 'America/New_York')).toBe('2026-12-02 23:00');
  });

  it('should be plain wall-clock time without a calendar (24/7)', () => {
    expect(addBusinessMinutes(1_000, 2, null)).toBe(121_000);
  });

  it('should be the inverse of businessMsBetween for any start and duration', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') }), fc.integer({ min: 1, max: 20_000 }), (start, minutes) => {
        const due = addBusinessMinutes(start, minutes, paris);
        expect(due).toBeGreaterThan(start);
        expect(businessMsBetween(start, due, paris)).toBe(minutes * 60_000);
      }),
      { numRuns: 200 },
    );
  });
});
