// Reads and writes versioned definitions; a published version is never updated.
import type { EntityManager } from '@mikro-orm/postgresql';
import { iso, isoOrNull, type DbTime } from '../../../platform/db/time';
import type { WorkflowDefinition } from '../../../workflow-definitions/index';

export interface StoredDefinition {
  key: string;
  version: number;
  status: 'draft' | 'published';
  body: WorkflowDefinition;
  createdAt: string;
  publishedAt: string | null;
}

interface Row {
  key: string;
  version: number;
  status: 'draft' | 'published';
  body: WorkflowDefinition;
  created_at: DbTime;
  published_at: DbTime | null;
}

const toStored = (r: Row): StoredDefinition => ({
  key: r.key,
  version: r.version,
  status: r.status,
  body: r.body,
  createdAt: iso(r.created_at),
  publishedAt: isoOrNull(r.published_at),
});

export class DefinitionRepository {
  constructor(private readonly em: EntityManager) {}

  async latestPublished(): Promise<StoredDefinition[]> {
    const rows = await this.em
      .fork()
      .execute<Row[]>(`select distinct on (key) * from definitions where status = 'published' order by key, version desc`);
    return rows.map(toStored);
  }

  /** The definition a custom ticket type names, or null for any other type. */
  async definitionOfCustomType(type: string): Promise<string | null> {
    const [row] = await this.em.fork().execute<Array<{ definition_key: string }>>('select definition_key from ticket_types where key = ?', [type]);
    return row?.definition_key ?? null;
  }

  async find(key: string, version: number): Promise<StoredDefinition | null> {
    const rows = await this.em.fork().execute<Row[]>('select * from definitions where key = ? and version = ?', [key, version]);
    return rows[0] ? toStored(rows[0]) : null;
  }

  async versions(key: string): Promise<StoredDefinition[]> {
    const rows = await this.em.fork().execute<Row[]>('select * from definitions where key = ? order by version', [key]);
    return rows.map(toStored);
  }

  async draft(key: string): Promise<StoredDefinition | null> {
    const rows = await this.em.fork().execute<Row[]>(`select * from definitions where key = ? and status = 'draft'`, [key]);
    return rows[0] ? toStored(rows[0]) : null;
  }

  /** Replaces the key's draft, or opens one as the next version. */
  async saveDraft(def: WorkflowDefinition): Promise<StoredDefinition> {
    const em = this.em.fork();
    const updated = await em.execute<Row[]>(`update definitions set body = ?::jsonb, created_at = now() where key = ? and status = 'draft' returning *`, [
      JSON.stringify(def),
      def.key,
    ]);
    if (updated[0]) return toStored(updated[0]);
    const inserted = await em.execute<Row[]>(
      `insert into definitions (key, version, status, body)
       select ?, coalesce(max(version), 0) + 1, 'draft', ?::jsonb from definitions where key = ?
       returning *`,
      [def.key, JSON.stringify(def), def.key],
    );
    return toStored(inserted[0]);
  }

  async publishDraft(key: string): Promise<StoredDefinition | null> {
    const rows = await this.em
      .fork()
      .execute<Row[]>(`update definitions set status = 'published', published_at = now() where key = ? and status = 'draft' returning *`, [key]);
    return rows[0] ? toStored(rows[0]) : null;
  }

  async discardDraft(key: string): Promise<boolean> {
    const rows = await this.em.fork().execute<Row[]>(`delete from definitions where key = ? and status = 'draft' returning key`, [key]);
    return rows.length > 0;
  }

  /** Inserts version 1 as published when the key has no version yet; returns whether it did. */
  async seed(def: WorkflowDefinition): Promise<boolean> {
    const res = await this.em
      .fork()
      .execute<{ key: string }[]>(
        `insert into definitions (key, version, status, body, published_at)
         select ?, 1, 'published', ?::jsonb, now() where not exists (select 1 from definitions where key = ?)
         returning key`,
        [def.key, JSON.stringify(def), def.key],
      );
    return res.length > 0;
  }
}
