// The Teams connector's settings as the admin saved them (checked against guichet-plugin.json before the plug-in sees them).
import type { TicketButtonSettings, TicketNoticeReason } from '../../platform/plugins/v1';

export interface TeamsSettings extends TicketButtonSettings {
  appId: string;
  appPassword: string;
  tenantId: string;
  singleTenant?: boolean;
  serviceUrl: string;
  defaultChannel: string;
  queueChannels?: Record<string, string>;
  post?: TicketNoticeReason[];
  deskUrl?: string;
  loginUrl?: string;
  openIdMetadataUrl?: string;
}

export const channelOf = (s: TeamsSettings, queue: string | null): string => (queue && s.queueChannels?.[queue]) || s.defaultChannel;
/** The service URL with exactly one trailing slash, as Teams writes it. */
export const serviceOf = (url: string): string => `${url.replace(/\/+$/, '')}/`;
