// A first-party plug-in loaded as the worker loads it, against a desk's database: its ticket-event listener handed a
// batch directly, as the fan-out would (a test of what it posts for escalations and breaches without making them).
import pg from 'pg';
import { findPlugins, registerPlugins } from '../../platform/plugins/loader';
import { createLogger } from '../../platform/logger';
import { SecretBox } from '../../platform/secret-box';
import { loadConfig } from '../../platform/config';
import type { PluginTicket, PluginTicketBatch } from '../../platform/plugins/v1';
import { firstPartyPlugin, type Desk } from './desk';

/** Hands `ticket` a batch of these events (ids from seq 90 on) twice over, as a fan-out that repeats itself would. */
export async function heardTwice(name: string, desk: Desk, databaseUrl: string, ticket: PluginTicket, events: Array<[eventType: string, data: Record<string, unknown>]>): Promise<void> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const set = await findPlugins([firstPartyPlugin(name)], {
    process: 'worker',
    pool,
    box: new SecretBox(loadConfig(desk.env).webhooks.secretsKey),
    log: createLogger('test', 'warn'),
    errors: { record: async () => undefined },
    cwd: process.cwd(),
  });
  try {
    await registerPlugins(set);
    const [listener] = set.loaded()[0]!.listeners;
    const batch: PluginTicketBatch = {
      ticket,
      events: events.map(([eventType, data], i) => ({
        id: `evt_${ticket.id.replace(/-/g, '')}_${90 + i}`,
        seq: 90 + i,
        type: 'x',
        eventTypes: [eventType],
        visibility: 'internal',
        at: new Date().toISOString(),
        actor: { id: null, role: 'system' },
        data,
      })),
    };
    await listener!(batch);
    await listener!(batch);
  } finally {
    set.close();
    await pool.end();
  }
}
