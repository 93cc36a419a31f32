// Slows down password guessing: an account locks with exponential back-off after repeated failures, and one client address is capped per window.
const ACCOUNT_FREE_FAILURES = 5;
const ACCOUNT_BASE_LOCK_MS = 30_000;
const ACCOUNT_MAX_LOCK_MS = 30 * 60_000;
const ADDRESS_WINDOW_MS = 15 * 60_000;
const ADDRESS_MAX_FAILURES = 50;

interface Entry {
  failures: number;
  firstAt: number;
  lockedUntil: number;
}

export class LoginThrottle {
  private readonly accounts = new Map<string, Entry>();
  private readonly addresses = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Seconds to wait before another attempt for this account from this address, or 0. */
  retryAfter(account: string, address: string): number {
    const t = this.now();
    const a = this.accounts.get(account);
    const accountWait = a && a.lockedUntil > t ? a.lockedUntil - t : 0;
    const ip = this.addresses.get(address);
    if (ip && t - ip.firstAt > ADDRESS_WINDOW_MS) this.addresses.delete(address);
    const addressWait = ip && t - ip.firstAt <= ADDRESS_WINDOW_MS && ip.failures >= ADDRESS_MAX_FAILURES ? ip.firstAt + ADDRESS_WINDOW_MS - t : 0;
    return Math.ceil(Math.max(accountWait, addressWait) / 1000);
  }

  fail(account: string, address: string): void {
    const t = this.now();
    const a = this.accounts.get(account) ?? { failures: 0, firstAt: t, lockedUntil: 0 };
    a.failures += 1;
    if (a.failures >= ACCOUNT_FREE_FAILURES) {
      a.lockedUntil = t + Math.min(ACCOUNT_MAX_LOCK_MS, ACCOUNT_BASE_LOCK_MS * 2 ** (a.failures - ACCOUNT_FREE_FAILURES));
    }
    this.accounts.set(account, a);
    const ip = this.addresses.get(address);
    if (!ip || t - ip.firstAt > ADDRESS_WINDOW_MS) this.addresses.set(address, { failures: 1, firstAt: t, lockedUntil: 0 });
    else ip.failures += 1;
  }

  succeed(account: string): void {
    this.accounts.delete(account);
  }
}
