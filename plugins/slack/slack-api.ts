// The two Slack Web API methods the connector calls, with the bot token, within a time limit.
import { apiOf, type SlackSettings } from './settings';

const TIMEOUT_MS = 5000;

async function call<T>(s: SlackSettings, method: string, init: { query?: Record<string, string>; body?: unknown }): Promise<T> {
  const url = new URL(`${apiOf(s)}/${method}`);
  for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
  const res = await fetch(url, {
    method: init.body ? 'POST' : 'GET',
    headers: { authorization: `Bearer ${s.botToken}`, ...(init.body ? { 'content-type': 'application/json; charset=utf-8' } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`Slack ${method} answered ${res.status}`);
  const answer = (await res.json()) as T & { ok: boolean; error?: string };
  if (!answer.ok) throw new Error(`Slack ${method} refused: ${answer.error ?? 'unknown error'}`);
  return answer;
}

export const postMessage = (s: SlackSettings, message: Record<string, unknown>) => call<{ ts: string; channel: string }>(s, 'chat.postMessage', { body: message });

/** The e-mail of a Slack user (the users:read.email scope), or null when their profile shows none. */
export async function emailOf(s: SlackSettings, userId: string): Promise<string | null> {
  const { user } = await call<{ user?: { profile?: { email?: string } } }>(s, 'users.info', { query: { user: userId } });
  return user?.profile?.email?.toLowerCase() ?? null;
}
