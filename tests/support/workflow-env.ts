// Workflow tests run on the real time-skipping Temporal test server with a real worker and stand-in activities that keep events in memory.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkerTuner, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { findTemporalTestServer } from '../../platform/servers/temporal';
import { WORKFLOWS_PATH } from '../../worker/options';
import type { RecordTicketEventsInput } from '../../activities/record-ticket-events';
import { decideRules, idleRulesOf, type RuleSet } from '../../activities/automation-rules';
import { ticketWorkflowId, type Actor, type TicketEvent, type TicketProjection, type TicketWorkflowInput } from '../../workflows/ticket-messages';
import { DEFAULT_DEFINITIONS, type WorkflowDefinition } from '../../workflow-definitions/index';
import type { WorkflowHandle } from '@temporalio/client';
import type { ticketWorkflow } from '../../workflows/ticket';

const started: Array<WorkflowHandle<typeof ticketWorkflow>> = [];

/** Starts a ticket workflow and remembers it, so `terminateStarted` can clear it away after the test. */
export async function startTicket(env: TestWorkflowEnvironment, taskQueue: string, input: TicketWorkflowInput): Promise<WorkflowHandle<typeof ticketWorkflow>> {
  const handle = await env.client.workflow.start<typeof ticketWorkflow>('ticketWorkflow', { taskQueue, workflowId: ticketWorkflowId(input.ticket.id), args: [input] });
  started.push(handle);
  return handle;
}

/**
 * The time-skipping server stops skipping while any workflow task is outstanding, and a ticket left running
 * after its test's worker stopped would hold one forever: every test clears its tickets away.
 */
export async function terminateStarted(): Promise<void> {
  const handles = started.splice(0, started.length);
  await Promise.all(handles.map((h) => h.terminate('test finished').catch(() => undefined)));
}

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: findTemporalTestServer(path.join(ROOT, '.tools')) } },
  });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  return (bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } as never }));
}

/** An in-memory read model with the real one's rule: a (ticket, seq) written twice must carry the same event. */
export class RecordedEvents {
  readonly byTicket = new Map<string, Map<number, TicketEvent>>();
  readonly rows = new Map<string, TicketProjection>();
  /** The automation rules the stand-in read model decides with, as the real one does after each write. */
  rules: RuleSet | null = null;

  activities() {
    return {
      recordTicketEvents: async (input: RecordTicketEventsInput) => {
        const events = this.byTicket.get(input.ticketId) ?? new Map<number, TicketEvent>();
        for (const e of input.events) {
          const had = events.get(e.seq);
          if (had && JSON.stringify(had) !== JSON.stringify(e)) throw new Error(`event ${input.ticketId}#${e.seq} recorded twice with different content`);
          events.set(e.seq, e);
        }
        this.byTicket.set(input.ticketId, events);
        const prev = this.rows.get(input.ticketId);
        if (!prev || prev.lastSeq < input.row.lastSeq) this.rows.set(input.ticketId, input.row);
        return this.rules ? decideRules(this.rules, input) : undefined;
      },
      currentIdleRules: async (input: { generation: number }) => (this.rules ? idleRulesOf(this.rules, input.generation) : undefined),
    };
  }

  events(ticketId: string): TicketEvent[] {
    return [...(this.byTicket.get(ticketId)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
  }

  ofType(ticketId: string, type: string): TicketEvent[] {
    return this.events(ticketId).filter((e) => e.type === type);
  }
}

/** `cached: false` keeps no sticky queue, so a replacement worker picks the workflow up at once (and replays it whole). */
/** `activities` adds stand-ins for the other activities a test's workflows call (the directory's answer to who approves, say). */
export async function createWorker(env: TestWorkflowEnvironment, taskQueue: string, recorded: RecordedEvents, opts: { cached?: boolean; activities?: Record<string, (...args: never[]) => Promise<unknown>>; tuner?: WorkerTuner } = {}): Promise<Worker> {
  return Worker.create({
    ...(opts.cached === false ? { maxCachedWorkflows: 0 } : {}),
    ...(opts.tuner ? { tuner: opts.tuner } : {}),
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: { ...recorded.activities(), ...opts.activities },
  });
}

/**
 * Registers a test file's time-skipping server (started before all tests, its tickets cleared after each, torn down
 * after all) and returns it by getter, for use inside tests and hooks.
 */
export function useTimeSkippingEnv(): () => TestWorkflowEnvironment {
  let env: TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    env = await timeSkippingEnv();
  });
  afterEach(terminateStarted);
  afterAll(async () => env?.teardown());
  return () => {
    if (!env) throw new Error('the time-skipping server is not started yet: use it inside a test or hook');
    return env;
  };
}

/** A new incident on the default definition (or `definition`), opened by `requester` at `createdAt`. */
export function incidentInput(opts: { createdAt: number; requester: Actor; title?: string; priority?: TicketWorkflowInput['ticket']['priority']; definition?: WorkflowDefinition }): TicketWorkflowInput {
  const id = randomUUID();
  return {
    ticket: {
      id,
      number: `INC-${id.slice(0, 6)}`,
      type: 'incident',
      title: opts.title ?? 'Incident',
      description: '',
      priority: opts.priority ?? 'medium',
      requesterId: opts.requester.id!,
      queue: null,
      fields: {},
      createdAt: new Date(opts.createdAt).toISOString(),
      createdBy: opts.requester,
    },
    definition: opts.definition ?? (DEFAULT_DEFINITIONS.find((d) => d.key === 'incident')! as WorkflowDefinition),
    definitionVersion: 1,
  };
}
