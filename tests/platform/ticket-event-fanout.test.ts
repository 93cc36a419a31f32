// The fan-out outbox hears every committed batch at least once, in order per ticket, across failures and competing dispatchers.
import { randomUUID } from 'node:crypto';
import { openOrm, type Orm } from '../../platform/db/orm';
import { createLogger } from '../../platform/logger';
import { TicketEventFanout } from '../../activities/ticket-event-fanout';
import type { RecordTicketEventsInput } from '../../activities/record-ticket-events';
import { unique } from '../support/http';

let orm: Orm;
const log = createLogger('fanout-test', 'silent');

beforeAll(async () => {
  orm = await openOrm(process.env.DATABASE_URL!);
});
afterAll(async () => orm?.close());

/** Queues a batch the way the read-model activity does (only the fields the dispatcher reads matter here). */
async function queue(taskQueue: string, ticketId: string, seq: number): Promise<void> {
  const batch = { ticketId, events: [{ seq }], row: { lastSeq: seq } } as unknown as RecordTicketEventsInput;
  await orm.em.fork().execute(`insert into ticket_event_fanout (ticket_id, task_queue, batch) values (?, ?, ?::jsonb)`, [ticketId, taskQueue, JSON.stringify(batch)]);
}

async function left(taskQueue: string): Promise<number> {
  const [row] = await orm.em.fork().execute<{ n: number }[]>(`select count(*)::int as n from ticket_event_fanout where task_queue = ?`, [taskQueue]);
  return row.n;
}

const seqOf = (b: RecordTicketEventsInput) => b.events[0].seq;

it('should hear a failed batch again before any later batch of its ticket, and other tickets meanwhile', async () => {
  const tq = unique('fanout');
  const [a, b] = [randomUUID(), randomUUID()];
  for (const seq of [1, 2, 3]) await queue(tq, a, seq);
  for (const seq of [1, 2]) await queue(tq, b, seq);
  const heard: string[] = [];
  let failedOnce = false;
  const fanout = new TicketEventFanout(tq, orm.em, { each: [
    async (batch) => {
      if (batch.ticketId === a && seqOf(batch) === 2 && !failedOnce) {
        failedOnce = true;
        throw new Error('receiver down');
      }
      heard.push(`${batch.ticketId === a ? 'A' : 'B'}${seqOf(batch)}`);
    },
  ] }, log, { retryFirstMs: 50 });

  for (let round = 0; round < 50 && (await left(tq)) > 0; round++) {
    await fanout.round();
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(await left(tq)).toBe(0);
  expect(failedOnce).toBe(true);
  expect(heard.filter((h) => h.startsWith('A'))).toEqual(['A1', 'A2', 'A3']);
  expect(heard.filter((h) => h.startsWith('B'))).toEqual(['B1', 'B2']);
  const [failed] = await orm.em.fork().execute<{ n: number }[]>(`select count(*)::int as n from ticket_event_fanout where ticket_id = ?`, [a]);
  expect(failed.n).toBe(0);
});

it('should keep each ticket in order and hear every batch exactly once when two dispatchers compete', async () => {
  const tq = unique('fanout');
  const tickets = Array.from({ length: 12 }, () => randomUUID());
  for (let seq = 1; seq <= 5; seq++) for (const t of tickets) await queue(tq, t, seq);
  const heard = new Map<string, number[]>();
  const busy = new Set<string>();
  let overlapped = false;
  const listener = async (batch: RecordTicketEventsInput) => {
    if (busy.has(batch.ticketId)) overlapped = true;
    busy.add(batch.ticketId);
    await new Promise((r) => setTimeout(r, 2));
    heard.set(batch.ticketId, [...(heard.get(batch.ticketId) ?? []), seqOf(batch)]);
    busy.delete(batch.ticketId);
  };
  const one = new TicketEventFanout(tq, orm.em, { each: [listener] }, log, { claim: 5, pollMs: 20 });
  const two = new TicketEventFanout(tq, orm.em, { each: [listener] }, log, { claim: 5, pollMs: 20 });
  one.start();
  two.start();
  const deadline = Date.now() + 30_000;
  while ((await left(tq)) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await Promise.all([one.stop(), two.stop()]);
  expect(await left(tq)).toBe(0);
  expect(overlapped).toBe(false);
  for (const t of tickets) expect(heard.get(t)).toEqual([1, 2, 3, 4, 5]);
});

it('should hear nothing queued for another task queue', async () => {
  const mine = unique('fanout');
  const theirs = unique('fanout');
  await queue(theirs, randomUUID(), 1);
  const heard: string[] = [];
  const fanout = new TicketEventFanout(mine, orm.em, { each: [async (b) => void heard.push(b.ticketId)] }, log);
  expect(await fanout.round()).toBe(0);
  expect(heard).toEqual([]);
  expect(await left(theirs)).toBe(1);
  await orm.em.fork().execute(`delete from ticket_event_fanout where task_queue = ?`, [theirs]);
});

it('should hand the batches of a round to batch listeners at once, and hear them all again when one fails', async () => {
  const tq = unique('fanout');
  const tickets = Array.from({ length: 4 }, () => randomUUID());
  for (const t of tickets) await queue(tq, t, 1);
  const rounds: string[][] = [];
  let failOnce = true;
  const fanout = new TicketEventFanout(tq, orm.em, {
    all: [
      async (batches) => {
        rounds.push(batches.map((b) => b.ticketId).sort());
        if (failOnce) {
          failOnce = false;
          throw new Error('database busy');
        }
      },
    ],
  }, log, { retryFirstMs: 20 });
  expect(await fanout.round()).toBe(0);
  expect(await left(tq)).toBe(4);
  await new Promise((r) => setTimeout(r, 60));
  expect(await fanout.round()).toBe(4);
  expect(await left(tq)).toBe(0);
  expect(rounds).toEqual([[...tickets].sort(), [...tickets].sort()]);
});
