// Slows down password guessing without handing anyone a way to lock others out: an account locks with exponential
// back-off only for the address that keeps failing on it, and one client address is capped across all accounts.
// Failures elsewhere never stop the right password from a clean address. Counted in PostgreSQL, so the limits hold
// across every API replica; each change is one statement, so concurrent attempts are all counted.
import type { EntityManager } from '@mikro-orm/postgresql';
import { ThrottleCounter } from '../../../platform/db/entities/index';
import { countInWindow } from '../../http/rate-limit';

const PAIR_FREE_FAILURES = 5;
const PAIR_BASE_LOCK_MS = 30_000;
const PAIR_MAX_LOCK_MS = 30 * 60_000;
const ADDRESS_WINDOW_MS = 15 * 60_000;
const ADDRESS_MAX_FAILURES = 50;

const pairKey = (account: string, address: string) => `login:${account}\n${address}`;
const addressKey = (address: string) => `login-address:${address}`;

export class LoginThrottle {
  constructor(
    private readonly em: EntityManager,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait before another attempt for this account from this address, or 0. */
  async retryAfter(account: string, address: string): Promise<number> {
    const t = this.now();
    const rows = await this.em.fork().find(ThrottleCounter, { key: { $in: [pairKey(account, address), addressKey(address)] } });
    let wait = 0;
    for (const r of rows) {
      if (r.key.startsWith('login:')) wait = Math.max(wait, r.lockedUntil - t);
      else if (t - r.firstAt <= ADDRESS_WINDOW_MS && r.count >= ADDRESS_MAX_FAILURES) wait = Math.max(wait, r.firstAt + ADDRESS_WINDOW_MS - t);
    }
    return Math.ceil(Math.max(0, wait) / 1000);
  }

  async fail(account: string, address: string): Promise<void> {
    const t = this.now();
    const db = this.em.fork();
    // The pair's lock doubles past the free failures; a pair idle past the longest lock starts over. SQL: each is one
    // conditional statement on the row, so concurrent failures from any replica are all counted.
    await db.execute(
      `insert into throttle_counters (key, count, first_at, locked_until) values (?, 1, ?, 0)
       on conflict (key) do update set
         count = case when throttle_counters.locked_until <= ? and throttle_counters.first_at <= ? then 1 else throttle_counters.count + 1 end,
         first_at = case when throttle_counters.locked_until <= ? and throttle_counters.first_at <= ? then excluded.first_at else throttle_counters.first_at end`,
      [pairKey(account, address), t, t, t - PAIR_MAX_LOCK_MS, t, t - PAIR_MAX_LOCK_MS],
    );
    await db.execute(
      `update throttle_counters set locked_until = ? + least(?, ? * power(2, count - ?))::bigint where key = ? and count >= ?`,
      [t, PAIR_MAX_LOCK_MS, PAIR_BASE_LOCK_MS, PAIR_FREE_FAILURES, pairKey(account, address), PAIR_FREE_FAILURES],
    );
    await countInWindow(this.em, addressKey(address), t, ADDRESS_WINDOW_MS);
  }

  async succeed(account: string, address: string): Promise<void> {
    await this.em.fork().nativeDelete(ThrottleCounter, { key: pairKey(account, address) });
  }
}
