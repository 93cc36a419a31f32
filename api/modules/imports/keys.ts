// Which source record became which desk record: a second run of the same source finds what the first made.
import type { InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ImportKey } from '../../../platform/db/entities/index';

export type KeyKind = 'organisation' | 'user' | 'asset' | 'ticket' | 'queue';

type ImportKeyRow = InferEntity<typeof ImportKey>;
export type KnownKey = Pick<ImportKeyRow, 'externalId' | 'localId' | 'digest' | 'importedSeq' | 'live'>;
export type RememberedKey = Pick<ImportKeyRow, 'externalId' | 'localId'> & Partial<Pick<ImportKeyRow, 'digest' | 'importedSeq' | 'live' | 'startInput'>>;

export async function knownKeys(tx: EntityManager, source: string, kind: KeyKind, externalIds: string[]): Promise<Map<string, KnownKey>> {
  if (!externalIds.length) return new Map();
  // Plain rows, not entities: a 100,000-record run reads a key per record, and hydrating them cost a fifth of an
  // unchanged run's time (bench/csv-import.ts).
  const rows = await tx
    .createQueryBuilder(ImportKey)
    .select(['externalId', 'localId', 'digest', 'importedSeq', 'live'])
    .where({ source, kind, externalId: { $in: externalIds } })
    .execute<KnownKey[]>('all');
  return new Map(rows.map((r) => [r.externalId, r]));
}

export async function rememberKeys(tx: EntityManager, source: string, kind: KeyKind, keys: RememberedKey[]): Promise<void> {
  if (!keys.length) return;
  // SQL: one set-based upsert per batch (a JSON array of rows, whatever its size), measured by bench/csv-import.ts.
  await tx.execute(
    `insert into import_keys (source, kind, external_id, local_id, digest, imported_seq, live, start_input)
     select ?, ?, x.external_id, x.local_id, coalesce(x.digest, ''), x.imported_seq, coalesce(x.live, false), x.start_input
     from jsonb_to_recordset(?::jsonb) as x(external_id text, local_id text, digest text, imported_seq integer, live boolean, start_input jsonb)
     on conflict (source, kind, external_id) do update set local_id = excluded.local_id, digest = excluded.digest,
       imported_seq = excluded.imported_seq, live = excluded.live, start_input = excluded.start_input, imported_at = now()`,
    [source, kind, JSON.stringify(keys.map((k) => ({ external_id: k.externalId, local_id: k.localId, digest: k.digest, imported_seq: k.importedSeq, live: k.live, start_input: k.startInput })))],
  );
}
