// A message that reaches a ticket in its very first workflow task (update-with-start, or a retry after a worker died
// before that task completed) must still find the ticket created: `created` is always event 1.
import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DEFAULT_DEFINITIONS, type WorkflowDefinition } from '../../workflow-definitions/index';
import { transitionUpdate, ticketWorkflowId, type Actor, type TicketWorkflowInput } from '../../workflows/ticket-messages';
import type { ticketWorkflow } from '../../workflows/ticket';
import { createWorker, RecordedEvents, timeSkippingEnv } from '../support/workflow-env';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnv();
});
afterAll(async () => env?.teardown());

const AGENT: Actor = { id: randomUUID(), role: 'agent' };

it('should record the creation before a transition delivered with the start', async () => {
  const taskQueue = `first-activation-${randomUUID()}`;
  const recorded = new RecordedEvents();
  const worker = await createWorker(env, taskQueue, recorded);
  const id = randomUUID();
  const input: TicketWorkflowInput = {
    ticket: {
      id,
      number: `INC-${id.slice(0, 6)}`,
      type: 'incident',
      title: 'Started and moved at once',
      description: '',
      priority: 'medium',
      requesterId: AGENT.id!,
      queue: null,
      fields: {},
      createdAt: new Date().toISOString(),
      createdBy: AGENT,
    },
    definition: DEFAULT_DEFINITIONS.find((d) => d.key === 'incident')! as WorkflowDefinition,
    definitionVersion: 1,
  };
  await worker.runUntil(async () => {
    const moved = await env.client.workflow.executeUpdateWithStart(transitionUpdate, {
      args: [{ transition: 'start', actor: AGENT }],
      startWorkflowOperation: new WithStartWorkflowOperation<typeof ticketWorkflow>('ticketWorkflow', {
        workflowId: ticketWorkflowId(id),
        taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'FAIL',
      }),
    });
    expect(moved.state).toBe('in_progress');
    await env.client.workflow.getHandle(ticketWorkflowId(id)).terminate('test finished');
  });
  expect(recorded.events(id).map((e) => [e.seq, e.type, e.data.state ?? e.data.to])).toEqual([
    [1, 'created', 'new'],
    [2, 'transitioned', 'in_progress'],
  ]);
});
