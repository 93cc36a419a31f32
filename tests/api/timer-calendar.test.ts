// Backpressure on the future: with a cap on the timer wake-ups the workers take per second, a new ticket whose SLA timers
// would fall in a second already full is refused (503, Retry-After 1) before it takes a number, and opens once there is
// room; an accepted ticket holds its own seconds on the calendar, and no two tickets share a full second.
import { createHmac } from 'node:crypto';
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
/** Critical incidents opened within the same second share all their timers' seconds: each test opens its own in a later one. */
const afterLastOpened = () => eventually(async () => (Math.floor(Date.now() / 1000) > lastOpenedSecond ? true : undefined), 2_000, 20);
/** Fills, for the next minute, the seconds where a critical incident opened now would first wake; returns them. */
async function fillFirstWakeups(): Promise<number[]> {
  const now = Math.floor(Date.now() / 1000);
  const taken = Array.from({ length: 62 }, (_, i) => now + CRITICAL_INCIDENT_WAKEUPS_S[0] - 1 + i);
  await orm.em.fork().execute(`insert into timer_calendar (second, wakeups) select s::bigint, 1 from jsonb_array_elements_text(?::jsonb) v(s) on conflict (second) do update set wakeups = 1`, [JSON.stringify(taken)]);
  return taken;
}
const emptySeconds = (taken: number[]) => orm.em.fork().execute('delete from timer_calendar where second in (select v::bigint from jsonb_array_elements_text(?::jsonb) v)', [JSON.stringify(taken)]);
const openCritical = (title: string) => admin.post('/api/tickets', { type: 'incident', title, priority: 'critical' });

it('should refuse a ticket whose first timer falls in a full second, without numbering it, and open it once there is room', async () => {
  // Other tickets' timers fill the seconds around where this one's first-response warning would fall for the next minute.
  const taken = await fillFirstWakeups();
  const title = unique('full second');
  const numberBefore = (await admin.post('/api/tickets', { type: 'problem', title: unique('numbering'), priority: 'low' })).body.number as string;
  let refused;
  try {
    refused = await openCritical(title);
  } finally {
    await emptySeconds(taken);
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
  await afterLastOpened();
  const answers = await Promise.all(Array.from({ length: 8 }, () => openCritical(unique('race'))));
  expect(answers.every((a) => a.status === 201 || a.status === 503)).toBe(true);
  const accepted = answers.filter((a) => a.status === 201);
  expect(accepted.length).toBeGreaterThan(0);
  // Tickets opened within the same second have their timers in the same seconds: the cap of 1 lets one through.
  const seconds = accepted.map((a) => Math.floor(Date.parse(a.body.createdAt) / 1000));
  lastOpenedSecond = Math.max(...seconds);
  expect(new Set(seconds).size).toBe(seconds.length);
  for (const s of seconds) expect(await load(CRITICAL_INCIDENT_WAKEUPS_S.map((w) => s + w))).toEqual([1, 1, 1, 1, 1]);
}, 60_000);

it('should answer the retry of a recorded creation with its ticket even when the seconds it would take are full', async () => {
  await afterLastOpened();
  const key = unique('retried');
  const opened = await admin.request('POST', '/api/tickets', { type: 'incident', title: unique('retried'), priority: 'critical' }, { 'Idempotency-Key': key });
  expect(opened.status).toBe(201);
  lastOpenedSecond = Math.floor(Date.parse(opened.body.createdAt) / 1000);
  const taken = await fillFirstWakeups();
  let retried;
  try {
    retried = await admin.request('POST', '/api/tickets', { type: 'incident', title: 'retried', priority: 'critical' }, { 'Idempotency-Key': key });
  } finally {
    await emptySeconds(taken);
  }
  expect(retried.status).toBe(201);
  expect(retried.headers.get('idempotent-replayed')).toBe('true');
  expect(retried.body.id).toBe(opened.body.id);
}, 60_000);

it('should refuse an alert that would open a ticket into full seconds with 503, and open it when the sender retries once there is room', async () => {
  const mapping = { rules: [{ name: 'page', when: [{ pointer: '/status', equals: 'firing' }], action: { type: 'create', ticketType: 'incident', title: '{{/alert}}', priority: 'critical' } }] };
  const { endpoint, secret } = (await admin.post('/api/webhooks/endpoints', { name: unique('monitoring'), mapping })).body;
  const body = JSON.stringify({ status: 'firing', alert: unique('DiskFull') });
  const eventId = unique('msg');
  const send = async () => {
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64')).update(`${eventId}.${ts}.${body}`).digest('base64');
    const res = await fetch(`${desk.url}/api/hooks/${endpoint.slug}`, { method: 'POST', headers: { 'content-type': 'application/json', 'webhook-id': eventId, 'webhook-timestamp': ts, 'webhook-signature': `v1,${sig}` }, body });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
  };
  await afterLastOpened();
  const taken = await fillFirstWakeups();
  let refused;
  try {
    refused = await send();
  } finally {
    await emptySeconds(taken);
  }
  expect(refused).toMatchObject({ status: 503, retryAfter: '1', body: { type: expect.stringContaining('/busy'), detail: expect.stringMatching(/timer due at/) } });
  // The same delivery again (same webhook-id) is not a duplicate of the refused one: it opens the incident.
  const retried = await send();
  expect(retried).toMatchObject({ status: 200, body: { outcome: 'accepted', action: 'create' } });
  // Both are in the endpoint's log: the refusal, then the delivery that opened it.
  const log = (await admin.get(`/api/webhooks/endpoints/${endpoint.id}/requests`)).body.items as Array<{ outcome: string; status: number; eventId: string }>;
  expect(log.filter((r) => r.eventId === eventId).map((r) => [r.outcome, r.status]).sort()).toEqual([['accepted', 200], ['rejected', 503]]);
  expect((await admin.get(`/api/tickets/${retried.body.ticketId}`)).body).toMatchObject({ type: 'incident', priority: 'critical' });
}, 60_000);
