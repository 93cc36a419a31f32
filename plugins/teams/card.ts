// What the connector posts: a ticket's Adaptive Card (its Action.Execute buttons name the ticket), and the plain replies
// in its thread. Card text is TextBlock plain text, so ticket text (the customer's) is never markup there; replies are
// sent as plain text too.
import { TICKET_BUTTONS, type PluginTicket, type TicketButton, type TicketNoticeReason } from '../../platform/plugins/v1';

const REASONS: Record<TicketNoticeReason, string> = { created: 'New ticket', escalated: 'Escalated', breached: 'SLA breached' };
const TITLES: Record<TicketButton, string> = { take: 'Take', acknowledge: 'Acknowledge', resolve: 'Resolve' };

export function ticketCard(ticket: PluginTicket, reason: TicketNoticeReason, detail: string | null, deskUrl: string | undefined) {
  const headline = `${REASONS[reason]}${detail ? `: ${detail}` : ''}`;
  const link = deskUrl ? [{ type: 'Action.OpenUrl', title: `Open ${ticket.number}`, url: `${deskUrl.replace(/\/+$/, '')}/tickets/${ticket.id}` }] : [];
  return {
    summary: `${headline} — ${ticket.number} ${ticket.title}`,
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: {
          type: 'AdaptiveCard',
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: headline, weight: 'Bolder', color: reason === 'created' ? 'Default' : 'Attention', wrap: true },
            { type: 'TextBlock', text: `${ticket.number} ${ticket.title}`, size: 'Medium', wrap: true },
            { type: 'TextBlock', text: `Priority ${ticket.priority} · ${ticket.state}${ticket.queue ? ` · ${ticket.queue}` : ''}`, isSubtle: true, spacing: 'None', wrap: true },
          ],
          actions: [
            ...TICKET_BUTTONS.map((verb) => ({ type: 'Action.Execute', verb, title: TITLES[verb], data: { ticketId: ticket.id, number: ticket.number }, ...(verb === 'resolve' ? { style: 'positive' } : {}) })),
            ...link,
          ],
        },
      },
    ],
  };
}

const DONE: Record<TicketButton, string> = { take: 'took', acknowledge: 'acknowledged', resolve: 'resolved' };

export const doneReply = (who: string, verb: TicketButton, ticket: PluginTicket) => `${who} ${DONE[verb]} ${ticket.number} (now ${ticket.state}).`;
export const refusedReply = (who: string, verb: TicketButton, number: string, why: string) => `${who} could not ${verb} ${number}: ${why}`;
