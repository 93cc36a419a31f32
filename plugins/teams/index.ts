// Microsoft Teams: new, escalated and breached tickets posted as Adaptive Cards to a channel per queue, and their
// buttons (take, acknowledge, resolve) acting as the Teams user's desk account, answered in the ticket's thread. The
// desk is the bot's messaging endpoint (/api/plugins/teams/messages). Written only against the plug-in API.
import { definePlugin, ticketButtonAction, ticketNotices, TICKET_BUTTONS } from '../../platform/plugins/v1';
import { memberEmail, postToConversation, startThread } from './bot-connector';
import { KeysUnavailable, verifyTeams } from './bot-auth';
import { doneReply, refusedReply, ticketCard } from './card';
import { channelOf, type TeamsSettings } from './settings';

interface Activity {
  type?: string;
  name?: string;
  id?: string;
  channelId?: string;
  serviceUrl?: string;
  channelData?: { tenant?: { id?: string } };
  from?: { id?: string; name?: string };
  conversation?: { id?: string };
  value?: { action?: { type?: string; verb?: string; data?: { ticketId?: string; number?: string } } };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Teams members map to desk accounts by e-mail; looked up once in a while, not at every click. */
const EMAIL_FRESH_MS = 10 * 60_000;
const invokeAnswer = (text: string) => ({ status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text } });

export default definePlugin({
  register(host) {
    const settings = () => host.settings<TeamsSettings>();
    const emails = new Map<string, { at: number; email: string | null }>();

    host.onTicketEvents(async ({ ticket, events }) => {
      const s = await settings();
      for (const { event: e, reason, detail } of ticketNotices(events, s.post)) {
        if ((await host.db.query('select 1 from plugin_teams_posted where event_id = $1', [e.id])).length) continue;
        const channel = channelOf(s, ticket.queue);
        const [thread] = await host.db.query<{ conversation_id: string }>('select conversation_id from plugin_teams_threads where ticket_id = $1 and channel = $2', [ticket.id, channel]);
        const card = ticketCard(ticket, reason, detail, s.deskUrl);
        if (thread) await postToConversation(s, s.serviceUrl, thread.conversation_id, card);
        else {
          const conversationId = await startThread(s, channel, card);
          await host.db.query('insert into plugin_teams_threads (ticket_id, channel, conversation_id) values ($1, $2, $3) on conflict do nothing', [ticket.id, channel, conversationId]);
        }
        await host.db.query('insert into plugin_teams_posted (event_id) values ($1) on conflict do nothing', [e.id]);
      }
    });

    host.route({
      method: 'post',
      path: '/messages',
      summary: "The bot's messaging endpoint: Teams' activities (a ticket card's buttons), checked against the Bot Framework's signed token",
      access: 'public',
      body: { type: 'object', required: ['type'], properties: { type: { type: 'string', maxLength: 100 } } },
      handler: async ({ body, headers }) => {
        const s = await settings();
        const activity = body as Activity;
        let bad: string | null;
        try {
          bad = await verifyTeams(s, headers.authorization, activity);
        } catch (err) {
          if (err instanceof KeysUnavailable) return { status: 503, body: { detail: err.message } };
          throw err;
        }
        if (bad) host.refuse(401, bad);
        // Only a card's buttons do something here; Teams also tells the bot of installs and members (answered 200).
        if (activity.type !== 'invoke' || activity.name !== 'adaptiveCard/action') return { status: 200, body: {} };
        // The Bot Framework vouches for the bot, not for whose Teams sent the click: only this organisation's counts.
        if (activity.channelId !== 'msteams' || activity.channelData?.tenant?.id?.toLowerCase() !== s.tenantId.toLowerCase()) {
          host.refuse(403, "this request comes from another organisation's Teams");
        }
        if (activity.id) {
          await host.db.query(`delete from plugin_teams_seen where seen_at < now() - interval '1 day'`);
          const fresh = await host.db.query('insert into plugin_teams_seen (activity_id) values ($1) on conflict do nothing returning activity_id', [activity.id]);
          if (!fresh.length) host.refuse(409, 'this activity was already received');
        }
        const action = activity.value?.action;
        const verb = TICKET_BUTTONS.find((v) => v === action?.verb);
        const member = activity.from?.id;
        const conversation = activity.conversation?.id;
        const ticketId = action?.data?.ticketId;
        if (!verb || !member || !conversation || !ticketId || !UUID.test(ticketId) || !activity.serviceUrl) return host.refuse(400, 'not a ticket button');
        // Only the card the desk posted for that ticket acts on it (a card made elsewhere naming any ticket does not).
        const [thread] = await host.db.query('select 1 from plugin_teams_threads where ticket_id = $1 and conversation_id = $2', [ticketId, conversation]);
        if (!thread) host.refuse(403, "this is not the desk's card for that ticket");
        const number = action?.data?.number ?? 'the ticket';
        const who = activity.from?.name || 'Someone';

        let reply: string;
        try {
          const hit = emails.get(member);
          const email = hit && Date.now() - hit.at < EMAIL_FRESH_MS ? hit.email : await memberEmail(s, activity.serviceUrl, conversation, member);
          emails.set(member, { at: Date.now(), email });
          if (!email) throw new Error('Teams shows no e-mail address for you that the desk could match');
          reply = doneReply(who, verb, await host.tickets.act(ticketId, { email }, ticketButtonAction(verb, s, 'Resolved from Teams.')));
        } catch (err) {
          // The desk's refusals (not theirs, not now, no such account) are the answer; anything else is also logged.
          if (!((err as { status?: number }).status! < 500)) host.log.error('Teams action failed', { error: (err as Error).message });
          reply = refusedReply(who, verb, number, (err as Error).message);
        }
        await postToConversation(s, activity.serviceUrl, conversation, { text: reply, textFormat: 'plain' });
        return invokeAnswer(reply);
      },
    });
  },
});
