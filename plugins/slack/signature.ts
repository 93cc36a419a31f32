// Slack's request signature: v0=HMAC-SHA256(signing secret, "v0:{timestamp}:{raw body}"), and a timestamp at most five
// minutes away, so a captured request cannot be replayed later.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const REPLAY_WINDOW_S = 300;

export function verifySlack(secret: string, headers: Record<string, string>, rawBody: string, nowS = Math.floor(Date.now() / 1000)): string | null {
  const timestamp = headers['x-slack-request-timestamp'] ?? '';
  const signature = headers['x-slack-signature'] ?? '';
  if (!/^\d+$/.test(timestamp)) return 'the request has no timestamp';
  if (Math.abs(nowS - Number(timestamp)) > REPLAY_WINDOW_S) return 'the request is older than five minutes';
  const expected = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, Buffer.from(expected)) ? null : 'the signature does not match';
}
