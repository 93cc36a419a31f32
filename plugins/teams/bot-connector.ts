// The Bot Connector calls the connector makes as its bot: a token from the sign-in service (client credentials, kept
// until shortly before it expires), a new conversation (a card starting a thread in a channel), a message in a
// conversation (a reply in that thread), and a conversation member (whose e-mail maps them to a desk account).
import { serviceOf, type TeamsSettings } from './settings';

const TIMEOUT_MS = 5000;
const SCOPE = 'https://api.botframework.com/.default';

const tokens = new Map<string, { token: string; until: number }>();

async function botToken(s: TeamsSettings): Promise<string> {
  const authority = s.singleTenant ? s.tenantId : 'botframework.com';
  const key = `${s.appId}\n${s.appPassword}\n${authority}\n${s.loginUrl ?? ''}`;
  const kept = tokens.get(key);
  if (kept && kept.until > Date.now()) return kept.token;
  const url = `${(s.loginUrl ?? 'https://login.microsoftonline.com').replace(/\/+$/, '')}/${encodeURIComponent(authority)}/oauth2/v2.0/token`;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: s.appId, client_secret: s.appPassword, scope: SCOPE }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`the sign-in service refused the bot's credentials (${res.status}): check the app id, the client secret and the tenant`);
  const answer = (await res.json()) as { access_token?: string; expires_in?: number };
  if (!answer.access_token) throw new Error('the sign-in service answered without a token');
  // Renewed five minutes early, so a token never expires between this check and Teams reading it.
  tokens.set(key, { token: answer.access_token, until: Date.now() + Math.max(0, (answer.expires_in ?? 3600) - 300) * 1000 });
  return answer.access_token;
}

async function call<T>(s: TeamsSettings, serviceUrl: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${serviceOf(serviceUrl)}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${await botToken(s)}`, ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`Teams answered ${res.status} to ${body === undefined ? 'GET' : 'POST'} /${path.split('/').slice(0, 2).join('/')}`);
  return (await res.json()) as T;
}

/** Starts a thread in a channel with this message; answers the thread's conversation id (replies go there). */
export async function startThread(s: TeamsSettings, channel: string, activity: object): Promise<string> {
  const created = await call<{ id: string }>(s, s.serviceUrl, 'v3/conversations', { isGroup: true, channelData: { channel: { id: channel } }, activity: { type: 'message', ...activity } });
  return created.id;
}

export function postToConversation(s: TeamsSettings, serviceUrl: string, conversationId: string, activity: object): Promise<{ id: string }> {
  return call(s, serviceUrl, `v3/conversations/${encodeURIComponent(conversationId)}/activities`, { type: 'message', ...activity });
}

/** The e-mail Teams knows for a member of a conversation (their Entra ID account), or null. */
export async function memberEmail(s: TeamsSettings, serviceUrl: string, conversationId: string, memberId: string): Promise<string | null> {
  const member = await call<{ email?: string; userPrincipalName?: string }>(s, serviceUrl, `v3/conversations/${encodeURIComponent(conversationId)}/members/${encodeURIComponent(memberId)}`);
  const email = (member.email || member.userPrincipalName || '').trim().toLowerCase();
  return email.includes('@') ? email : null;
}
