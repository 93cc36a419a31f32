// Every default definition walked through its main paths on a real (time-skipping) Temporal server; forbidden moves are refused with the reason.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { DEFAULT_DEFINITIONS, type WorkflowDefinition } from '../../workflow-definitions/index';
import { commentUpdate, linkUpdate, migrateUpdate, snapshotQuery, transitionsQuery, transitionUpdate, type Actor, type TicketWorkflowInput } from '../../workflows/ticket-messages';
import { createWorker, RecordedEvents, startTicket, terminateStarted, timeSkippingEnv } from '../support/workflow-env';
import { saveHistory } from './history-store';

const AGENT: Actor = { id: randomUUID(), role: 'agent' };
const CUSTOMER: Actor = { id: randomUUID(), role: 'customer' };
const SYSTEM: Actor = { id: null, role: 'system' };
const DAY = 24 * 3600_000;

let env: TestWorkflowEnvironment;
const recorded = new RecordedEvents();
beforeAll(async () => {
  env = await timeSkippingEnv();
});
afterEach(terminateStarted);
afterAll(async () => env?.teardown());

const def = (key: string) => DEFAULT_DEFINITIONS.find((d) => d.key === key)! as WorkflowDefinition;

function inputFor(definition: WorkflowDefinition, createdAt: number, priority: 'low' | 'medium' | 'high' | 'critical' = 'medium'): TicketWorkflowInput {
  const id = randomUUID();
  return {
    ticket: {
      id,
      number: `${definition.numberPrefix}-${id.slice(0, 6)}`,
      type: definition.types[0],
      title: `${definition.key} walk`,
      description: '',
      priority,
      requesterId: CUSTOMER.id!,
      queue: definition.defaultQueue ?? null,
      fields: {},
      createdAt: new Date(createdAt).toISOString(),
      createdBy: CUSTOMER,
    },
    definition,
    definitionVersion: 1,
  };
}

type Step = [transition: string, actor: Actor, fields: Record<string, unknown>, expectedState: string];

const walks: Array<[string, string, Step[]]> = [
  ['incident', 'incident-main', [
    ['start', AGENT, {}, 'in_progress'],
    ['wait_for_customer', AGENT, { pending_reason: 'need the error message' }, 'pending_customer'],
    ['customer_replied', CUSTOMER, {}, 'in_progress'],
    ['resolve', AGENT, { resolution: 'cleared the print spooler' }, 'resolved'],
    ['close', CUSTOMER, {}, 'closed'],
  ]],
  ['service_request', 'service-request-approval', [
    ['request_approval', AGENT, {}, 'awaiting_approval'],
    ['approve', AGENT, { approval_note: 'budget ok' }, 'in_fulfilment'],
    ['fulfil', AGENT, { fulfilment: 'laptop delivered' }, 'fulfilled'],
    ['close', CUSTOMER, {}, 'closed'],
  ]],
  ['service_request', 'service-request-rejected', [
    ['reject', AGENT, { rejection_reason: 'not in the catalogue' }, 'rejected'],
  ]],
  ['problem', 'problem-main', [
    ['investigate', AGENT, {}, 'investigating'],
    ['record_known_error', AGENT, { root_cause: 'firmware bug', workaround: 'power-cycle weekly' }, 'known_error'],
    ['resolve', AGENT, { fix: 'firmware 2.1 deployed' }, 'resolved'],
    ['close', AGENT, {}, 'closed'],
  ]],
  ['maintenance', 'maintenance-main', [
    ['start', AGENT, {}, 'in_progress'],
    ['hold', AGENT, { hold_reason: 'waiting for spare part' }, 'on_hold'],
    ['resume', AGENT, {}, 'in_progress'],
    ['complete', AGENT, { completion_note: 'filters replaced' }, 'completed'],
    ['close', AGENT, {}, 'closed'],
  ]],
];

describe.each(walks)('%s: %s', (key, name, steps) => {
  it('should walk the main path, one timeline event per step', async () => {
    const worker = await createWorker(env, `walk-${name}`, recorded);
    await worker.runUntil(async () => {
      const input = inputFor(def(key), await env.currentTimeMs());
      const handle = await startTicket(env, `walk-${name}`, input);
      for (const [transition, actor, fields, expected] of steps) {
        const offered = (await handle.query(transitionsQuery, actor.role)).map((t) => t.name);
        expect(offered).toContain(transition);
        const after = await handle.executeUpdate(transitionUpdate, { args: [{ transition, fields, actor }] });
        expect(after.state).toBe(expected);
      }
      const snap = await handle.query(snapshotQuery);
      expect(snap.state).toBe(steps[steps.length - 1][3]);
      const transitions = recorded.ofType(input.ticket.id, 'transitioned').map((e) => e.data.transition);
      expect(transitions).toEqual(steps.map((s) => s[0]));
      expect(recorded.rows.get(input.ticket.id)?.state).toBe(snap.state);
      await saveHistory(name, await handle.fetchHistory());
    });
  });
});

