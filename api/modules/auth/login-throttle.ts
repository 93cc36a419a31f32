// Slows down password guessing: failures per email and per client address within a window lead to a 429 with Retry-After.
const WINDOW_MS = 15 * 60_000;
const MAX_FAILURES = 10;

interface Entry {
  failures: number;
  firstAt: number;
}

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Seconds to wait before another attempt, or 0. */
  retryAfter(keys: string[]): number {
    let wait = 0;
    for (const k of keys) {
      const e = this.entries.get(k);
      if (!e) continue;
      const age = this.now() - e.firstAt;
      if (age > WINDOW_MS) this.entries.delete(k);
      else if (e.failures >= MAX_FAILURES) wait = Math.max(wait, Math.ceil((WINDOW_MS - age) / 1000));
    }
    return wait;
  }

  fail(keys: string[]): void {
    for (const k of keys) {
      const e = this.entries.get(k);
      if (!e || this.now() - e.firstAt > WINDOW_MS) this.entries.set(k, { failures: 1, firstAt: this.now() });
      else e.failures += 1;
    }
  }

  succeed(keys: string[]): void {
    for (const k of keys) this.entries.delete(k);
  }
}
