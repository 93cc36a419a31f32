// Timestamps from PostgreSQL's text form come out exactly as Date#toISOString would write them.
import { iso } from '../../platform/db/time';

it.each([
  '2026-11-25 03:21:57.123456+00',
  '2026-11-25 03:21:57+00',
  '2026-11-25 03:21:57.1+00',
  '2026-11-25 23:59:59.999999+00',
  '2024-02-29 00:00:00.05+00',
  '2026-03-29 01:30:00+01', // not UTC: through Date
  '2026-11-25T03:21:57.123Z',
])('should write %s as toISOString does', (text) => {
  expect(iso(text)).toBe(new Date(text).toISOString());
});

it('should take Date objects as they are', () => {
  const d = new Date('2026-11-25T03:21:57.123Z');
  expect(iso(d)).toBe('2026-11-25T03:21:57.123Z');
});
