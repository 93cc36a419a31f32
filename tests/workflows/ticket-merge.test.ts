// A merge seen from the surviving ticket: after the duplicate is linked, its conversation is copied in (authors,
// visibility and origin kept, no clock stopped by the copies), then one internal merged_in event. Recorded for the replay tests.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DEFAULT_DEFINITIONS, type WorkflowDefinition } from '../../workflow-definitions/index';
import { absorbUpdate, linkUpdate, snapshotQuery, type Actor, type TicketWorkflowInput } from '../../workflows/ticket-messages';
import { createWorker, RecordedEvents, startTicket, terminateStarted, timeSkippingEnv } from '../support/workflow-env';
import { saveHistory } from './history-store';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnv();
});
afterEach(terminateStarted);
afterAll(async () => env?.teardown());

const AGENT: Actor = { id: randomUUID(), role: 'agent' };
const CUSTOMER: Actor = { id: randomUUID(), role: 'customer' };

function input(createdAt: number): TicketWorkflowInput {
  const id = randomUUID();
  const def = DEFAULT_DEFINITIONS.find((d) => d.key === 'incident')! as WorkflowDefinition;
  return {
    ticket: { id, number: `INC-${id.slice(0, 6)}`, type: 'incident', title: 'Survivor', description: '', priority: 'high', requesterId: CUSTOMER.id!, queue: null, fields: {}, createdAt: new Date(createdAt).toISOString(), createdBy: CUSTOMER },
    definition: def,
    definitionVersion: 1,
  };
}

it('should copy a merged duplicate\'s comments in order, marked, without answering the customer for the agents', async () => {
  const recorded = new RecordedEvents();
  const worker = await createWorker(env, 'merge', recorded);
  await worker.runUntil(async () => {
    const start = input(await env.currentTimeMs());
    const handle = await startTicket(env, 'merge', start);
    const dup = { ticketId: randomUUID(), number: 'INC-DUP' };
    const comments = [
      { authorId: CUSTOMER.id, authorRole: 'customer' as const, visibility: 'public' as const, body: 'Still broken', at: new Date(0).toISOString() },
      { authorId: AGENT.id, authorRole: 'agent' as const, visibility: 'public' as const, body: 'Looking', at: new Date(1).toISOString() },
    ];
    // Only a ticket merged into this one may bring its comments.
    await expect(handle.executeUpdate(absorbUpdate, { args: [{ from: dup, comments, actor: AGENT }] })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/is not merged into this ticket/) } });
    await handle.executeUpdate(linkUpdate, { args: [{ link: { kind: 'duplicated_by', ...dup }, actor: AGENT }] });
    await handle.executeUpdate(absorbUpdate, { args: [{ from: dup, comments, actor: AGENT }] });
    const events = recorded.events(start.ticket.id);
    expect(events.map((e) => e.type)).toEqual(['created', 'linked', 'commented', 'commented', 'merged_in']);
    expect(events.filter((e) => e.type === 'commented').map((e) => [e.actor.role, e.visibility, e.data.body, e.data.mergedFrom])).toEqual([
      ['customer', 'public', 'Still broken', 'INC-DUP'],
      ['agent', 'public', 'Looking', 'INC-DUP'],
    ]);
    // The agent's copied answer is not this ticket's first response: its clock still runs.
    const clock = (await handle.query(snapshotQuery)).sla.find((c) => c.name === 'firstResponse');
    expect(clock?.stopped).toBe(false);
    await saveHistory('incident-merged-in', await handle.fetchHistory());
  });
});
