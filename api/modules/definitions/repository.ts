// Reads and writes versioned definitions; a published version is never updated.
import { raw, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Definition, TicketType } from '../../../platform/db/entities/index';
import { iso, isoOrNull } from '../../../platform/db/time';
import type { WorkflowDefinition } from '../../../workflow-definitions/index';

export interface StoredDefinition {
  key: string;
  version: number;
  status: 'draft' | 'published';
  body: WorkflowDefinition;
  createdAt: string;
  publishedAt: string | null;
}

type Row = InferEntity<typeof Definition>;

const toStored = (r: Row): StoredDefinition => ({
  key: r.key,
  version: r.version,
  status: r.status as StoredDefinition['status'],
  body: r.body as unknown as WorkflowDefinition,
  createdAt: iso(r.createdAt),
  publishedAt: isoOrNull(r.publishedAt ?? null),
});

export class DefinitionRepository {
  constructor(private readonly em: EntityManager) {}

  async latestPublished(): Promise<StoredDefinition[]> {
    const rows = await this.em
      .fork()
      .createQueryBuilder(Definition)
      .select('*')
      .distinctOn(['key'])
      .where({ status: 'published' })
      .orderBy({ key: 'asc', version: 'desc' })
      .execute<Row[]>();
    return rows.map(toStored);
  }

  /** The definition a custom ticket type names, or null for any other type. */
  async definitionOfCustomType(type: string): Promise<string | null> {
    const row = await this.em.fork().findOne(TicketType, { key: type }, { fields: ['definitionKey'] });
    return row?.definitionKey ?? null;
  }

  async find(key: string, version: number): Promise<StoredDefinition | null> {
    const row = await this.em.fork().findOne(Definition, { key, version });
    return row ? toStored(row) : null;
  }

  async versions(key: string): Promise<StoredDefinition[]> {
    const rows = await this.em.fork().find(Definition, { key }, { orderBy: { version: 'asc' } });
    return rows.map(toStored);
  }

  async draft(key: string): Promise<StoredDefinition | null> {
    const row = await this.em.fork().findOne(Definition, { key, status: 'draft' });
    return row ? toStored(row) : null;
  }

  /** Replaces the key's draft, or opens one as the next version. */
  async saveDraft(def: WorkflowDefinition): Promise<StoredDefinition> {
    const em = this.em.fork();
    const body = def as unknown as Row['body'];
    const [updated] = await em
      .createQueryBuilder(Definition)
      .update({ body, createdAt: raw('now()') })
      .where({ key: def.key, status: 'draft' })
      .returning('*')
      .execute<Row[]>('all');
    if (updated) return toStored(updated);
    // The next version is counted in the insert itself: one statement, as before.
    const [inserted] = await em
      .createQueryBuilder(Definition)
      .insert({ key: def.key, version: raw('(select coalesce(max(version), 0) + 1 from definitions where key = ?)', [def.key]), status: 'draft', body })
      .returning('*')
      .execute<Row[]>('all');
    return toStored(inserted!);
  }

  async publishDraft(key: string): Promise<StoredDefinition | null> {
    const [row] = await this.em
      .fork()
      .createQueryBuilder(Definition)
      .update({ status: 'published', publishedAt: raw('now()') })
      .where({ key, status: 'draft' })
      .returning('*')
      .execute<Row[]>('all');
    return row ? toStored(row) : null;
  }

  async discardDraft(key: string): Promise<boolean> {
    return (await this.em.fork().nativeDelete(Definition, { key, status: 'draft' })) > 0;
  }

  /** Inserts version 1 as published when the key has no version yet; returns whether it did. */
  async seed(def: WorkflowDefinition): Promise<boolean> {
    // SQL: an insert conditioned on the key having no version at all, in one statement, which the ORM's insert cannot say.
    const res = await this.em.fork().execute<Array<Pick<Row, 'key'>>>(
      `insert into definitions (key, version, status, body, published_at)
       select ?, 1, 'published', ?::jsonb, now() where not exists (select 1 from definitions where key = ?)
       returning key`,
      [def.key, JSON.stringify(def), def.key],
    );
    return res.length > 0;
  }
}
