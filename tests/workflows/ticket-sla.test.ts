// SLA clocks and escalations on business hours, with time skipping: breach instants, pauses, exactly-once across worker restarts.
import { randomUUID } from 'node:crypto';
import { DEFAULT_DEFINITIONS, zonedParts, zonedToUtc, type SlaPolicy, type WorkflowDefinition } from '../../workflow-definitions/index';
import { commentUpdate, migrateUpdate, transitionUpdate, type TicketWorkflowInput, type Actor } from '../../workflows/ticket-messages';
import { createWorker, incidentInput, RecordedEvents, startTicket, useTimeSkippingEnv } from '../support/workflow-env';
import { saveHistory } from './history-store';

const testEnv = useTimeSkippingEnv();

const AGENT: Actor = { id: randomUUID(), role: 'agent' };
const CUSTOMER: Actor = { id: randomUUID(), role: 'customer' };
const MINUTE = 60_000;

function incidentWith(policy: SlaPolicy): WorkflowDefinition {
  const def = structuredClone(DEFAULT_DEFINITIONS.find((d) => d.key === 'incident')!) as WorkflowDefinition & { sla: { policies: Record<string, SlaPolicy> } };
  def.sla.policies.high = policy;
  return def;
}

function inputFor(def: WorkflowDefinition, createdAt: number, priority: 'high' | 'critical' = 'high'): TicketWorkflowInput {
  return incidentInput({ createdAt, requester: CUSTOMER, title: 'SLA test', priority, definition: def });
}

/** The next Friday 17:55 in Paris, as test-server time. */
function nextFriday1755Paris(nowMs: number): number {
  let t = nowMs + 24 * 60 * MINUTE;
  for (;;) {
    const p = zonedParts(t, 'Europe/Paris');
    const weekday = new Date(Date.UTC(p.y, p.m - 1, p.d)).getUTCDay();
    if (weekday === 5) {
      const at = zonedToUtc(p, 17 * 60 + 55, 'Europe/Paris');
      if (at > nowMs) return at;
    }
    t += 24 * 60 * MINUTE;
  }
}

it('should breach a 1-hour business-hours target opened Friday 17:55 on Monday 09:55 Paris time, warning once at 09:25', async () => {
  const env = testEnv();
  const recorded = new RecordedEvents();
  const worker = await createWorker(env, 'sla-friday', recorded);
  await worker.runUntil(async () => {
    const friday = nextFriday1755Paris(await env.currentTimeMs());
    await env.sleep(friday - (await env.currentTimeMs()));
    const def = incidentWith({ calendar: 'business', resolutionMinutes: 60, warnAtPercent: 50 });
    const input = inputFor(def, await env.currentTimeMs());
    const handle = await startTicket(env, 'sla-friday', input);
    await env.sleep(4 * 24 * 60 * MINUTE);
    const id = input.ticket.id;
    const breach = recorded.ofType(id, 'sla_breached');
    const warning = recorded.ofType(id, 'sla_warning');
    expect(breach).toHaveLength(1);
    expect(warning).toHaveLength(1);
    const paris = (iso: string) => {
      const p = zonedParts(Date.parse(iso), 'Europe/Paris');
      return { weekday: new Date(Date.UTC(p.y, p.m - 1, p.d)).getUTCDay(), hh: p.hh, mm: p.mm };
    };
    expect(paris(breach[0].data.deadline as string)).toEqual({ weekday: 1, hh: 9, mm: 55 });
    expect(paris(breach[0].at)).toMatchObject({ weekday: 1, hh: 9, mm: 55 });
    expect(paris(warning[0].at)).toMatchObject({ weekday: 1, hh: 9, mm: 25 });
    expect(Date.parse(breach[0].at) - Date.parse(breach[0].data.deadline as string)).toBeLessThan(1000);
    // The breach escalation raised the priority once: high → critical.
    expect(recorded.ofType(id, 'priority_changed').map((e) => e.data.to)).toEqual(['critical']);
    expect(recorded.ofType(id, 'escalated').map((e) => e.data.escalation)).toEqual(expect.arrayContaining(['resolution_warning', 'resolution_breach']));
    await saveHistory('incident-sla-breach', await handle.fetchHistory());
  });
});

it('should pause the resolution clock while waiting on the customer', async () => {
  const env = testEnv();
  const recorded = new RecordedEvents();
  const worker = await createWorker(env, 'sla-pause', recorded);
  await worker.runUntil(async () => {
    const def = incidentWith({ calendar: '24x7', firstResponseMinutes: 15, resolutionMinutes: 240 });
    const start = await env.currentTimeMs();
    const input = inputFor(def, start);
    const handle = await startTicket(env, 'sla-pause', input);
    await env.sleep(60 * MINUTE);
    await handle.executeUpdate(transitionUpdate, { args: [{ transition: 'wait_for_customer', fields: { pending_reason: 'logs needed' }, actor: AGENT }] });
    await env.sleep(10 * 60 * MINUTE);
    expect(recorded.ofType(input.ticket.id, 'sla_breached').map((e) => e.data.clock)).toEqual(['firstResponse']);
    await handle.executeUpdate(transitionUpdate, { args: [{ transition: 'customer_replied', actor: CUSTOMER }] });
    const resumedAt = await env.currentTimeMs();
    await env.sleep(6 * 60 * MINUTE);
    const breaches = recorded.ofType(input.ticket.id, 'sla_breached');
    expect(breaches.map((e) => e.data.clock)).toEqual(['firstResponse', 'resolution']);
    // 60 minutes were used before the pause: 180 remain after it.
    const lateness = Date.parse(breaches[1].at) - (resumedAt + 180 * MINUTE);
    expect(Math.abs(lateness)).toBeLessThan(2000);
    expect(Date.parse(breaches[0].at) - (start + 15 * MINUTE)).toBeLessThan(1000);
    await saveHistory('incident-sla-pause', await handle.fetchHistory());
  });
});

