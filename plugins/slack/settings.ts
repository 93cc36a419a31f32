// The Slack connector's settings as the admin saved them (checked against guichet-plugin.json before the plug-in sees them).

export interface SlackSettings {
  botToken: string;
  signingSecret: string;
  defaultChannel: string;
  queueChannels?: Record<string, string>;
  post?: Array<'created' | 'escalated' | 'breached'>;
  acknowledgeTransition?: string;
  resolveTransition?: string;
  resolveFields?: Record<string, string | number | boolean>;
  deskUrl?: string;
  apiUrl?: string;
}

export const apiOf = (s: SlackSettings): string => (s.apiUrl ?? 'https://slack.com/api').replace(/\/+$/, '');
export const channelOf = (s: SlackSettings, queue: string | null): string => (queue && s.queueChannels?.[queue]) || s.defaultChannel;
