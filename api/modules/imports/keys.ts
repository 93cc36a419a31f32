// Which source record became which desk record: a second run of the same source finds what the first made.
import type { EntityManager } from '@mikro-orm/postgresql';

export type KeyKind = 'organisation' | 'user' | 'asset' | 'ticket' | 'queue';

export interface ImportKey {
  external_id: string;
  local_id: string;
  digest: string;
  imported_seq: number | null;
  live: boolean;
}

export async function knownKeys(tx: EntityManager, source: string, kind: KeyKind, externalIds: string[]): Promise<Map<string, ImportKey>> {
  if (!externalIds.length) return new Map();
  const rows = await tx.execute<ImportKey[]>(
    `select external_id, local_id, digest, imported_seq, live from import_keys
     where source = ? and kind = ? and external_id in (select jsonb_array_elements_text(?::jsonb))`,
    [source, kind, JSON.stringify(externalIds)],
  );
  return new Map(rows.map((r) => [r.external_id, r]));
}

export async function rememberKeys(
  tx: EntityManager,
  source: string,
  kind: KeyKind,
  keys: { external_id: string; local_id: string; digest?: string; imported_seq?: number | null; live?: boolean; start_input?: object | null }[],
): Promise<void> {
  if (!keys.length) return;
  await tx.execute(
    `insert into import_keys (source, kind, external_id, local_id, digest, imported_seq, live, start_input)
     select ?, ?, x.external_id, x.local_id, coalesce(x.digest, ''), x.imported_seq, coalesce(x.live, false), x.start_input
     from jsonb_to_recordset(?::jsonb) as x(external_id text, local_id text, digest text, imported_seq integer, live boolean, start_input jsonb)
     on conflict (source, kind, external_id) do update set local_id = excluded.local_id, digest = excluded.digest,
       imported_seq = excluded.imported_seq, live = excluded.live, start_input = excluded.start_input, imported_at = now()`,
    [source, kind, JSON.stringify(keys)],
  );
}
