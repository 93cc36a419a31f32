// Reaching a ticket's workflow from the API: who acts, and the ids that make a retried command the same command.
import { createHash } from 'node:crypto';
import type { Actor } from '../../../workflows/ticket-messages';
import type { AuthUser } from '../auth/types';

/** The same caller and Idempotency-Key always name the same ticket id (a name-based UUID), so a retry finds the first ticket. */
export function idempotentTicketId(userId: string, key: string): string {
  return nameUuid(`guichet-ticket:${userId}:${key}`);
}

/**
 * A command repeated with the same caller and Idempotency-Key is the same Temporal Update: the server runs it once,
 * and every copy (a retry, or one sent at the same time) gets the first one's answer.
 */
export function idempotentUpdateId(kind: string, ticketId: string, userId: string, key: string | undefined): string | undefined {
  return key === undefined ? undefined : `${kind}-${nameUuid(`guichet-${kind}:${ticketId}:${userId}:${key}`)}`;
}

function nameUuid(name: string): string {
  const h = createHash('sha256').update(name).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const actorOf = (user: AuthUser): Actor => ({ id: user.id, role: user.role });
