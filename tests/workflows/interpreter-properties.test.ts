// Random event sequences against the real ticket workflow: it never crashes, never leaves the definition's states, never
// lets an SLA clock run backwards, and the console's simulator, given the same script, predicts the same timeline.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DEFAULT_DEFINITIONS, simulate, type SimulationStep, type WorkflowDefinition } from '../../workflow-definitions/index';
import { commentUpdate, priorityUpdate, snapshotQuery, transitionUpdate, type Actor, type TicketWorkflowInput } from '../../workflows/ticket-messages';
import { createWorker, RecordedEvents, startTicket, terminateStarted, timeSkippingEnv } from '../support/workflow-env';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnv();
});
afterEach(terminateStarted);
afterAll(async () => env?.teardown());

const roles = ['admin', 'agent', 'customer', 'system'] as const;
const COMPARED = new Set(['transitioned', 'sla_warning', 'sla_breached', 'escalated', 'priority_changed']);
/** An update reaches the workflow a few milliseconds after the instant the script gives the simulator. */
const TOLERANCE_MS = 5_000;
const priorities = ['low', 'medium', 'high', 'critical'] as const;
const fieldValue = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean());

type Step =
  | { kind: 'transition'; name: string; role: (typeof roles)[number]; fields: Record<string, unknown> }
  | { kind: 'comment'; role: (typeof roles)[number]; internal: boolean }
  | { kind: 'priority'; priority: (typeof priorities)[number] }
  | { kind: 'wait'; minutes: number };

function stepsFor(def: WorkflowDefinition): fc.Arbitrary<Step[]> {
  const names = [...def.transitions.map((t) => t.name), 'no_such_transition'];
  const fieldNames = [...(def.fields ?? []).map((f) => f.name), 'bogus'];
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant('transition' as const), name: fc.constantFrom(...names), role: fc.constantFrom(...roles), fields: fc.dictionary(fc.constantFrom(...fieldNames), fieldValue, { maxKeys: 3 }) }),
    fc.record({ kind: fc.constant('comment' as const), role: fc.constantFrom(...roles), internal: fc.boolean() }),
    fc.record({ kind: fc.constant('priority' as const), priority: fc.constantFrom(...priorities) }),
    fc.record({ kind: fc.constant('wait' as const), minutes: fc.integer({ min: 1, max: 5 * 24 * 60 }) }),
  );
  return fc.array(step, { minLength: 1, maxLength: 10 });
}

it('should survive random event sequences on every default definition with sane states and SLA clocks', async () => {
  const recorded = new RecordedEvents();
  const worker = await createWorker(env, 'properties', recorded);
  await worker.runUntil(async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...DEFAULT_DEFINITIONS).chain((def) => fc.tuple(fc.constant(def), fc.constantFrom(...priorities), stepsFor(def))),
        async ([def, priority, steps]) => {
        const id = randomUUID();
        const actor = (role: (typeof roles)[number]): Actor => ({ id: role === 'system' ? null : randomUUID(), role });
        const createdAt = new Date(await env.currentTimeMs()).toISOString();
        const script: SimulationStep[] = [];
        const input: TicketWorkflowInput = {
          ticket: { id, number: `P-${id.slice(0, 6)}`, type: def.types[0], title: 'property', description: '', priority, requesterId: randomUUID(), queue: null, fields: {}, createdAt, createdBy: { id: null, role: 'system' } },
          definition: def,
          definitionVersion: 1,
        };
        const handle = await startTicket(env, 'properties', input);
        const states = new Set(def.states.map((s) => s.name));
        for (const s of steps) {
          const at = new Date(await env.currentTimeMs()).toISOString();
          if (s.kind === 'transition') script.push({ kind: 'transition', transition: s.name, role: s.role, fields: s.fields as Record<string, string | number | boolean>, at });
          else if (s.kind === 'comment') script.push({ kind: 'comment', role: s.role, visibility: s.internal ? 'internal' : 'public', at });
          else if (s.kind === 'priority') script.push({ kind: 'priority', priority: s.priority, at });
          try {
            if (s.kind === 'transition') await handle.executeUpdate(transitionUpdate, { args: [{ transition: s.name, fields: s.fields, actor: actor(s.role) }] });
            else if (s.kind === 'comment') await handle.executeUpdate(commentUpdate, { args: [{ body: 'x', visibility: s.internal ? 'internal' : 'public', actor: actor(s.role) }] });
            else if (s.kind === 'priority') await handle.executeUpdate(priorityUpdate, { args: [{ priority: s.priority, actor: actor('agent') }] });
            else await env.sleep(s.minutes * 60_000);
          } catch (err) {
            // Refusals are expected; anything else (a crashed workflow task) is not.
            const type = (err as { cause?: { type?: string } }).cause?.type;
            const finished = /completed|not found/i.test((err as Error).message);
            if (type !== 'TicketConflict' && type !== 'TicketInvalid' && !finished) throw err;
          }
          const desc = await handle.describe();
          expect(['RUNNING', 'COMPLETED']).toContain(desc.status.name);
          if (desc.status.name !== 'RUNNING') break;
          const snap = await handle.query(snapshotQuery);
          expect(states.has(snap.state)).toBe(true);
          for (const clock of snap.sla) {
            expect(clock.budgetMinutes).toBeGreaterThan(0);
            if (clock.paused || clock.stopped) expect(clock.remainingMs).toBeLessThanOrEqual(clock.budgetMinutes * 60_000);
            if (clock.target && clock.warningAt) expect(Date.parse(clock.warningAt)).toBeLessThanOrEqual(Date.parse(clock.target));
          }
        }
        const history = await handle.fetchHistory();
        expect(history.events?.filter((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)).toEqual([]);
        const seqs = recorded.events(id).map((e) => e.seq);
        expect(seqs).toEqual(seqs.map((_, i) => i + 1));

        // The simulator, fed the same script at the same instants, predicts what the workflow recorded.
        const end = await env.currentTimeMs();
        const last = Math.max(Date.parse(createdAt), ...script.map((x) => Date.parse((x as { at: string }).at)));
        const predicted = simulate({ definition: def, priority, createdAt, steps: script, horizonMinutes: (end - last) / 60_000 })
          .entries.filter((e) => COMPARED.has(e.kind) && Date.parse(e.at) <= end)
          .map((e) => ({ what: `${e.kind}:${e.kind === 'escalated' ? e.escalation : (e.clock ?? e.transition ?? e.priority)}`, at: Date.parse(e.at) }));
        const actual = recorded
          .events(id)
          .filter((e) => COMPARED.has(e.type))
          .map((e) => ({ what: `${e.type}:${String(e.data.escalation ?? e.data.clock ?? e.data.transition ?? e.data.to)}`, at: Date.parse(e.at) }));
        expect(actual.map((e) => e.what)).toEqual(predicted.map((e) => e.what));
        actual.forEach((e, i) => expect(Math.abs(e.at - predicted[i]!.at)).toBeLessThan(TOLERANCE_MS));
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 12) },
    );
  });
});
