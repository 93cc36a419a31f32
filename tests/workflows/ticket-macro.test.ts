// Macros and time in the ticket workflow: a macro applies all its parts or none (a refused transition leaves the ticket
// as it was), time spent is an internal event beside the comment or transition it was spent on, and a transition the
// definition marks requiresTimeSpent is refused without it. Recorded for the replay tests.
import { randomUUID } from 'node:crypto';
import { DEFAULT_DEFINITIONS, type WorkflowDefinition } from '../../workflow-definitions/index';
import { commentUpdate, macroUpdate, snapshotQuery, transitionUpdate, transitionsQuery, type Actor, type TicketWorkflowInput } from '../../workflows/ticket-messages';
import { createWorker, incidentInput, RecordedEvents, startTicket, useTimeSkippingEnv } from '../support/workflow-env';
import { saveHistory } from './history-store';

const testEnv = useTimeSkippingEnv();

const AGENT: Actor = { id: randomUUID(), role: 'agent' };
const CUSTOMER: Actor = { id: randomUUID(), role: 'customer' };
const MACRO = { id: randomUUID(), name: 'Ask for logs' };

/** The default incident definition, with `resolve` asking agents for the time they spent. */
function input(createdAt: number): TicketWorkflowInput {
  const base = DEFAULT_DEFINITIONS.find((d) => d.key === 'incident')! as WorkflowDefinition;
  const definition = { ...base, transitions: base.transitions.map((t) => (t.name === 'resolve' ? { ...t, requiresTimeSpent: true } : t)) } as WorkflowDefinition;
  return incidentInput({ createdAt, requester: CUSTOMER, title: 'Macro', definition });
}

const rejection = (pattern: RegExp) => ({ cause: { message: expect.stringMatching(pattern) } });

it('should apply every part of a macro or none, and record time spent beside the work it was spent on', async () => {
  const env = testEnv();
  const recorded = new RecordedEvents();
  const worker = await createWorker(env, 'macro', recorded);
  await worker.runUntil(async () => {
    const start = input(await env.currentTimeMs());
    const id = start.ticket.id;
    const handle = await startTicket(env, 'macro', start);

    // Refused whole: `resolve` asks for time, and waiting for the customer needs a reason; nothing changed either time.
    await expect(handle.executeUpdate(macroUpdate, { args: [{ macro: MACRO, priority: 'high', tags: { add: ['logs'], remove: [] }, comment: { body: 'Done', visibility: 'public' }, transition: 'resolve', actor: AGENT }] })).rejects.toMatchObject(rejection(/asks for the time you spent/));
    await expect(handle.executeUpdate(macroUpdate, { args: [{ macro: MACRO, priority: 'high', transition: 'wait_for_customer', actor: AGENT }] })).rejects.toMatchObject(rejection(/requires pending_reason/));
    await expect(handle.executeUpdate(macroUpdate, { args: [{ macro: MACRO, comment: { body: 'x', visibility: 'public' }, actor: CUSTOMER }] })).rejects.toMatchObject(rejection(/only agents apply macros/));
    await expect(handle.executeUpdate(macroUpdate, { args: [{ macro: MACRO, priority: 'medium', actor: AGENT }] })).rejects.toMatchObject(rejection(/would change nothing/));
    await expect(handle.executeUpdate(macroUpdate, { args: [{ macro: MACRO, priority: 'high', timeSpent: 5, actor: AGENT }] })).rejects.toMatchObject(rejection(/with a comment or a transition/));
    const untouched = await handle.query(snapshotQuery);
    expect([untouched.priority, untouched.tags, untouched.state, untouched.lastSeq]).toEqual(['medium', [], 'new', 1]);

    // Applied whole, in order; the fields it sets satisfy the transition's required field.
    const applied = await handle.executeUpdate(macroUpdate, {
      args: [{ macro: MACRO, fields: { pending_reason: 'logs' }, priority: 'high', tags: { add: ['logs'], remove: [] }, assign: { assigneeId: AGENT.id }, comment: { body: 'Please send the logs', visibility: 'public' }, timeSpent: 10, transition: 'wait_for_customer', actor: AGENT }],
    });
    expect([applied.priority, applied.tags, applied.state, applied.assigneeId, applied.fields.pending_reason]).toEqual(['high', ['logs'], 'pending_customer', AGENT.id, 'logs']);
    expect(recorded.events(id).map((e) => e.type)).toEqual(['created', 'macro_applied', 'fields_changed', 'priority_changed', 'tags_changed', 'assigned', 'commented', 'time_logged', 'transitioned']);
    const comment = recorded.ofType(id, 'commented')[0];
    expect(recorded.ofType(id, 'time_logged').map((e) => [e.data, e.visibility])).toEqual([[{ minutes: 10, with: comment.seq }, 'internal']]);
    expect(recorded.ofType(id, 'macro_applied')[0].data).toEqual({ macro: MACRO });

    // Time on a plain comment and on a transition that asks for it; customers record none.
    await expect(handle.executeUpdate(commentUpdate, { args: [{ body: 'here', visibility: 'public', timeSpent: 3, actor: CUSTOMER }] })).rejects.toMatchObject(rejection(/only agents record time/));
    await handle.executeUpdate(commentUpdate, { args: [{ body: 'Checked the logs', visibility: 'internal', timeSpent: 15, actor: AGENT }] });
    const offered = await handle.query(transitionsQuery, 'agent');
    expect(offered.find((t) => t.name === 'resolve')).toMatchObject({ requiresTimeSpent: true });
    await expect(handle.executeUpdate(transitionUpdate, { args: [{ transition: 'resolve', actor: AGENT }] })).rejects.toMatchObject(rejection(/asks for the time you spent/));
    const resolved = await handle.executeUpdate(transitionUpdate, { args: [{ transition: 'resolve', fields: { resolution: 'Rotated the logs' }, timeSpent: 20, actor: AGENT }] });
    expect(resolved.state).toBe('resolved');
    expect(recorded.ofType(id, 'time_logged').map((e) => e.data.minutes)).toEqual([10, 15, 20]);
    await saveHistory('incident-macro-time', await handle.fetchHistory());
  });
});
