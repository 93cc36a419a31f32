// Approval rounds in the ticket workflow, on the time-skipping server: an "all" round decided across a worker restart
// (the replacement replays the history and counts each decision once), refusals of a second decision and of a
// stranger, and a timeout that reminds and then decides. Recorded for the replay tests.
import { randomUUID } from 'node:crypto';
import { DEFAULT_DEFINITIONS, type WorkflowDefinition } from '../../workflow-definitions/index';
import { decideApprovalUpdate, snapshotQuery, transitionUpdate, type Actor, type TicketWorkflowInput } from '../../workflows/ticket-messages';
import type { FindApproversInput } from '../../activities/find-approvers';
import { createWorker, RecordedEvents, startTicket, useTimeSkippingEnv } from '../support/workflow-env';
import { saveHistory } from './history-store';

const testEnv = useTimeSkippingEnv();

const AGENT: Actor = { id: randomUUID(), role: 'agent' };
const CUSTOMER: Actor = { id: randomUUID(), role: 'customer' };
const ANNE: Actor = { id: randomUUID(), role: 'agent' };
const BRUNO: Actor = { id: randomUUID(), role: 'customer' };
const MINUTE = 60_000;

/** The shipped service request, its approval state asking Anne and Bruno (by e-mail) under `policy`. */
function withApproval(approval: Record<string, unknown>): WorkflowDefinition {
  const def = structuredClone(DEFAULT_DEFINITIONS.find((d) => d.key === 'service_request')!) as WorkflowDefinition;
  for (const t of def.transitions) if (t.name === 'approve' || t.name === 'reject') (t.roles as string[]).push('system');
  const state = def.states.find((s) => s.name === 'awaiting_approval')!;
  Object.assign(state, { approval: { approvers: { users: ['anne@example.test', 'bruno@example.test'] }, approved: { transition: 'approve', commentField: 'approval_note' }, rejected: { transition: 'reject', commentField: 'rejection_reason' }, ...approval } });
  return def;
}

function requestInput(def: WorkflowDefinition, createdAt: number): TicketWorkflowInput {
  const id = randomUUID();
  return {
    ticket: { id, number: `REQ-${id.slice(0, 6)}`, type: 'service_request', title: 'A laptop', description: '', priority: 'medium', requesterId: CUSTOMER.id!, queue: null, fields: { item: 'Laptop' }, createdAt: new Date(createdAt).toISOString(), createdBy: CUSTOMER },
    definition: def,
    definitionVersion: 1,
  };
}

const directory = (asked: FindApproversInput[]) => ({
  findApprovers: async (input: FindApproversInput) => {
    asked.push(input);
    return { approvers: [ANNE.id!, BRUNO.id!] };
  },
});

