// The IMAP mailbox fetch: a background task (one API replica at a time) that takes support mail from the configured
// mailbox into the desk's mail intake and moves or flags what it took in. Written only against the plug-in API.
import { definePlugin } from '../../platform/plugins/v1';
import { fetchLoop, type Failures, type LoopStats } from './fetch-loop';
import type { ImapSettings } from './settings';

export default definePlugin({
  register(host) {
    const stats: LoopStats = { takenIn: 0 };
    const failures: Failures = new Map();
    let connectedSince: string | null = null;

    host.background({
      key: 'fetch',
      title: { en: 'Mailbox fetch', fr: 'Relève de la boîte' },
      run: async ({ signal, settings }) => {
        connectedSince = new Date().toISOString();
        try {
          await fetchLoop(settings as unknown as ImapSettings, host.mail, host.log, signal, stats, failures);
        } finally {
          connectedSince = null;
        }
      },
    });

    host.route({
      method: 'get',
      path: '/status',
      summary: 'Whether this API process is watching the mailbox, since when, and how many messages it took in',
      access: 'admin',
      response: { type: 'object', properties: { watching: { type: 'boolean' }, since: { type: ['string', 'null'] }, takenIn: { type: 'integer' } } },
      handler: () => ({ body: { watching: connectedSince !== null, since: connectedSince, takenIn: stats.takenIn } }),
    });
  },
});
