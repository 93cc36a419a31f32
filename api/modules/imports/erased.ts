// Addresses of people erased from the desk, kept only as a digest (erased_addresses): enough for an import to know it
// must not make the person again, never enough to read the address back.
import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';

export const addressDigest = (email: string): string => createHash('sha256').update(email.trim().toLowerCase()).digest('hex');

/** Which of these addresses belonged to someone erased from this desk. */
export async function erasedAmong(tx: EntityManager, emails: string[]): Promise<Set<string>> {
  const unique = [...new Set(emails)];
  if (!unique.length) return new Set();
  const digests = new Map(unique.map((e) => [addressDigest(e), e]));
  const rows = await tx.execute<{ digest: string }[]>(`select digest from erased_addresses where digest in (select jsonb_array_elements_text(?::jsonb))`, [JSON.stringify([...digests.keys()])]);
  return new Set(rows.map((r) => digests.get(r.digest)!));
}
