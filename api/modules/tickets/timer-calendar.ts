// The desk's timer calendar in PostgreSQL: per second ahead, the workflow wake-ups (SLA warnings, breaches,
// escalations, automations) that the tickets accepted so far will bring, so that every API replica admits against the
// same future. A ticket's wake-ups are reserved all together or not at all, each second at most `cap` (a second nobody
// has reserved yet takes any one ticket, so a definition with more timers in one second than the cap still opens).
import type { EntityManager } from '@mikro-orm/postgresql';

/** Wake-ups per second (epoch seconds), as one ticket brings them. */
export type WakeupSeconds = Array<{ second: number; wakeups: number }>;

/** A second that had no room: how many wake-ups it already held. */
export interface FullSecond {
  second: number;
  wakeups: number;
}

class Full extends Error {}

export class TimerCalendar {
  constructor(private readonly em: EntityManager) {}

  /** Reserves every second's wake-ups, or none; null when reserved, else the first second without room. */
  async reserve(seconds: WakeupSeconds, cap: number): Promise<FullSecond | null> {
    if (!seconds.length) return null;
    const wanted = [...seconds].sort((a, b) => a.second - b.second);
    try {
      await this.em.fork().transactional(async (tx) => {
        // SQL: one statement adds to every second; the condition is checked on each row as locked, so replicas racing
        // for the same second cannot both pass the cap. Rows are taken in second order, so two reservations never
        // wait on each other crosswise.
        const rows = await tx.execute<Array<{ second: string }>>(
          `insert into timer_calendar (second, wakeups)
           select s, n from jsonb_to_recordset(?::jsonb) as w(s bigint, n integer) order by s
           on conflict (second) do update set wakeups = timer_calendar.wakeups + excluded.wakeups
             where timer_calendar.wakeups = 0 or timer_calendar.wakeups + excluded.wakeups <= ?
           returning second`,
          [JSON.stringify(wanted.map((w) => ({ s: w.second, n: w.wakeups }))), cap],
        );
        if (rows.length < wanted.length) throw new Full();
      });
      return null;
    } catch (err) {
      if (!(err instanceof Full)) throw err;
      // SQL: the seconds' loads as they stand, to name the first that had no room.
      const rows = await this.em
        .fork()
        .execute<Array<{ second: string; wakeups: number }>>(`select second, wakeups from timer_calendar where second in (select v::bigint from jsonb_array_elements_text(?::jsonb) v) order by second`, [JSON.stringify(wanted.map((w) => w.second))]);
      const load = new Map(rows.map((r) => [Number(r.second), r.wakeups]));
      const full = wanted.find((w) => (load.get(w.second) ?? 0) > 0 && (load.get(w.second) ?? 0) + w.wakeups > cap) ?? wanted[0];
      return { second: full.second, wakeups: load.get(full.second) ?? 0 };
    }
  }

  /** Gives back what `reserve` took, for a ticket that was not opened after all. */
  async release(seconds: WakeupSeconds): Promise<void> {
    if (!seconds.length) return;
    // SQL: one statement for all the seconds, never below zero; the rows are locked in second order first, as `reserve`
    // takes them, so the two never wait on each other crosswise.
    await this.em.fork().execute(
      `with w as (select s, n from jsonb_to_recordset(?::jsonb) as w(s bigint, n integer)),
            locked as materialized (select second from timer_calendar where second in (select s from w) order by second for update)
       update timer_calendar c set wakeups = greatest(0, c.wakeups - w.n) from w where c.second = w.s and c.second in (select second from locked)`,
      [JSON.stringify(seconds.map((w) => ({ s: w.second, n: w.wakeups })))],
    );
  }

  /** Forgets the seconds before `second`: their timers have fired. */
  async prune(second: number): Promise<void> {
    // SQL: a range delete on the primary key.
    await this.em.fork().execute(`delete from timer_calendar where second < ?`, [second]);
  }
}

/** A ticket's wake-up instants (ms) as wake-ups per second. */
export function perSecond(instants: readonly number[]): WakeupSeconds {
  const counts = new Map<number, number>();
  for (const at of instants) {
    const second = Math.floor(at / 1000);
    counts.set(second, (counts.get(second) ?? 0) + 1);
  }
  return [...counts].map(([second, wakeups]) => ({ second, wakeups }));
}
