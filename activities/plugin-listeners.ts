// Plug-ins hear committed ticket events through the fan-out, each one fenced off: a listener that throws or hangs is
// reported and skipped, and the desk's own listeners, and the other plug-ins, carry on.
import type { PluginSet } from '../platform/plugins/loader';
import type { PluginTicketBatch } from '../platform/plugins/v1';
import { pluginTicketOf } from '../platform/plugins/ticket';
import { withinTime } from '../platform/plugins/time-limit';
import type { TicketEventListener } from './record-ticket-events';
import { eventIdOf, webhookTypesOf } from '../webhooks/events';

/** Longest a plug-in may take over one batch: the fan-out hears one ticket's batches in order, so a hang would hold them. */
const LISTENER_TIMEOUT_MS = 10_000;

/**
 * A batch a plug-in's listener fails on is reported (log and admin page) and not retried for it: retrying would hold
 * the ticket's later batches for every listener behind one plug-in's fault. A plug-in whose settings are incomplete
 * hears nothing until the admin completes them.
 */
export function pluginListeners(set: PluginSet): TicketEventListener[] {
  return set.loaded().flatMap((plugin) =>
    plugin.listeners.map((listener): TicketEventListener => async ({ ticketId, events, row }) => {
      const { problems } = await set.settings.current(plugin.manifest!);
      if (problems.length) return;
      const batch: PluginTicketBatch = {
        ticket: pluginTicketOf(row),
        events: [...events]
          .sort((a, b) => a.seq - b.seq)
          .map((e) => ({
            id: eventIdOf(ticketId, e.seq),
            seq: e.seq,
            type: e.type,
            eventTypes: webhookTypesOf(e, row),
            visibility: e.visibility,
            at: e.at,
            actor: { id: e.actor.id, role: e.actor.role },
            data: structuredClone(e.data) as Record<string, unknown>,
          })),
      };
      try {
        await withinTime(() => listener(batch), LISTENER_TIMEOUT_MS, `the listener did not finish within ${LISTENER_TIMEOUT_MS / 1000} s (ticket ${row.number})`);
      } catch (err) {
        await set.report(plugin, 'listener', err);
      }
    }),
  );
}
