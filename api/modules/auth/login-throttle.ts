// Slows down password guessing without handing anyone a way to lock others out: an account locks with exponential
// back-off only for the address that keeps failing on it, and one client address is capped across all accounts.
// Failures elsewhere never stop the right password from a clean address.
const PAIR_FREE_FAILURES = 5;
const PAIR_BASE_LOCK_MS = 30_000;
const PAIR_MAX_LOCK_MS = 30 * 60_000;
const ADDRESS_WINDOW_MS = 15 * 60_000;
const ADDRESS_MAX_FAILURES = 50;
/** Entries past their window are swept once the maps hold this many, so a spray of addresses cannot grow memory unbounded. */
const SWEEP_AT = 10_000;

interface Entry {
  failures: number;
  firstAt: number;
  lockedUntil: number;
}

const pairKey = (account: string, address: string) => `${account}\n${address}`;

export class LoginThrottle {
  private readonly pairs = new Map<string, Entry>();
  private readonly addresses = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Seconds to wait before another attempt for this account from this address, or 0. */
  retryAfter(account: string, address: string): number {
    const t = this.now();
    const p = this.pairs.get(pairKey(account, address));
    const pairWait = p && p.lockedUntil > t ? p.lockedUntil - t : 0;
    const ip = this.addresses.get(address);
    if (ip && t - ip.firstAt > ADDRESS_WINDOW_MS) this.addresses.delete(address);
    const addressWait = ip && t - ip.firstAt <= ADDRESS_WINDOW_MS && ip.failures >= ADDRESS_MAX_FAILURES ? ip.firstAt + ADDRESS_WINDOW_MS - t : 0;
    return Math.ceil(Math.max(pairWait, addressWait) / 1000);
  }

  fail(account: string, address: string): void {
    const t = this.now();
    if (this.pairs.size + this.addresses.size > SWEEP_AT) this.sweep(t);
    const key = pairKey(account, address);
    const p = this.pairs.get(key) ?? { failures: 0, firstAt: t, lockedUntil: 0 };
    p.failures += 1;
    if (p.failures >= PAIR_FREE_FAILURES) {
      p.lockedUntil = t + Math.min(PAIR_MAX_LOCK_MS, PAIR_BASE_LOCK_MS * 2 ** (p.failures - PAIR_FREE_FAILURES));
    }
    this.pairs.set(key, p);
    const ip = this.addresses.get(address);
    if (!ip || t - ip.firstAt > ADDRESS_WINDOW_MS) this.addresses.set(address, { failures: 1, firstAt: t, lockedUntil: 0 });
    else ip.failures += 1;
  }

  succeed(account: string, address: string): void {
    this.pairs.delete(pairKey(account, address));
  }

  private sweep(t: number): void {
    for (const [k, e] of this.pairs) if (e.lockedUntil <= t && t - e.firstAt > PAIR_MAX_LOCK_MS) this.pairs.delete(k);
    for (const [k, e] of this.addresses) if (t - e.firstAt > ADDRESS_WINDOW_MS) this.addresses.delete(k);
  }
}
