// Plug-in actions on the time-skipping server: a definition's escalation asks for one when its SLA breaches (the
// ticket records the request, internal, naming the escalation); the action's workflow retries a failing run with
// backoff and gives up after five, saying so once; an action no loaded plug-in has is given up at once.
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { pluginActionActivitiesWith, type PluginActionRun } from '../../activities/plugin-actions';
import { DEFAULT_DEFINITIONS, type WorkflowDefinition } from '../../workflow-definitions/index';
import type { Actor } from '../../workflows/ticket-messages';
import { createWorker, incidentInput, RecordedEvents, startTicket, useTimeSkippingEnv, workflowBundle } from '../support/workflow-env';

const testEnv = useTimeSkippingEnv();
const CUSTOMER: Actor = { id: randomUUID(), role: 'customer' };
const MINUTE = 60_000;

const run = (): PluginActionRun => ({
  id: `evt_${randomUUID().replace(/-/g, '')}_7`,
  plugin: 'echo',
  run: 'page',
  with: { channel: '#ops' },
  ticket: {
    id: randomUUID(),
    number: 'INC-000042',
    type: 'incident',
    title: 'Core switch',
    priority: 'critical',
    state: 'new',
    stateCategory: 'open',
    queue: null,
    assigneeId: null,
    requesterId: CUSTOMER.id!,
    organisationId: null,
    tags: [],
    slaStatus: 'breached',
    slaDueAt: null,
    createdAt: new Date(0).toISOString(),
    updatedAt: new Date(0).toISOString(),
  },
  cause: { escalation: 'page_ops' },
});

it("should record a plug-in action when a definition's escalation asks for one", async () => {
  const env = testEnv();
  const recorded = new RecordedEvents();
  const definition = structuredClone(DEFAULT_DEFINITIONS.find((d) => d.key === 'incident')!) as WorkflowDefinition;
  definition.escalations = [{ name: 'page_ops', on: 'firstResponse.breach', actions: [{ type: 'plugin', plugin: 'echo', run: 'page', with: { channel: '#ops', urgent: true } }] }];
  const input = incidentInput({ createdAt: await env.currentTimeMs(), requester: CUSTOMER, priority: 'critical', definition });
  const worker = await createWorker(env, 'plugin-escalation', recorded);
  await worker.runUntil(async () => {
    await startTicket(env, 'plugin-escalation', input);
    await env.sleep(3 * 1440 * MINUTE);
    const asked = recorded.ofType(input.ticket.id, 'plugin_action');
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ visibility: 'internal', actor: { role: 'system' }, data: { plugin: 'echo', run: 'page', with: { channel: '#ops', urgent: true }, escalation: 'page_ops' } });
    const breach = recorded.ofType(input.ticket.id, 'sla_breached').find((e) => e.data.clock === 'firstResponse')!;
    expect(asked[0]!.seq).toBeGreaterThan(breach.seq);
  });
});

it('should retry a failing action with backoff, give up after five runs and say so once', async () => {
  const env = testEnv();
  const attempts: number[] = [];
  const givenUp: string[] = [];
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: 'plugin-action-failing',
    workflowBundle: await workflowBundle(),
    activities: {
      runPluginAction: async () => {
        attempts.push(await env.currentTimeMs());
        throw new Error('the pager is down');
      },
      giveUpPluginAction: async (_run: PluginActionRun, error: string) => void givenUp.push(error),
    },
  });
  const result = await worker.runUntil(env.client.workflow.execute('pluginActionWorkflow', { taskQueue: 'plugin-action-failing', workflowId: `plugin-action-${randomUUID()}`, args: [run()] }));
  expect(result).toEqual({ ran: false, attempts: 5, error: 'the pager is down' });
  expect(attempts).toHaveLength(5);
  // 5 s, then three times longer each time: the runs spread over minutes, not a burst.
  const gaps = attempts.slice(1).map((at, i) => at - attempts[i]!);
  expect(gaps[0]).toBeGreaterThanOrEqual(5000);
  expect(gaps[2]!).toBeGreaterThan(gaps[1]!);
  expect(givenUp).toEqual(['the pager is down']);
});

it('should give up at once on an action no loaded plug-in has', async () => {
  const env = testEnv();
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: 'plugin-action-unknown',
    workflowBundle: await workflowBundle(),
    // The worker's own activities, with no plug-in loaded.
    activities: pluginActionActivitiesWith(undefined),
  });
  const result = await worker.runUntil(env.client.workflow.execute('pluginActionWorkflow', { taskQueue: 'plugin-action-unknown', workflowId: `plugin-action-${randomUUID()}`, args: [run()] }));
  expect(result).toEqual({ ran: false, attempts: 1, error: 'no loaded plug-in echo has an action page' });
});
