// Automation rules in the ticket workflow, on the time-skipping server: firings run all or none, exactly once, across
// a replacement worker that replays the history; a chain of rules stops at the documented depth and says so; an idle
// rule fires after its minutes counted in business hours only. Recorded for the replay tests.
import { randomUUID } from 'node:crypto';
import { ruleSetOf } from '../../activities/automation-rules';
import type { RuleBody } from '../../workflow-definitions/rules/schema';
import { MAX_RULE_DEPTH } from '../../workflow-definitions/rules/schema';
import { DEFAULT_DEFINITIONS, type WorkflowDefinition } from '../../workflow-definitions/index';
import { commentUpdate, rulesChangedSignal, snapshotQuery, type Actor, type TicketEvent } from '../../workflows/ticket-messages';
import { createWorker, incidentInput, RecordedEvents, startTicket, useTimeSkippingEnv } from '../support/workflow-env';
import { saveHistory } from './history-store';

const testEnv = useTimeSkippingEnv();
const CUSTOMER: Actor = { id: randomUUID(), role: 'customer' };
const MINUTE = 60_000;

const rule = (name: string, body: Pick<RuleBody, 'when' | 'if' | 'then'>, version = 1) => ({ id: randomUUID(), name, version, body });

/** Waits (in real time, briefly) until the workflow has recorded what the test expects: its tasks run on their own. */
async function until(recorded: RecordedEvents, id: string, what: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !what(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!what()) throw new Error(`the expected events were not recorded; the ticket has: ${JSON.stringify(recorded.events(id).map((e) => [e.type, e.data]))}`);
}

const byRule = (e: TicketEvent) => e.data.byRule as { name: string; depth: number } | undefined;

