// The console simulator against the real ticket workflow on the time-skipping server: one script, the same timeline instants.
import { randomUUID } from 'node:crypto';
import { DEFAULT_DEFINITIONS, simulate, zonedParts, zonedToUtc, type SimulationStep, type WorkflowDefinition } from '../../workflow-definitions/index';
import { transitionUpdate, type Actor, type TicketWorkflowInput } from '../../workflows/ticket-messages';
import { createWorker, RecordedEvents, startTicket, useTimeSkippingEnv } from '../support/workflow-env';

const testEnv = useTimeSkippingEnv();

const AGENT: Actor = { id: randomUUID(), role: 'agent' };
const CUSTOMER: Actor = { id: randomUUID(), role: 'customer' };
const MINUTE = 60_000;
/** Instants are compared to the second: an update reaches the server a few milliseconds after the script's time. */
const TOLERANCE_MS = 5_000;
const COMPARED = new Set(['transitioned', 'sla_warning', 'sla_breached', 'escalated', 'priority_changed']);

function nextFriday17Paris(nowMs: number): number {
  for (let t = nowMs + 24 * 60 * MINUTE; ; t += 24 * 60 * MINUTE) {
    const p = zonedParts(t, 'Europe/Paris');
    if (new Date(Date.UTC(p.y, p.m - 1, p.d)).getUTCDay() === 5) return zonedToUtc(p, 17 * 60, 'Europe/Paris');
  }
}

it('should fire every warning, breach, escalation and transition at the instants the simulator predicts', async () => {
  const env = testEnv();
  const def = structuredClone(DEFAULT_DEFINITIONS.find((d) => d.key === 'incident')!) as WorkflowDefinition & { sla: { policies: Record<string, unknown> } };
  def.sla.policies.high = { calendar: 'business', firstResponseMinutes: 60, resolutionMinutes: 240, warnAtPercent: 50 };
  // Friday 17:00 create; Monday 09:30 the agent waits on the customer (first response, SLA paused); 2 h later the customer answers.
  const script: Array<{ afterMinutes: number; step: SimulationStep & { kind: 'transition' }; actor: Actor }> = [
    { afterMinutes: 3 * 24 * 60 - 7 * 60 - 30, step: { kind: 'transition', transition: 'wait_for_customer', fields: { pending_reason: 'logs' } }, actor: AGENT },
    { afterMinutes: 120, step: { kind: 'transition', transition: 'customer_replied', role: 'customer' }, actor: CUSTOMER },
  ];

  const recorded = new RecordedEvents();
  const worker = await createWorker(env, 'simulate-crosscheck', recorded);
  await worker.runUntil(async () => {
    const createdAt = nextFriday17Paris(await env.currentTimeMs());
    await env.sleep(createdAt - (await env.currentTimeMs()));
    const id = randomUUID();
    const input: TicketWorkflowInput = {
      ticket: { id, number: `INC-${id.slice(0, 6)}`, type: 'incident', title: 'cross-check', description: '', priority: 'high', requesterId: CUSTOMER.id!, queue: null, fields: {}, createdAt: new Date(createdAt).toISOString(), createdBy: CUSTOMER },
      definition: def,
      definitionVersion: 1,
    };
    const handle = await startTicket(env, 'simulate-crosscheck', input);
    const steps: SimulationStep[] = [];
    let at = createdAt;
    for (const s of script) {
      at += s.afterMinutes * MINUTE;
      await env.sleep(at - (await env.currentTimeMs()));
      await handle.executeUpdate(transitionUpdate, { args: [{ transition: s.step.transition, fields: s.step.fields, actor: s.actor }] });
      steps.push({ ...s.step, at: new Date(at).toISOString() });
    }
    const horizon = 5 * 24 * 60;
    await env.sleep(createdAt + horizon * MINUTE - (await env.currentTimeMs()));

    const actual = recorded.events(id).filter((e) => COMPARED.has(e.type)).map((e) => ({ type: e.type, at: Date.parse(e.at), name: (e.data.escalation ?? e.data.clock ?? e.data.transition ?? e.data.to) as string }));
    const predicted = simulate({ definition: def, priority: 'high', createdAt: new Date(createdAt).toISOString(), steps, horizonMinutes: horizon })
      .entries.filter((e) => e.kind !== 'created' && COMPARED.has(e.kind) && Date.parse(e.at) <= createdAt + horizon * MINUTE)
      .map((e) => ({ type: e.kind, at: Date.parse(e.at), name: (e.escalation && e.kind === 'escalated' ? e.escalation : (e.clock ?? e.transition ?? e.priority)) as string }));

    // Both sides fire the same things in the same order...
    expect(actual.map((e) => `${e.type}:${e.name}`)).toEqual(predicted.map((e) => `${e.type}:${e.name}`));
    expect(predicted.map((e) => e.type)).toEqual(expect.arrayContaining(['sla_warning', 'sla_breached', 'escalated', 'priority_changed']));
    // ...at the same instants.
    actual.forEach((e, i) => expect(Math.abs(e.at - predicted[i].at)).toBeLessThan(TOLERANCE_MS));
  });
});