describe('refusals', () => {
  async function refusal(promise: Promise<unknown>): Promise<{ type?: string; message: string; code?: string }> {
    try {
      await promise;
    } catch (err) {
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      const cause = (err as WorkflowUpdateFailedError).cause as { type?: string; message: string; details?: Array<{ code: string }> };
      return { type: cause.type, message: cause.message, code: cause.details?.[0]?.code };
    }
    throw new Error('the update was accepted');
  }

  it('should refuse a transition from the wrong state, by the wrong role, or without its required fields, with the reason', async () => {
    const worker = await createWorker(env, 'refusals', recorded);
    await worker.runUntil(async () => {
      const input = inputFor(def('incident'), await env.currentTimeMs());
      const handle = await startTicket(env, 'refusals', input);
      expect(await refusal(handle.executeUpdate(transitionUpdate, { args: [{ transition: 'close', actor: AGENT }] }))).toMatchObject({
        type: 'TicketConflict',
        code: 'wrong-state',
        message: "'close' is not allowed from state 'new'",
      });
      expect(await refusal(handle.executeUpdate(transitionUpdate, { args: [{ transition: 'start', actor: CUSTOMER }] }))).toMatchObject({ type: 'TicketConflict', code: 'role-not-allowed' });
      expect(await refusal(handle.executeUpdate(transitionUpdate, { args: [{ transition: 'resolve', actor: AGENT }] }))).toMatchObject({
        type: 'TicketInvalid',
        code: 'missing-fields',
        message: "'resolve' requires resolution",
      });
      expect(await refusal(handle.executeUpdate(transitionUpdate, { args: [{ transition: 'resolve', fields: { resolution: 42 }, actor: AGENT }] }))).toMatchObject({ code: 'invalid-fields' });
      expect(await refusal(handle.executeUpdate(commentUpdate, { args: [{ body: 'psst', visibility: 'internal', actor: CUSTOMER }] }))).toMatchObject({ code: 'internal-note-forbidden' });
      // Refused updates leave no trace: the ticket is still new with only its creation recorded.
      expect((await handle.query(snapshotQuery)).state).toBe('new');
      expect(recorded.events(input.ticket.id).map((e) => e.type)).toEqual(['created']);
    });
  });
});

describe('automations', () => {
  it('should auto-close a resolved incident after three business days, then finish once the reopen window has passed', async () => {
    const worker = await createWorker(env, 'auto-close', recorded);
    await worker.runUntil(async () => {
      const input = inputFor(def('incident'), await env.currentTimeMs(), 'low');
      const handle = await startTicket(env, 'auto-close', input);
      await handle.executeUpdate(transitionUpdate, { args: [{ transition: 'resolve', fields: { resolution: 'driver reinstalled' }, actor: AGENT }] });
      await env.sleep(6 * DAY);
      const closing = recorded.ofType(input.ticket.id, 'transitioned').find((e) => e.data.transition === 'close');
      expect(closing?.actor).toEqual(SYSTEM);
      expect((await handle.query(snapshotQuery)).state).toBe('closed');
      const result = await handle.result();
      expect(result.state).toBe('closed');
      await saveHistory('incident-auto-close', await handle.fetchHistory());
    });
  });
});

describe('problems and migrations', () => {
  it('should signal linked incidents when a problem is resolved, and each follows its own definition', async () => {
    const worker = await createWorker(env, 'problems', recorded);
    await worker.runUntil(async () => {
      const now = await env.currentTimeMs();
      const incidentInput = inputFor(def('incident'), now, 'high');
      const problemInput = inputFor(def('problem'), now, 'high');
      const incident = await startTicket(env, 'problems', incidentInput);
      const problem = await startTicket(env, 'problems', problemInput);
      await problem.executeUpdate(linkUpdate, { args: [{ link: { kind: 'incident', ticketId: incidentInput.ticket.id, number: incidentInput.ticket.number }, actor: AGENT }] });
      await incident.executeUpdate(linkUpdate, { args: [{ link: { kind: 'problem', ticketId: problemInput.ticket.id, number: problemInput.ticket.number }, actor: AGENT }] });
      await problem.executeUpdate(transitionUpdate, { args: [{ transition: 'investigate', actor: AGENT }] });
      await problem.executeUpdate(transitionUpdate, { args: [{ transition: 'resolve', fields: { root_cause: 'bad cable', workaround: 'use wifi' }, actor: AGENT }] });
      await env.sleep(60_000);
      const snap = await incident.query(snapshotQuery);
      expect(snap.state).toBe('resolved');
      expect(snap.fields.resolution).toBe('use wifi');
      expect(recorded.ofType(problemInput.ticket.id, 'problem_resolved')[0].data).toEqual({ incidents: [incidentInput.ticket.number] });
      await saveHistory('problem-resolves-incident', await problem.fetchHistory());
      await saveHistory('incident-resolved-by-problem', await incident.fetchHistory());
    });
  });

  it('should switch a running ticket to a new version with its state mapped, and record it', async () => {
    const worker = await createWorker(env, 'migrate', recorded);
    await worker.runUntil(async () => {
      const v1 = def('maintenance');
      const v2 = structuredClone(v1) as any;
      v2.states = v2.states.map((s: { name: string }) => (s.name === 'on_hold' ? { ...s, name: 'paused' } : s));
      v2.transitions = v2.transitions.map((t: { from: string[]; to: string }) => ({ ...t, from: t.from.map((f) => (f === 'on_hold' ? 'paused' : f)), to: t.to === 'on_hold' ? 'paused' : t.to }));
      const input = inputFor(v1, await env.currentTimeMs());
      const handle = await startTicket(env, 'migrate', input);
      await handle.executeUpdate(transitionUpdate, { args: [{ transition: 'start', actor: AGENT }] });
      await handle.executeUpdate(transitionUpdate, { args: [{ transition: 'hold', fields: { hold_reason: 'no spare part' }, actor: AGENT }] });
      const ADMIN: Actor = { id: randomUUID(), role: 'admin' };
      const after = await handle.executeUpdate(migrateUpdate, { args: [{ definition: v2, version: 2, stateMapping: { on_hold: 'paused' }, actor: ADMIN }] });
      expect(after).toMatchObject({ state: 'paused', definitionVersion: 2 });
      expect((await handle.executeUpdate(transitionUpdate, { args: [{ transition: 'resume', actor: AGENT }] })).state).toBe('in_progress');
      expect(recorded.ofType(input.ticket.id, 'migrated')[0].data).toEqual({ from: { version: 1, state: 'on_hold' }, to: { version: 2, state: 'paused' } });
      await saveHistory('maintenance-migrated', await handle.fetchHistory());
    });
  });
});