it('should run each firing once across a worker restart, and stop a chain of rules at the documented depth', async () => {
  const env = testEnv();
  const recorded = new RecordedEvents();
  const vip = rule('VIP intake', { when: { event: 'created' }, if: [{ subject: 'priority', op: 'is', value: 'high' }], then: [{ action: 'add_tags', tags: ['vip', 'ping'] }, { action: 'comment', body: 'VIP: call back within the hour', visibility: 'internal' }] });
  const ping = rule('Ping', { when: { event: 'field_changed', field: 'tags' }, if: [{ subject: 'tags', op: 'contains', value: 'ping' }], then: [{ action: 'remove_tags', tags: ['ping'] }, { action: 'add_tags', tags: ['pong'] }] });
  const pong = rule('Pong', { when: { event: 'field_changed', field: 'tags' }, if: [{ subject: 'tags', op: 'contains', value: 'pong' }], then: [{ action: 'remove_tags', tags: ['pong'] }, { action: 'add_tags', tags: ['ping'] }] });
  const reply = rule('Customer replied', { when: { event: 'commented', by: 'customer' }, then: [{ action: 'set_priority', priority: 'critical' }, { action: 'set_field', field: 'resolution', value: 'Answered by the desk' }, { action: 'transition', transition: 'resolve' }] });
  recorded.rules = ruleSetOf(7, [vip, ping, pong, reply]);
  const input = incidentInput({ createdAt: await env.currentTimeMs(), requester: CUSTOMER, priority: 'high' });
  const id = input.ticket.id;
  // Without a cache, every task of the first worker replays the whole history so far, rule firings included.
  const first = await createWorker(env, 'rules', recorded, { cached: false });
  const handle = await first.runUntil(async () => {
    const h = await startTicket(env, 'rules', input);
    await until(recorded, id, () => recorded.ofType(id, 'rule_chain_stopped').length > 0);
    return h;
  });
  const events = recorded.events(id);
  expect(events.map((e) => e.type)).toEqual([
    'created',
    'rule_applied', 'tags_changed', 'commented',
    // Each of Ping's and Pong's two steps is an event; the rule's second firing on the batch changes nothing, so leaves no trace.
    'rule_applied', 'tags_changed', 'tags_changed',
    'rule_applied', 'tags_changed', 'tags_changed',
    'rule_applied', 'tags_changed', 'tags_changed',
    'rule_applied', 'tags_changed', 'tags_changed',
    'rule_chain_stopped',
  ]);
  expect(events.filter((e) => e.type === 'rule_applied').map((e) => [(e.data.rule as { name: string }).name, e.data.depth])).toEqual([
    ['VIP intake', 1], ['Ping', 2], ['Pong', 3], ['Ping', 4], ['Pong', 5],
  ]);
  expect(events.filter((e) => e.type !== 'created' && e.type !== 'rule_applied' && e.type !== 'rule_chain_stopped').every((e) => byRule(e) !== undefined && e.actor.role === 'system')).toBe(true);
  expect(events.at(-1)!.data).toMatchObject({ rule: { name: 'Ping' }, depth: MAX_RULE_DEPTH + 1, maxDepth: MAX_RULE_DEPTH });
  // A replacement worker replays it all and takes the customer's reply: that rule runs once, all of its steps.
  const second = await createWorker(env, 'rules', recorded);
  await second.runUntil(async () => {
    await handle.executeUpdate(commentUpdate, { args: [{ body: 'Any news?', visibility: 'public', actor: CUSTOMER }] });
    await until(recorded, id, () => recorded.ofType(id, 'transitioned').length > 0);
    const snapshot = await handle.query(snapshotQuery);
    expect(snapshot.state).toBe('resolved');
    expect(snapshot.priority).toBe('critical');
    expect(snapshot.tags).toEqual(['ping', 'vip']);
    const applied = recorded.ofType(id, 'rule_applied');
    expect(applied.filter((e) => (e.data.rule as { name: string }).name === 'Customer replied')).toHaveLength(1);
    // Every (rule, trigger) pair ran at most once.
    const pairs = applied.map((e) => `${(e.data.rule as { id: string }).id}:${e.data.trigger}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    await saveHistory('incident-rules-chain', await handle.fetchHistory());
  });
});

it('should refuse a whole firing when one of its steps cannot run, and say why in the timeline', async () => {
  const env = testEnv();
  const recorded = new RecordedEvents();
  const bad = rule('Close at once', { when: { event: 'created' }, then: [{ action: 'add_tags', tags: ['auto'] }, { action: 'transition', transition: 'close' }] });
  recorded.rules = ruleSetOf(1, [bad]);
  const input = incidentInput({ createdAt: await env.currentTimeMs(), requester: CUSTOMER });
  const worker = await createWorker(env, 'rules-refused', recorded);
  await worker.runUntil(async () => {
    const h = await startTicket(env, 'rules-refused', input);
    await until(recorded, input.ticket.id, () => recorded.ofType(input.ticket.id, 'rule_failed').length > 0);
    const failed = recorded.ofType(input.ticket.id, 'rule_failed')[0]!;
    expect(failed.data).toMatchObject({ rule: { name: 'Close at once' }, step: 1, action: 'transition', reason: expect.stringMatching(/not allowed from state 'new'|not a transition/) });
    expect((await h.query(snapshotQuery)).tags).toEqual([]);
    expect(recorded.ofType(input.ticket.id, 'tags_changed')).toHaveLength(0);
  });
});

/** The shipped incident with business hours only on tomorrow's weekday, 10:00–12:00 UTC, so the test knows when they are. */
function openTomorrowMorning(now: number): WorkflowDefinition {
  const def = structuredClone(DEFAULT_DEFINITIONS.find((d) => d.key === 'incident')!) as WorkflowDefinition;
  const day = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][new Date(now + 1440 * MINUTE).getUTCDay()]!;
  def.calendars = { business: { timeZone: 'UTC', weekly: { [day]: [['10:00', '12:00']] } } };
  return def;
}

it('should fire an idle rule after its minutes counted in business hours only', async () => {
  const env = testEnv();
  const recorded = new RecordedEvents();
  const stale = rule('Stale', { when: { event: 'idle', minutes: 30 }, then: [{ action: 'add_tags', tags: ['stale'] }] });
  recorded.rules = ruleSetOf(3, [stale]);
  const now = await env.currentTimeMs();
  const input = incidentInput({ createdAt: now, requester: CUSTOMER, definition: openTomorrowMorning(now) });
  const worker = await createWorker(env, 'rules-idle', recorded);
  await worker.runUntil(async () => {
    const h = await startTicket(env, 'rules-idle', input);
    await until(recorded, input.ticket.id, () => recorded.events(input.ticket.id).length > 0);
    await env.sleep(3 * 1440 * MINUTE);
    const elapsed = recorded.ofType(input.ticket.id, 'idle_elapsed');
    expect(elapsed).toHaveLength(1);
    const tomorrow = new Date(now + 1440 * MINUTE);
    // 30 business minutes from a ticket opened outside business hours: tomorrow at 10:30, not 30 minutes after it opened.
    const due = Date.UTC(tomorrow.getUTCFullYear(), tomorrow.getUTCMonth(), tomorrow.getUTCDate(), 10, 30);
    // The timer fires at its deadline (a few milliseconds of the server's own after it).
    expect(Date.parse(elapsed[0]!.at) - due).toBeGreaterThanOrEqual(0);
    expect(Date.parse(elapsed[0]!.at) - due).toBeLessThan(MINUTE);
    expect((await h.query(snapshotQuery)).tags).toEqual(['stale']);
    expect(recorded.ofType(input.ticket.id, 'rule_applied').map((e) => e.data.trigger)).toEqual([elapsed[0]!.seq]);
    await saveHistory('incident-rules-idle', await h.fetchHistory());
  });
});

it('should arm a new idle rule on a quiet ticket once told the rules changed, without waiting for its next event', async () => {
  const env = testEnv();
  const recorded = new RecordedEvents();
  recorded.rules = ruleSetOf(4, []);
  const now = await env.currentTimeMs();
  const input = incidentInput({ createdAt: now, requester: CUSTOMER });
  const worker = await createWorker(env, 'rules-told', recorded);
  await worker.runUntil(async () => {
    const h = await startTicket(env, 'rules-told', input);
    await until(recorded, input.ticket.id, () => recorded.events(input.ticket.id).length > 0);
    // An admin adds an idle rule (round the clock): the ticket is told, asks for the idle rules, arms the timer.
    recorded.rules = ruleSetOf(5, [rule('Quiet for two hours', { when: { event: 'idle', minutes: 120, businessHours: false }, then: [{ action: 'add_tags', tags: ['quiet'] }] })]);
    await h.signal(rulesChangedSignal, { generation: 5 });
    await env.sleep(3 * 60 * MINUTE);
    const elapsed = recorded.ofType(input.ticket.id, 'idle_elapsed');
    expect(elapsed).toHaveLength(1);
    expect(Date.parse(elapsed[0]!.at) - now).toBeGreaterThanOrEqual(120 * MINUTE);
    expect((await h.query(snapshotQuery)).tags).toEqual(['quiet']);
    // Told again of a generation it knows: nothing to do.
    await h.signal(rulesChangedSignal, { generation: 5 });
    await saveHistory('incident-rules-told', await h.fetchHistory());
  });
});
