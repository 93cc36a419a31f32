// A fixed-window request limit per client address, for the public endpoints (login, password reset, SSO callbacks),
// counted in PostgreSQL so that every API replica enforces one limit.
import type { EntityManager } from '@mikro-orm/postgresql';
import { ThrottleCounter } from '../../platform/db/entities/index';

/**
 * Counts one event for `key` in a fixed window of `windowMs` starting at its first event; a window that has passed
 * starts over. One statement, so concurrent replicas never lose a count. Times are the caller's clock in milliseconds.
 */
export async function countInWindow(em: EntityManager, key: string, t: number, windowMs: number): Promise<{ count: number; firstAt: number }> {
  // SQL: one conditional upsert returning the count, so concurrent hits on any replica are all counted, on every request.
  const [row] = await em.fork().execute<Array<{ count: number; first_at: string }>>(
    `insert into throttle_counters (key, count, first_at) values (?, 1, ?)
     on conflict (key) do update set
       count = case when throttle_counters.first_at <= ? then 1 else throttle_counters.count + 1 end,
       first_at = case when throttle_counters.first_at <= ? then excluded.first_at else throttle_counters.first_at end
     returning count, first_at`,
    [key, t, t - windowMs, t - windowMs],
  );
  return { count: row!.count, firstAt: Number(row!.first_at) };
}

/** Every this many hits, rows of addresses idle for a day go, so a spray of addresses cannot grow the table for ever. */
const SWEEP_EVERY = 1000;
const IDLE_MS = 24 * 3600_000;

export class RateLimiter {
  private hits = 0;

  constructor(
    private readonly em: EntityManager,
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request; returns the seconds to wait when over the limit, else 0. */
  async hit(address: string): Promise<number> {
    const t = this.now();
    const row = await countInWindow(this.em, `rate:${address}`, t, this.windowMs);
    if (++this.hits % SWEEP_EVERY === 0) {
      await this.em.fork().nativeDelete(ThrottleCounter, { firstAt: { $lt: t - IDLE_MS }, lockedUntil: { $lt: t } });
    }
    return row.count > this.max ? Math.ceil((row.firstAt + this.windowMs - t) / 1000) : 0;
  }
}
