// The Slack connector's settings as the admin saved them (checked against guichet-plugin.json before the plug-in sees them).
import type { TicketButtonSettings, TicketNoticeReason } from '../../platform/plugins/v1';

export interface SlackSettings extends TicketButtonSettings {
  botToken: string;
  signingSecret: string;
  defaultChannel: string;
  queueChannels?: Record<string, string>;
  post?: TicketNoticeReason[];
  deskUrl?: string;
  apiUrl?: string;
}

export const apiOf = (s: SlackSettings): string => (s.apiUrl ?? 'https://slack.com/api').replace(/\/+$/, '');
export const channelOf = (s: SlackSettings, queue: string | null): string => (queue && s.queueChannels?.[queue]) || s.defaultChannel;
