// A merge seen from the surviving ticket: after the duplicate is linked, its conversation is copied in (authors,
// visibility and origin kept, no clock stopped by the copies), then one internal merged_in event. Recorded for the replay tests.
import { randomUUID } from 'node:crypto';
import { absorbUpdate, linkUpdate, snapshotQuery, type Actor } from '../../workflows/ticket-messages';
import { createWorker, incidentInput, RecordedEvents, startTicket, useTimeSkippingEnv } from '../support/workflow-env';
import { saveHistory } from './history-store';

const testEnv = useTimeSkippingEnv();

const AGENT: Actor = { id: randomUUID(), role: 'agent' };
const CUSTOMER: Actor = { id: randomUUID(), role: 'customer' };

it('should copy a merged duplicate\'s comments in order, marked, without answering the customer for the agents', async () => {
  const env = testEnv();
  const recorded = new RecordedEvents();
  const worker = await createWorker(env, 'merge', recorded);
  await worker.runUntil(async () => {
    const start = incidentInput({ createdAt: await env.currentTimeMs(), requester: CUSTOMER, title: 'Survivor', priority: 'high' });
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