describe('long-lived tickets', () => {
  it('should continue as new before its history grows large, keeping state, clocks and sequence numbers', async () => {
    const worker = await createWorker(env, 'long-lived', recorded);
    await worker.runUntil(async () => {
      const input = { ...inputFor(def('incident'), await env.currentTimeMs(), 'critical'), historyLimit: 60 };
      const handle = await startTicket(env, 'long-lived', input);
      const firstRun = (await handle.describe()).runId;
      await handle.executeUpdate(transitionUpdate, { args: [{ transition: 'start', actor: AGENT }] });
      for (let i = 0; i < 25; i++) await handle.executeUpdate(commentUpdate, { args: [{ body: `update ${i}`, visibility: 'public', actor: AGENT }] });
      const latest = await env.client.workflow.getHandle(handle.workflowId).describe();
      expect(latest.runId).not.toBe(firstRun);
      const snap = await env.client.workflow.getHandle(handle.workflowId).query(snapshotQuery);
      expect(snap.state).toBe('in_progress');
      expect(snap.lastSeq).toBe(27);
      expect(snap.sla.find((c) => c.name === 'resolution')?.stopped).toBe(false);
      const seqs = recorded.events(input.ticket.id).map((e) => e.seq);
      expect(seqs).toEqual(Array.from({ length: 27 }, (_, i) => i + 1));
      const after = await env.client.workflow.getHandle(handle.workflowId).executeUpdate(transitionUpdate, { args: [{ transition: 'resolve', fields: { resolution: 'done' }, actor: AGENT }] });
      expect(after.lastSeq).toBe(28);
    });
  });
});

describe('parent and child tickets', () => {
  it('should hold the parent until its child finishes, then run its onChildrenDone transition', async () => {
    const worker = await createWorker(env, 'children', recorded);
    await worker.runUntil(async () => {
      const parentDef = structuredClone(def('maintenance')) as any;
      parentDef.onChildrenDone = { transition: 'complete' };
      parentDef.transitions.find((t: { name: string }) => t.name === 'complete').roles.push('system');
      parentDef.states.find((s: { name: string }) => s.name === 'completed').requiredFields = [];
      const now = await env.currentTimeMs();
      const parentInput = inputFor(parentDef, now);
      const childInput = inputFor(def('maintenance'), now);
      const parent = await startTicket(env, 'children', parentInput);
      const child = await startTicket(env, 'children', childInput);
      await parent.executeUpdate(linkUpdate, { args: [{ link: { kind: 'child', ticketId: childInput.ticket.id, number: childInput.ticket.number }, actor: AGENT }] });
      await child.executeUpdate(linkUpdate, { args: [{ link: { kind: 'parent', ticketId: parentInput.ticket.id, number: parentInput.ticket.number }, actor: AGENT }] });
      await parent.executeUpdate(transitionUpdate, { args: [{ transition: 'start', actor: AGENT }] });
      await child.executeUpdate(transitionUpdate, { args: [{ transition: 'start', actor: AGENT }] });
      await child.executeUpdate(transitionUpdate, { args: [{ transition: 'complete', fields: { completion_note: 'pump serviced' }, actor: AGENT }] });
      await env.sleep(60_000);
      expect((await parent.query(snapshotQuery)).state).toBe('completed');
      expect(recorded.ofType(parentInput.ticket.id, 'children_done')).toHaveLength(1);
      await saveHistory('parent-waits-for-children', await parent.fetchHistory());
    });
  });
});
