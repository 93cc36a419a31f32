// What the connector posts: a ticket's message in Block Kit (its buttons name the ticket), and the plain replies in
// its thread. Slack's mrkdwn is escaped: ticket text is the customer's, never markup.
import type { PluginTicket, TicketNoticeReason } from '../../platform/plugins/v1';

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const REASONS: Record<TicketNoticeReason, string> = { created: 'New ticket', escalated: 'Escalated', breached: 'SLA breached' };

export function ticketMessage(ticket: PluginTicket, reason: TicketNoticeReason, detail: string | null, deskUrl: string | undefined) {
  const number = deskUrl ? `<${deskUrl.replace(/\/+$/, '')}/tickets/${ticket.id}|${ticket.number}>` : ticket.number;
  const headline = `${REASONS[reason]}${detail ? `: ${escape(detail)}` : ''}`;
  return {
    text: `${headline} — ${ticket.number} ${ticket.title}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${number}* ${escape(ticket.title)}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${headline} · priority ${ticket.priority} · ${ticket.state}${ticket.queue ? ` · ${escape(ticket.queue)}` : ''}` }] },
      {
        type: 'actions',
        block_id: `ticket:${ticket.id}`,
        elements: [
          { type: 'button', action_id: 'take', text: { type: 'plain_text', text: 'Take' }, value: `${ticket.id} ${ticket.number}` },
          { type: 'button', action_id: 'acknowledge', text: { type: 'plain_text', text: 'Acknowledge' }, value: `${ticket.id} ${ticket.number}` },
          { type: 'button', action_id: 'resolve', style: 'primary', text: { type: 'plain_text', text: 'Resolve' }, value: `${ticket.id} ${ticket.number}` },
        ],
      },
    ],
  };
}

const DONE: Record<string, string> = { take: 'took', acknowledge: 'acknowledged', resolve: 'resolved' };

export const doneReply = (user: string, action: string, ticket: PluginTicket) => `<@${user}> ${DONE[action] ?? action} ${ticket.number} (now ${ticket.state}).`;
export const refusedReply = (user: string, action: string, number: string, why: string) => `<@${user}> could not ${action} ${number}: ${escape(why)}`;