it('should close an all-approvers round once both approved, across a worker restart, each decision counted once', async () => {
  const env = testEnv();
  const recorded = new RecordedEvents();
  const asked: FindApproversInput[] = [];
  const input = requestInput(withApproval({ policy: 'all' }), await env.currentTimeMs());
  // No sticky queue on the worker that goes away: its replacement gets the workflow's next task at once.
  const first = await createWorker(env, 'approval', recorded, { cached: false, activities: directory(asked) });
  const handle = await first.runUntil(async () => {
    const h = await startTicket(env, 'approval', input);
    await h.executeUpdate(transitionUpdate, { args: [{ transition: 'request_approval', actor: AGENT }] });
    // The round opens with the transition; its approvers come from the directory before any decision is taken.
    const round = recorded.ofType(input.ticket.id, 'transitioned')[0]!.seq;
    await expect(h.executeUpdate(decideApprovalUpdate, { args: [{ round, decision: 'approve', via: 'console', actor: { id: randomUUID(), role: 'agent' } }] })).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/not an approver|still being found/) },
    });
    await h.executeUpdate(decideApprovalUpdate, { args: [{ round, decision: 'approve', comment: 'Budget ok', via: 'email', actor: ANNE }] });
    await expect(h.executeUpdate(decideApprovalUpdate, { args: [{ round, decision: 'reject', comment: 'changed my mind', via: 'console', actor: ANNE }] })).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/already decided/) },
    });
    expect((await h.query(snapshotQuery)).state).toBe('awaiting_approval');
    return h;
  });
  // A replacement worker (the first is gone, and its cache with it) replays the round and takes the second decision.
  const second = await createWorker(env, 'approval', recorded, { activities: directory(asked) });
  await second.runUntil(async () => {
    const round = recorded.ofType(input.ticket.id, 'approval_requested')[0]!.data.round as number;
    await handle.executeUpdate(decideApprovalUpdate, { args: [{ round, decision: 'approve', via: 'portal', actor: BRUNO }] });
    await expect(handle.executeUpdate(decideApprovalUpdate, { args: [{ round, decision: 'approve', via: 'console', actor: BRUNO }] })).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/approval is closed/) },
    });
    const snapshot = await handle.query(snapshotQuery);
    expect(snapshot.state).toBe('in_fulfilment');
    expect(snapshot.fields.approval_note).toBe('Budget ok');
    const types = recorded.events(input.ticket.id).map((e) => e.type);
    expect(types).toEqual(['created', 'transitioned', 'approval_requested', 'approval_decided', 'approval_decided', 'approval_closed', 'transitioned']);
    expect(recorded.ofType(input.ticket.id, 'approval_closed')[0]!.data).toMatchObject({ outcome: 'approved', reason: 'decisions' });
    expect(recorded.ofType(input.ticket.id, 'transitioned')[1]!.data).toMatchObject({ transition: 'approve', to: 'in_fulfilment' });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ requesterId: CUSTOMER.id, approvers: { users: ['anne@example.test', 'bruno@example.test'] } });
    await saveHistory('service-request-approval-round', await handle.fetchHistory());
  });
});

it('should reject an at-least-two round at the rejection that puts two approvals out of reach', async () => {
  const env = testEnv();
  const recorded = new RecordedEvents();
  const input = requestInput(withApproval({ policy: 'atLeast', count: 2 }), await env.currentTimeMs());
  const worker = await createWorker(env, 'approval-reject', recorded, { activities: directory([]) });
  await worker.runUntil(async () => {
    const h = await startTicket(env, 'approval-reject', input);
    await h.executeUpdate(transitionUpdate, { args: [{ transition: 'request_approval', actor: AGENT }] });
    const round = recorded.ofType(input.ticket.id, 'transitioned')[0]!.seq;
    await h.executeUpdate(decideApprovalUpdate, { args: [{ round, decision: 'reject', comment: 'Not this year', via: 'console', actor: BRUNO }] });
    expect((await h.query(snapshotQuery)).state).toBe('rejected');
    expect(recorded.ofType(input.ticket.id, 'approval_closed')[0]!.data).toMatchObject({ outcome: 'rejected', reason: 'decisions' });
  });
});

it('should remind the approvers who have not decided, then decide at the timeout as the definition says', async () => {
  const env = testEnv();
  const recorded = new RecordedEvents();
  const input = requestInput(withApproval({ policy: 'any', timeoutMinutes: 60, remindBeforeMinutes: 15, onTimeout: 'reject' }), await env.currentTimeMs());
  const worker = await createWorker(env, 'approval-timeout', recorded, { activities: directory([]) });
  await worker.runUntil(async () => {
    const h = await startTicket(env, 'approval-timeout', input);
    await h.executeUpdate(transitionUpdate, { args: [{ transition: 'request_approval', actor: AGENT }] });
    await env.sleep(50 * MINUTE);
    const reminders = recorded.ofType(input.ticket.id, 'approval_reminder');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.data.pending).toEqual([ANNE.id, BRUNO.id]);
    expect((await h.query(snapshotQuery)).state).toBe('awaiting_approval');
    await env.sleep(15 * MINUTE);
    expect((await h.query(snapshotQuery)).state).toBe('rejected');
    expect(recorded.ofType(input.ticket.id, 'approval_closed').map((e) => e.data)).toEqual([{ round: expect.any(Number), outcome: 'rejected', reason: 'timeout' }]);
    await saveHistory('service-request-approval-timeout', await h.fetchHistory());
  });
});
