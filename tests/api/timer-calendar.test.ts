// Backpressure on the future: with a cap on the timer wake-ups the workers take per second, a new ticket whose SLA timers
// would fall in a second already full is refused (503, Retry-After 1) before it takes a number, and opens once there is
// room; an accepted ticket holds its own seconds on the calendar, and no two tickets share a full second.
import { startDesk, type Desk } from '../support/desk';
import { ADMIN, Session, eventually, unique } from '../support/http';
import { openOrm, type Orm } from '../../platform/db/orm';

let desk: Desk;
let admin: Session;
let orm: Orm;

// A critical incident (default definition, round the clock) wakes 11.25, 15, 30, 180 and 240 minutes after opening.
const CRITICAL_INCIDENT_WAKEUPS_S = [675, 900, 1_800, 10_800, 14_400];

beforeAll(async () => {
  desk = await startDesk({ taskQueue: unique('timer-calendar'), env: { BACKPRESSURE_MAX_TIMERS_PER_SECOND: '1' } });
  admin = await Session.login(ADMIN.email, ADMIN.password, desk.url);
  orm = await openOrm(process.env.DATABASE_URL!);
}, 60_000);
afterAll(async () => {
  await orm?.close();
  await desk?.stop();
});

const load = async (seconds: number[]) => {
  const rows = await orm.em.fork().execute<Array<{ second: string; wakeups: number }>>('select second, wakeups from timer_calendar where second in (select v::bigint from jsonb_array_elements_text(?::jsonb) v)', [JSON.stringify(seconds)]);
  return seconds.map((s) => rows.find((r) => Number(r.second) === s)?.wakeups ?? 0);
};
let lastOpenedSecond = 0;
const openCritical = (title: string) => admin.post('/api/tickets', { type: 'incident', title, priority: 'critical' });

it('should refuse a ticket whose first timer falls in a full second, without numbering it, and open it once there is room', async () => {
  // Another ticket's timers fill the seconds around where this one's first-response warning would fall for the next minute.
  const now = Math.floor(Date.now() / 1000);
  const taken = Array.from({ length: 62 }, (_, i) => now + CRITICAL_INCIDENT_WAKEUPS_S[0] - 1 + i);
  await orm.em.fork().execute(`insert into timer_calendar (second, wakeups) select s::bigint, 1 from jsonb_array_elements_text(?::jsonb) v(s) on conflict (second) do update set wakeups = 1`, [JSON.stringify(taken)]);
  const title = unique('full second');
  const numberBefore = (await admin.post('/api/tickets', { type: 'problem', title: unique('numbering'), priority: 'low' })).body.number as string;
  let refused;
  try {
    refused = await openCritical(title);
  } finally {
    await orm.em.fork().execute('delete from timer_calendar where second in (select v::bigint from jsonb_array_elements_text(?::jsonb) v)', [JSON.stringify(taken)]);
  }
  expect(refused.status).toBe(503);
  expect(refused.headers.get('content-type')).toContain('application/problem+json');
  expect(refused.body.type).toContain('/busy');
  expect(refused.headers.get('retry-after')).toBe('1');
  expect(refused.body.detail).toMatch(/already have 1 timer due at \d\d:\d\d:\d\d UTC, when one of this ticket's would fire \(at most 1 a second\)/);
  // Nothing of the refused ticket exists, and it took no number: the next ticket's follows the one before.
  expect((await admin.get(`/api/tickets?q=${encodeURIComponent(title)}`)).body.items).toEqual([]);
  const numberAfter = (await admin.post('/api/tickets', { type: 'problem', title: unique('numbering'), priority: 'low' })).body.number as string;
  expect(Number(numberAfter.split('-')[1])).toBe(Number(numberBefore.split('-')[1]) + 1);

  // Room again: it opens, and holds its five seconds on the calendar.
  const opened = await openCritical(title);
  expect(opened.status).toBe(201);
  const created = Math.floor(Date.parse(opened.body.createdAt) / 1000);
  lastOpenedSecond = created;
  expect(await load(CRITICAL_INCIDENT_WAKEUPS_S.map((s) => created + s))).toEqual([1, 1, 1, 1, 1]);
}, 60_000);

it('should take at most one ticket per second of timers when tickets race for the same seconds', async () => {
  // The ticket opened above holds the seconds of its own creation second: these race in a later one.
  await eventually(async () => (Math.floor(Date.now() / 1000) > lastOpenedSecond ? true : undefined), 2_000, 20);
  const answers = await Promise.all(Array.from({ length: 8 }, () => openCritical(unique('race'))));
  expect(answers.every((a) => a.status === 201 || a.status === 503)).toBe(true);
  const accepted = answers.filter((a) => a.status === 201);
  expect(accepted.length).toBeGreaterThan(0);
  // Tickets opened within the same second have their timers in the same seconds: the cap of 1 lets one through.
  const seconds = accepted.map((a) => Math.floor(Date.parse(a.body.createdAt) / 1000));
  expect(new Set(seconds).size).toBe(seconds.length);
  for (const s of seconds) expect(await load(CRITICAL_INCIDENT_WAKEUPS_S.map((w) => s + w))).toEqual([1, 1, 1, 1, 1]);
}, 60_000);