it("should resume the paused clock when the customer replies, through the definition's customer_replied transition", async () => {
  const env = testEnv();
  const recorded = new RecordedEvents();
  const worker = await createWorker(env, 'sla-reply', recorded);
  await worker.runUntil(async () => {
    const def = incidentWith({ calendar: '24x7', firstResponseMinutes: 15, resolutionMinutes: 240 });
    const input = inputFor(def, await env.currentTimeMs());
    const handle = await startTicket(env, 'sla-reply', input);
    await env.sleep(60 * MINUTE);
    await handle.executeUpdate(transitionUpdate, { args: [{ transition: 'wait_for_customer', fields: { pending_reason: 'logs needed' }, actor: AGENT }] });
    await env.sleep(10 * 60 * MINUTE);
    expect(recorded.ofType(input.ticket.id, 'sla_breached').map((e) => e.data.clock)).toEqual(['firstResponse']);
    await handle.executeUpdate(commentUpdate, { args: [{ body: 'Here are the logs', visibility: 'public', actor: CUSTOMER }] });
    const resumedAt = await env.currentTimeMs();
    expect(recorded.ofType(input.ticket.id, 'transitioned').map((e) => e.data.transition)).toEqual(['wait_for_customer', 'customer_replied']);
    await env.sleep(6 * 60 * MINUTE);
    const breaches = recorded.ofType(input.ticket.id, 'sla_breached');
    expect(breaches.map((e) => e.data.clock)).toEqual(['firstResponse', 'resolution']);
    expect(Math.abs(Date.parse(breaches[1].at) - (resumedAt + 180 * MINUTE))).toBeLessThan(2000);
    await saveHistory('incident-customer-reply', await handle.fetchHistory());
  });
});

it('should resume a paused clock when a migration lands the ticket in a state that no longer pauses it', async () => {
  const env = testEnv();
  const recorded = new RecordedEvents();
  const worker = await createWorker(env, 'sla-migrate', recorded);
  await worker.runUntil(async () => {
    const def = incidentWith({ calendar: '24x7', firstResponseMinutes: 15, resolutionMinutes: 240 });
    const input = inputFor(def, await env.currentTimeMs());
    const handle = await startTicket(env, 'sla-migrate', input);
    await env.sleep(60 * MINUTE);
    await handle.executeUpdate(transitionUpdate, { args: [{ transition: 'wait_for_customer', fields: { pending_reason: 'logs needed' }, actor: AGENT }] });
    await env.sleep(10 * 60 * MINUTE);
    // Version 2 stops counting the customer's time as paused.
    const v2 = structuredClone(def);
    for (const st of v2.states) if (st.name === 'pending_customer') delete (st as { slaPaused?: boolean }).slaPaused;
    const ADMIN: Actor = { id: randomUUID(), role: 'admin' };
    const after = await handle.executeUpdate(migrateUpdate, { args: [{ definition: v2, version: input.definitionVersion + 1, stateMapping: {}, actor: ADMIN }] });
    const migratedAt = await env.currentTimeMs();
    expect(after.sla.find((c) => c.name === 'resolution')?.paused).toBe(false);
    await env.sleep(4 * 60 * MINUTE);
    const breaches = recorded.ofType(input.ticket.id, 'sla_breached');
    expect(breaches.map((e) => e.data.clock)).toEqual(['firstResponse', 'resolution']);
    expect(Math.abs(Date.parse(breaches[1].at) - (migratedAt + 180 * MINUTE))).toBeLessThan(2000);
    await saveHistory('incident-migrated-resumes-clocks', await handle.fetchHistory());
  });
});

it('should fire each escalation exactly once when the worker is replaced around the deadline', async () => {
  const env = testEnv();
  const recorded = new RecordedEvents();
  const def = incidentWith({ calendar: '24x7', resolutionMinutes: 120 });
  const input = inputFor(def, await env.currentTimeMs());
  const first = await createWorker(env, 'sla-restart', recorded, { cached: false });
  const handle = await first.runUntil(async () => {
    const h = await startTicket(env, 'sla-restart', input);
    await env.sleep(100 * MINUTE);
    return h;
  });
  expect(recorded.ofType(input.ticket.id, 'sla_warning')).toHaveLength(1);
  expect(recorded.ofType(input.ticket.id, 'sla_breached')).toHaveLength(0);
  // A fresh worker has no cache: it rebuilds the ticket by replaying its history, then goes on.
  const second = await createWorker(env, 'sla-restart', recorded, { cached: false });
  await second.runUntil(async () => {
    await env.sleep(3 * 24 * 60 * MINUTE);
    await handle.executeUpdate(transitionUpdate, { args: [{ transition: 'resolve', fields: { resolution: 'rebooted the switch' }, actor: AGENT }] });
  });
  const id = input.ticket.id;
  expect(recorded.ofType(id, 'sla_breached')).toHaveLength(1);
  expect(recorded.ofType(id, 'escalated').map((e) => e.data.escalation).sort()).toEqual(['resolution_breach', 'resolution_warning', 'unassigned']);
  expect(recorded.ofType(id, 'priority_changed')).toHaveLength(1);
  const seqs = recorded.events(id).map((e) => e.seq);
  expect(seqs).toEqual(seqs.map((_, i) => i + 1));
});
