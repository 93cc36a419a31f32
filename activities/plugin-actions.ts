// Plug-in actions, on the worker: the fan-out listener that starts one workflow per `plugin_action` event, and the
// activities that run the plug-in's code (retried by the workflow) and report a final failure.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { PluginSet } from '../platform/plugins/loader';
import { pluginTicketOf } from '../platform/plugins/ticket';
import type { PluginActionInput, PluginTicket } from '../platform/plugins/v1';
import { eventIdOf } from '../webhooks/events';
import type { TicketEventListener } from './record-ticket-events';
import { PLUGIN_ACTION_WORKFLOW, pluginActionWorkflowId } from '../workflows/plugin-action';

export interface PluginActionRun {
  /** The ticket event that asked for it (evt_…), the action's idempotency key. */
  id: string;
  plugin: string;
  run: string;
  with: Record<string, unknown>;
  ticket: PluginTicket;
  cause: PluginActionInput['cause'];
}

/**
 * Starts the action of every `plugin_action` event in the batch; a retried batch starts nothing twice (the workflow id
 * is the event's). A failure to start (Temporal away) throws, so the fan-out retries the batch.
 */
export function pluginActionListener(start: (run: PluginActionRun) => Promise<void>): TicketEventListener {
  return async ({ ticketId, events, row }) => {
    for (const e of [...events].sort((a, b) => a.seq - b.seq)) {
      if (e.type !== 'plugin_action') continue;
      const d = e.data as { plugin: string; run: string; with?: Record<string, unknown>; escalation?: string | null; rule?: string | null };
      await start({
        id: eventIdOf(ticketId, e.seq),
        plugin: d.plugin,
        run: d.run,
        with: d.with ?? {},
        ticket: pluginTicketOf(row),
        cause: d.escalation ? { escalation: d.escalation } : d.rule ? { rule: d.rule } : null,
      });
    }
  };
}

/** Starts the workflow of one action, idempotently, on the worker's task queue. */
export function startPluginAction(client: Client, taskQueue: string) {
  return async (run: PluginActionRun): Promise<void> => {
    await client.workflow.start(PLUGIN_ACTION_WORKFLOW, { taskQueue, workflowId: pluginActionWorkflowId(run.id), args: [run] }).catch((err: unknown) => {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    });
  };
}

export function pluginActionActivitiesWith(set: PluginSet | undefined) {
  const find = (run: PluginActionRun) => {
    const plugin = set?.loaded().find((p) => p.name === run.plugin);
    const action = plugin?.actions.find((a) => a.name === run.run);
    return plugin && action ? { plugin, action } : null;
  };
  return {
    async runPluginAction(run: PluginActionRun): Promise<void> {
      const found = find(run);
      // The plug-in was removed or failed to load on this worker since the definition or rule was saved: retrying will not help.
      if (!found) throw ApplicationFailure.create({ type: 'PluginActionUnknown', message: `no loaded plug-in ${run.plugin} has an action ${run.run}`, nonRetryable: true });
      const { problems } = await set!.settings.current(found.plugin.manifest!);
      if (problems.length) throw new Error(`the plug-in ${run.plugin} is not configured: ${problems.map((p) => `${p.pointer || '/'} ${p.message}`).join('; ')}`);
      await found.action.run({ id: run.id, ticket: run.ticket, with: run.with, attempt: Context.current().info.attempt, cause: run.cause });
    },
    async giveUpPluginAction(run: PluginActionRun, error: string): Promise<void> {
      const found = set?.plugins.find((p) => p.name === run.plugin);
      const message = `action ${run.run} for ticket ${run.ticket.number} given up: ${error}`;
      if (found) await set!.report(found, 'action', new Error(message));
      else Context.current().log.error(message, { plugin: run.plugin });
    },
  };
}

export type PluginActionActivities = ReturnType<typeof pluginActionActivitiesWith>;
