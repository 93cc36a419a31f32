// A ticket whose text was anonymised (erasure, retention) forgets its own copy: later answers and writes carry the
// anonymised title, and a continued run's input no longer holds the original words. Recorded for the replay tests.
import { randomUUID } from 'node:crypto';
import { anonymisedSignal, commentUpdate, snapshotQuery, transitionUpdate, type Actor } from '../../workflows/ticket-messages';
import { createWorker, incidentInput, RecordedEvents, startTicket, useTimeSkippingEnv } from '../support/workflow-env';
import { saveHistory } from './history-store';

const testEnv = useTimeSkippingEnv();

const AGENT: Actor = { id: randomUUID(), role: 'agent' };
const CUSTOMER: Actor = { id: randomUUID(), role: 'customer' };

it('should carry the anonymised title in every later projection and across continue-as-new, recording no event for it', async () => {
  const env = testEnv();
  const recorded = new RecordedEvents();
  const worker = await createWorker(env, 'anonymised', recorded);
  await worker.runUntil(async () => {
    const start = { ...incidentInput({ createdAt: await env.currentTimeMs(), requester: CUSTOMER, title: 'Flat at 12 Rue des Lilas' }), historyLimit: 40 };
    start.ticket.description = 'Call me on +33 6 12 34 56 78';
    const handle = await startTicket(env, 'anonymised', start);
    await handle.executeUpdate(commentUpdate, { args: [{ body: 'my neighbour saw it', visibility: 'public', actor: CUSTOMER }] });
    const before = (await handle.query(snapshotQuery)).lastSeq;

    await handle.signal(anonymisedSignal, { title: `Anonymised ticket ${start.ticket.number}` });
    const snap = await handle.query(snapshotQuery);
    expect(snap).toMatchObject({ title: `Anonymised ticket ${start.ticket.number}`, description: '', lastSeq: before });

    const firstRun = (await handle.describe()).runId;
    const moved = await handle.executeUpdate(transitionUpdate, { args: [{ transition: 'start', actor: AGENT }] });
    expect(moved.title).toBe(`Anonymised ticket ${start.ticket.number}`);
    for (let i = 0; i < 15; i++) await handle.executeUpdate(commentUpdate, { args: [{ body: `update ${i}`, visibility: 'internal', actor: AGENT }] });
    const latest = env.client.workflow.getHandle(handle.workflowId);
    const described = await latest.describe();
    expect(described.runId).not.toBe(firstRun);
    // The continued run's own input (its first history event) no longer holds the original words.
    const history = await latest.fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    const input = JSON.parse(Buffer.from(payload!).toString('utf8'));
    expect(input.ticket).toMatchObject({ title: `Anonymised ticket ${start.ticket.number}`, description: '' });
    expect(JSON.stringify(input)).not.toMatch(/Lilas|\+33/);
    expect((await latest.query(snapshotQuery)).title).toBe(`Anonymised ticket ${start.ticket.number}`);
    await saveHistory('incident-anonymised', await handle.fetchHistory());
  });
});
