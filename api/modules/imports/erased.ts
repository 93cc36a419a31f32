// Which addresses of an import belonged to people erased from the desk (platform/privacy/address-digest.ts).
import type { EntityManager } from '@mikro-orm/postgresql';
import { addressDigest } from '../../../platform/privacy/address-digest';

/** Which of these addresses belonged to someone erased from this desk. */
export async function erasedAmong(tx: EntityManager, emails: string[]): Promise<Set<string>> {
  const unique = [...new Set(emails)];
  if (!unique.length) return new Set();
  const digests = new Map(unique.map((e) => [addressDigest(e), e]));
  const rows = await tx.execute<{ digest: string }[]>(`select digest from erased_addresses where digest in (select jsonb_array_elements_text(?::jsonb))`, [JSON.stringify([...digests.keys()])]);
  return new Set(rows.map((r) => digests.get(r.digest)!));
}
