// Which addresses of an import belonged to people erased from the desk (platform/privacy/address-digest.ts).
import type { EntityManager } from '@mikro-orm/postgresql';
import { ErasedAddress } from '../../../platform/db/entities/index';
import { addressDigest } from '../../../platform/privacy/address-digest';

/** Which of these addresses belonged to someone erased from this desk. */
export async function erasedAmong(tx: EntityManager, emails: string[]): Promise<Set<string>> {
  const unique = [...new Set(emails)];
  if (!unique.length) return new Set();
  const digests = new Map(unique.map((e) => [addressDigest(e), e]));
  const rows = await tx.find(ErasedAddress, { digest: { $in: [...digests.keys()] } }, { fields: ['digest'], disableIdentityMap: true });
  return new Set(rows.map((r) => digests.get(r.digest)!));
}
