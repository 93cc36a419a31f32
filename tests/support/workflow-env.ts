// Workflow tests run on the real time-skipping Temporal test server with a real worker and stand-in activities that keep events in memory.
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { findTemporalTestServer } from '../../platform/servers/temporal';
import { WORKFLOWS_PATH } from '../../worker/options';
import type { RecordTicketEventsInput } from '../../activities/record-ticket-events';
import type { TicketEvent, TicketProjection } from '../../workflows/ticket-messages';

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
      },
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
export async function createWorker(env: TestWorkflowEnvironment, taskQueue: string, recorded: RecordedEvents, opts: { cached?: boolean } = {}): Promise<Worker> {
  return Worker.create({
    ...(opts.cached === false ? { maxCachedWorkflows: 0 } : {}),
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: recorded.activities(),
  });
}
