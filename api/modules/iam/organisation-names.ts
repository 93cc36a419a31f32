// The organisations' names that lists of people, policies and requests show beside each row, in one query per list.
import type { EntityManager } from '@mikro-orm/postgresql';
import { Organisation } from '../../../platform/db/entities/index';

/** Organisation name by id, for the organisations these rows point at. */
export async function organisationNames(em: EntityManager, rows: ReadonlyArray<{ organisationId?: string | null }>): Promise<Map<string, string>> {
  const ids = [...new Set(rows.flatMap((r) => (r.organisationId ? [r.organisationId] : [])))];
  if (!ids.length) return new Map();
  return new Map((await em.find(Organisation, { id: { $in: ids } }, { fields: ['id', 'name'] })).map((o) => [o.id, o.name]));
}
