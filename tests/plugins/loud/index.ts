// A plug-in whose listener throws on every batch: the desk must report it and carry on.
import { definePlugin } from '../../../platform/plugins/v1';

export const plugin = definePlugin({
  register(host) {
    host.onTicketEvents(async ({ ticket }) => {
      throw new Error(`loud listener always fails (ticket ${ticket.number})`);
    });
  },
});
