// Lockout doubles its wait with each failure past the free ones for the failing address only, and a success clears it.
import { LoginThrottle } from './login-throttle';

describe('LoginThrottle', () => {
  it('should lock an account after five failures, doubling the wait each time, and clear it on success', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now);
    for (let i = 0; i < 4; i++) throttle.fail('a@x', '1.1.1.1');
    expect(throttle.retryAfter('a@x', '1.1.1.1')).toBe(0);
    throttle.fail('a@x', '1.1.1.1');
    expect(throttle.retryAfter('a@x', '1.1.1.1')).toBe(30);
    throttle.fail('a@x', '1.1.1.1');
    expect(throttle.retryAfter('a@x', '1.1.1.1')).toBe(60);
    expect(throttle.retryAfter('b@x', '2.2.2.2')).toBe(0);
    now += 61_000;
    expect(throttle.retryAfter('a@x', '1.1.1.1')).toBe(0);
    throttle.succeed('a@x', '1.1.1.1');
    throttle.fail('a@x', '1.1.1.1');
    expect(throttle.retryAfter('a@x', '1.1.1.1')).toBe(0);
  });

  it('should never lock the right password out from a clean address, whoever fails on the account elsewhere', () => {
    const throttle = new LoginThrottle(() => 0);
    for (let i = 0; i < 40; i++) throttle.fail('admin@x', '6.6.6.6');
    expect(throttle.retryAfter('admin@x', '6.6.6.6')).toBeGreaterThan(0);
    expect(throttle.retryAfter('admin@x', '1.1.1.1')).toBe(0);
    for (let a = 0; a < 200; a++) for (let i = 0; i < 5; i++) throttle.fail('admin@x', `10.0.${a >> 8}.${a & 255}`);
    expect(throttle.retryAfter('admin@x', '1.1.1.1')).toBe(0);
  });

  it('should cap failures from one address across accounts', () => {
    const throttle = new LoginThrottle(() => 0);
    for (let i = 0; i < 50; i++) throttle.fail(`user${i}@x`, '9.9.9.9');
    expect(throttle.retryAfter('fresh@x', '9.9.9.9')).toBe(900);
    expect(throttle.retryAfter('fresh@x', '8.8.8.8')).toBe(0);
  });
});
