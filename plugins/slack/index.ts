// Slack: new, escalated and breached tickets posted to a channel per queue, and their buttons (take, acknowledge,
// resolve) acting as the Slack user's desk account, answered in the ticket's thread. Written only against the plug-in API.
import { definePlugin, ticketButtonAction, ticketNotices, TICKET_BUTTONS } from '../../platform/plugins/v1';
import { doneReply, refusedReply, ticketMessage } from './messages';
import { channelOf, type SlackSettings } from './settings';
import { verifySlack } from './signature';
import { emailOf, postMessage } from './slack-api';

interface BlockActions {
  type: string;
  user?: { id?: string };
  channel?: { id?: string };
  container?: { channel_id?: string; message_ts?: string };
  message?: { ts?: string; thread_ts?: string };
  actions?: Array<{ action_id?: string; value?: string }>;
}

/** Slack user ids map to desk accounts by e-mail; looked up once in a while, not at every click. */
const EMAIL_FRESH_MS = 10 * 60_000;

export default definePlugin({
  register(host) {
    const settings = () => host.settings<SlackSettings>();
    const emails = new Map<string, { at: number; email: string | null }>();

    host.onTicketEvents(async ({ ticket, events }) => {
      const s = await settings();
      for (const { event: e, reason, detail } of ticketNotices(events, s.post)) {
        if ((await host.db.query('select 1 from plugin_slack_posted where event_id = $1', [e.id])).length) continue;
        const channel = channelOf(s, ticket.queue);
        const [thread] = await host.db.query<{ ts: string }>('select ts from plugin_slack_threads where ticket_id = $1 and channel = $2', [ticket.id, channel]);
        const posted = await postMessage(s, { channel, ...ticketMessage(ticket, reason, detail, s.deskUrl), ...(thread ? { thread_ts: thread.ts } : {}) });
        if (!thread) await host.db.query('insert into plugin_slack_threads (ticket_id, channel, ts) values ($1, $2, $3) on conflict do nothing', [ticket.id, channel, posted.ts]);
        await host.db.query('insert into plugin_slack_posted (event_id) values ($1) on conflict do nothing', [e.id]);
      }
    });

    host.route({
      method: 'post',
      path: '/interactions',
      summary: "Slack's interactivity requests (a ticket message's buttons), checked against the signing secret",
      access: 'public',
      bodyFormat: 'form',
      body: { type: 'object', required: ['payload'], properties: { payload: { type: 'string', maxLength: 200_000 } } },
      handler: async ({ body, rawBody, headers }) => {
        const s = await settings();
        const bad = verifySlack(s.signingSecret, headers, rawBody);
        if (bad) host.refuse(401, bad);
        // Slack's window lets a captured request be sent again for five minutes: each signature is acted on once.
        await host.db.query(`delete from plugin_slack_seen where seen_at < now() - interval '10 minutes'`);
        const fresh = await host.db.query('insert into plugin_slack_seen (signature) values ($1) on conflict do nothing returning signature', [headers['x-slack-signature']]);
        if (!fresh.length) host.refuse(409, 'this request was already received');
        let payload: BlockActions;
        try {
          payload = JSON.parse((body as { payload: string }).payload) as BlockActions;
        } catch {
          return host.refuse(400, 'the payload is not JSON');
        }
        if (payload.type !== 'block_actions') return { status: 200, body: {} };
        const action = payload.actions?.[0];
        const verb = TICKET_BUTTONS.find((a) => a === action?.action_id);
        const user = payload.user?.id;
        const channel = payload.channel?.id ?? payload.container?.channel_id;
        const root = payload.message?.thread_ts ?? payload.message?.ts ?? payload.container?.message_ts;
        if (!verb || !user || !channel || !root) return host.refuse(400, 'not a ticket button');
        const [ticketId = '', number = 'the ticket'] = String(action?.value ?? '').split(' ');

        let reply: string;
        try {
          const hit = emails.get(user);
          const email = hit && Date.now() - hit.at < EMAIL_FRESH_MS ? hit.email : await emailOf(s, user);
          emails.set(user, { at: Date.now(), email });
          if (!email) throw new Error('your Slack profile shows no e-mail address the desk could match');
          reply = doneReply(user, verb, await host.tickets.act(ticketId, { email }, ticketButtonAction(verb, s, 'Resolved from Slack.')));
        } catch (err) {
          // The desk's refusals (not theirs, not now, no such account) are the answer; anything else is also logged.
          if (!((err as { status?: number }).status! < 500)) host.log.error('Slack action failed', { error: (err as Error).message });
          reply = refusedReply(user, verb, number, (err as Error).message);
        }
        await postMessage(s, { channel, thread_ts: root, text: reply });
        return { status: 200, body: {} };
      },
    });
  },
});
