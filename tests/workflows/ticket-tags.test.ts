// Tags in the ticket workflow: agents add and remove them, the change is an internal event, the projection carries them
// sorted, and a refused change (customer, nothing to change, too many) records nothing. Recorded for the replay tests.
import { randomUUID } from 'node:crypto';
import { MAX_TAGS, snapshotQuery, tagsUpdate, transitionUpdate, type Actor } from '../../workflows/ticket-messages';
import { createWorker, incidentInput, RecordedEvents, startTicket, useTimeSkippingEnv } from '../support/workflow-env';
import { saveHistory } from './history-store';

const testEnv = useTimeSkippingEnv();

const AGENT: Actor = { id: randomUUID(), role: 'agent' };
const CUSTOMER: Actor = { id: randomUUID(), role: 'customer' };

it('should add and remove tags as one internal event each, sorted, and refuse what changes nothing', async () => {
  const env = testEnv();
  const recorded = new RecordedEvents();
  const worker = await createWorker(env, 'tags', recorded);
  await worker.runUntil(async () => {
    const start = incidentInput({ createdAt: await env.currentTimeMs(), requester: CUSTOMER, title: 'Tags', priority: 'high' });
    const handle = await startTicket(env, 'tags', start);
    const tagged = await handle.executeUpdate(tagsUpdate, { args: [{ add: ['vpn', 'network'], remove: [], actor: AGENT }] });
    expect(tagged.tags).toEqual(['network', 'vpn']);
    const retagged = await handle.executeUpdate(tagsUpdate, { args: [{ add: ['client'], remove: ['network', 'absent'], actor: AGENT }] });
    expect(retagged.tags).toEqual(['client', 'vpn']);

    await expect(handle.executeUpdate(tagsUpdate, { args: [{ add: ['urgent'], remove: [], actor: CUSTOMER }] })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/only agents tag tickets/) } });
    await expect(handle.executeUpdate(tagsUpdate, { args: [{ add: ['vpn'], remove: ['network'], actor: AGENT }] })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/already has these tags/) } });
    const many = Array.from({ length: MAX_TAGS - 1 }, (_, i) => `t${i}`);
    await expect(handle.executeUpdate(tagsUpdate, { args: [{ add: many, remove: [], actor: AGENT }] })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/at most 20 tags/) } });

    // Tags survive what happens next to the ticket.
    const moved = await handle.executeUpdate(transitionUpdate, { args: [{ transition: 'start', actor: AGENT }] });
    expect(moved.tags).toEqual(['client', 'vpn']);
    expect((await handle.query(snapshotQuery)).tags).toEqual(['client', 'vpn']);
    const events = recorded.ofType(start.ticket.id, 'tags_changed');
    expect(events.map((e) => [e.data, e.visibility])).toEqual([
      [{ added: ['vpn', 'network'], removed: [] }, 'internal'],
      [{ added: ['client'], removed: ['network'] }, 'internal'],
    ]);
    await saveHistory('incident-tags', await handle.fetchHistory());
  });
});
