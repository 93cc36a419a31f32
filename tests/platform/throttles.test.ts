// The rate limit and the login throttle, counted in the real PostgreSQL every API replica shares, on a clock the test
// moves: lockouts double for the failing address only, a success clears them, one address is capped across accounts,
// and concurrent attempts are all counted.
import { randomUUID } from 'node:crypto';
import { LoginThrottle } from '../../api/modules/auth/login-throttle';
import { RateLimiter } from '../../api/http/rate-limit';
import { openOrm, type Orm } from '../../platform/db/orm';

let orm: Orm;
beforeAll(async () => {
  orm = await openOrm(process.env.DATABASE_URL!);
});
afterAll(async () => orm?.close());

/** Addresses of their own per test, since the counters live in the database every suite shares. */
const address = () => `test-${randomUUID()}`;

describe('LoginThrottle', () => {
  it('should lock an account after five failures, doubling the wait each time, and clear it on success', async () => {
    let now = 1_000_000;
    const throttle = new LoginThrottle(orm.em, () => now);
    const [a, b] = [address(), address()];
    for (let i = 0; i < 4; i++) await throttle.fail('a@x', a);
    expect(await throttle.retryAfter('a@x', a)).toBe(0);
    await throttle.fail('a@x', a);
    expect(await throttle.retryAfter('a@x', a)).toBe(30);
    await throttle.fail('a@x', a);
    expect(await throttle.retryAfter('a@x', a)).toBe(60);
    expect(await throttle.retryAfter('b@x', b)).toBe(0);
    now += 61_000;
    expect(await throttle.retryAfter('a@x', a)).toBe(0);
    await throttle.succeed('a@x', a);
    await throttle.fail('a@x', a);
    expect(await throttle.retryAfter('a@x', a)).toBe(0);
  });

  it('should never lock the right password out from a clean address, whoever fails on the account elsewhere', async () => {
    const throttle = new LoginThrottle(orm.em, () => 1_000_000);
    const [attacker, clean] = [address(), address()];
    for (let i = 0; i < 40; i++) await throttle.fail('admin@x', attacker);
    expect(await throttle.retryAfter('admin@x', attacker)).toBeGreaterThan(0);
    expect(await throttle.retryAfter('admin@x', clean)).toBe(0);
    for (let a = 0; a < 30; a++) for (let i = 0; i < 5; i++) await throttle.fail('admin@x', address());
    expect(await throttle.retryAfter('admin@x', clean)).toBe(0);
  });

  it('should cap failures from one address across accounts', async () => {
    const throttle = new LoginThrottle(orm.em, () => 1_000_000);
    const [busy, other] = [address(), address()];
    for (let i = 0; i < 50; i++) await throttle.fail(`user${i}@x`, busy);
    expect(await throttle.retryAfter('fresh@x', busy)).toBe(900);
    expect(await throttle.retryAfter('fresh@x', other)).toBe(0);
  });

  it('should count every one of many concurrent failures, as two replicas would send them', async () => {
    const [one, two] = [new LoginThrottle(orm.em, () => 1_000_000), new LoginThrottle(orm.em, () => 1_000_000)];
    const a = address();
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).fail(`user${i}@x`, a)));
    const [row] = await orm.em.fork().execute<Array<{ count: number }>>('select count from throttle_counters where key = ?', [`login-address:${a}`]);
    expect(row!.count).toBe(20);
  });
});

describe('RateLimiter', () => {
  it('should refuse past the limit within a window, per address, and forgive in the next window', async () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(orm.em, 3, 60_000, () => now);
    const [a, b] = [address(), address()];
    expect([await limiter.hit(a), await limiter.hit(a), await limiter.hit(a)]).toEqual([0, 0, 0]);
    expect(await limiter.hit(a)).toBe(60);
    expect(await limiter.hit(b)).toBe(0);
    now += 30_000;
    expect(await limiter.hit(a)).toBe(30);
    now += 30_000;
    expect(await limiter.hit(a)).toBe(0);
  });

  it('should hold one limit for two replicas hit at once', async () => {
    const replicas = [new RateLimiter(orm.em, 10, 60_000, () => 1_000_000), new RateLimiter(orm.em, 10, 60_000, () => 1_000_000)];
    const a = address();
    const waits = await Promise.all(Array.from({ length: 30 }, (_, i) => replicas[i % 2]!.hit(a)));
    expect(waits.filter((w) => w === 0)).toHaveLength(10);
  });
});
