// Signed approval links: the mail to an approver carries a token naming the ticket, the round and the approver,
// signed with HMAC-SHA256 under a key the desk keeps in its database (so every API replica and worker shares it
// without configuration). A token is good until its expiry and for one decision: once its approver has decided, the
// round refuses a second one. Forged or altered tokens fail the signature check.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DeskSecret } from '../db/entities/index';

export interface ApprovalLink {
  ticketId: string;
  round: number;
  userId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

const KEY_NAME = 'approval-links';
/** A link outlives any reasonable approval timeout; the round's own state decides whether it still counts. */
export const LINK_LIFETIME_SECONDS = 30 * 24 * 3600;

let cached: { em: EntityManager; key: Buffer } | undefined;

/** The signing key, created by the first process that needs it (concurrent creators agree: the first insert wins). */
export async function linkKey(em: EntityManager): Promise<Buffer> {
  if (cached?.em === em) return cached.key;
  const db = em.fork();
  await db.createQueryBuilder(DeskSecret).insert({ name: KEY_NAME, value: randomBytes(32) }).onConflict('name').ignore().execute();
  const key = (await db.findOneOrFail(DeskSecret, KEY_NAME)).value as Buffer;
  cached = { em, key };
  return key;
}

const sign = (key: Buffer, payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

export function signLink(key: Buffer, link: ApprovalLink): string {
  const payload = Buffer.from(JSON.stringify([link.ticketId, link.round, link.userId, link.expiresAt])).toString('base64url');
  return `${payload}.${sign(key, payload)}`;
}

export type LinkCheck = { ok: true; link: ApprovalLink } | { ok: false; reason: 'invalid' | 'expired' };

export function verifyLink(key: Buffer, token: string, nowSeconds: number): LinkCheck {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return { ok: false, reason: 'invalid' };
  const expected = Buffer.from(sign(key, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'invalid' };
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  if (!Array.isArray(parts) || parts.length !== 4) return { ok: false, reason: 'invalid' };
  const [ticketId, round, userId, expiresAt] = parts as [string, number, string, number];
  if (expiresAt < nowSeconds) return { ok: false, reason: 'expired' };
  return { ok: true, link: { ticketId, round, userId, expiresAt } };
}
