// Reply addresses (local+token@domain) and the Message-IDs we send, so replies find their ticket again.
import { createHash, randomBytes } from 'node:crypto';

export const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/** A reply token: 20 base32 characters, unguessable, safe in the local part of an address. */
export function newReplyToken(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return [...randomBytes(20)].map((b) => alphabet[b % 32]).join('');
}

export function replyAddress(base: string, token: string): string {
  const at = base.lastIndexOf('@');
  return `${base.slice(0, at)}+${token}@${base.slice(at + 1)}`;
}

/** The token in `local+token@domain` when the address is one of ours. */
export function replyTokenOf(base: string, address: string): string | undefined {
  const at = base.lastIndexOf('@');
  const m = /^([^@+]+)\+([a-z2-7]{20})@(.+)$/i.exec(address.trim());
  if (!m) return undefined;
  if (m[1].toLowerCase() !== base.slice(0, at).toLowerCase() || m[3].toLowerCase() !== base.slice(at + 1).toLowerCase()) return undefined;
  return m[2].toLowerCase();
}

/** A stable Message-ID for one outbox row: a resend after a crash carries the same id, so receivers drop the copy. */
export const messageIdFor = (key: string, domain: string): string => `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@${domain}>`;

/** Every mail about a ticket references this id, so mail clients thread them and replies name the ticket. */
export const ticketThreadId = (ticketId: string, domain: string): string => `<ticket-${ticketId}@${domain}>`;

const THREAD = /^<?ticket-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@([^>]+)>?$/i;
export function ticketOfThreadId(id: string, domain: string): string | undefined {
  const m = THREAD.exec(id.trim());
  return m && m[2].toLowerCase() === domain ? m[1].toLowerCase() : undefined;
}

/** Line put above quoted text in every ticket mail; what a reply writes below it is dropped. */
export const REPLY_MARKER = '##- Reply above this line / Répondez au-dessus de cette ligne -##';
