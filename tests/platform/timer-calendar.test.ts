// The timer calendar in the real PostgreSQL every API replica shares: a ticket's wake-ups are reserved all together or
// not at all, no second goes past the cap even when replicas race for it, an empty second takes any one ticket, and
// what is released or pruned is given back.
import { randomInt } from 'node:crypto';
import { perSecond, TimerCalendar } from '../../api/modules/tickets/timer-calendar';
import { openOrm, type Orm } from '../../platform/db/orm';

let orm: Orm;
beforeAll(async () => {
  orm = await openOrm(process.env.DATABASE_URL!);
});
afterAll(async () => orm?.close());

/** Seconds of their own per test, far ahead (around the year 2100), since the calendar lives in the database every suite shares. */
const base = () => 4_102_444_800 + randomInt(0, 1_000_000) * 1_000;
const load = async (seconds: number[]) => {
  const rows = await orm.em.fork().execute<Array<{ second: string; wakeups: number }>>('select second, wakeups from timer_calendar where second in (select v::bigint from jsonb_array_elements_text(?::jsonb) v)', [JSON.stringify(seconds)]);
  return Object.fromEntries(seconds.map((s) => [s, rows.find((r) => Number(r.second) === s)?.wakeups ?? 0]));
};

describe('TimerCalendar', () => {
  it('should reserve a ticket’s seconds all together, and refuse one whose second is full without taking any of the others', async () => {
    const calendar = new TimerCalendar(orm.em);
    const s = base();
    expect(await calendar.reserve([{ second: s, wakeups: 1 }, { second: s + 30, wakeups: 1 }], 2)).toBeNull();
    expect(await calendar.reserve([{ second: s + 30, wakeups: 1 }, { second: s + 60, wakeups: 1 }], 2)).toBeNull();
    // s + 30 now holds 2: a third ticket there is refused, and s + 90 stays empty.
    expect(await calendar.reserve([{ second: s + 30, wakeups: 1 }, { second: s + 90, wakeups: 1 }], 2)).toEqual({ second: s + 30, wakeups: 2 });
    expect(await load([s, s + 30, s + 60, s + 90])).toEqual({ [s]: 1, [s + 30]: 2, [s + 60]: 1, [s + 90]: 0 });
  });

  it('should let an empty second take one ticket with more wake-ups than the cap, and only that one', async () => {
    const calendar = new TimerCalendar(orm.em);
    const s = base();
    expect(await calendar.reserve([{ second: s, wakeups: 3 }], 2)).toBeNull();
    expect(await calendar.reserve([{ second: s, wakeups: 1 }], 2)).toEqual({ second: s, wakeups: 3 });
    // Given back to zero, the second is empty again.
    await calendar.release([{ second: s, wakeups: 3 }]);
    expect(await calendar.reserve([{ second: s, wakeups: 3 }], 2)).toBeNull();
  });

  it('should never pass the cap when many reservations race for the same seconds', async () => {
    const calendar = new TimerCalendar(orm.em);
    const s = base();
    const results = await Promise.all(Array.from({ length: 12 }, () => calendar.reserve([{ second: s, wakeups: 1 }, { second: s + 45, wakeups: 1 }], 5)));
    expect(results.filter((r) => r === null)).toHaveLength(5);
    expect(await load([s, s + 45])).toEqual({ [s]: 5, [s + 45]: 5 });
  });

  it('should give back what it released, never below zero, and forget the seconds before the one it prunes from', async () => {
    const calendar = new TimerCalendar(orm.em);
    const s = base();
    await calendar.reserve([{ second: s, wakeups: 2 }, { second: s + 1, wakeups: 1 }], 10);
    await calendar.release([{ second: s, wakeups: 1 }, { second: s + 1, wakeups: 4 }]);
    expect(await load([s, s + 1])).toEqual({ [s]: 1, [s + 1]: 0 });
    await calendar.reserve([{ second: s + 2, wakeups: 1 }], 10);
    await calendar.prune(s + 2);
    const rows = await orm.em.fork().execute<Array<{ second: string }>>('select second from timer_calendar where second between ? and ?', [s, s + 2]);
    expect(rows.map((r) => Number(r.second))).toEqual([s + 2]);
  });

  it('should count instants by the second they fall in', () => {
    expect(perSecond([1_000, 1_999, 2_000, 61_500])).toEqual([
      { second: 1, wakeups: 2 },
      { second: 2, wakeups: 1 },
      { second: 61, wakeups: 1 },
    ]);
  });
});
