// The public-endpoint limiter: a fixed window per address.
import { RateLimiter } from './rate-limit';

it('should refuse past the limit within a window, per address, and forgive in the next window', () => {
  let now = 0;
  const limiter = new RateLimiter(3, 60_000, () => now);
  expect([limiter.hit('a'), limiter.hit('a'), limiter.hit('a')]).toEqual([0, 0, 0]);
  expect(limiter.hit('a')).toBe(60);
  expect(limiter.hit('b')).toBe(0);
  now = 30_000;
  expect(limiter.hit('a')).toBe(30);
  now = 60_000;
  expect(limiter.hit('a')).toBe(0);
});
