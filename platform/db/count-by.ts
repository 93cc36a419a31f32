// How many rows of an entity each of some keys has, in one grouped statement (ticket types' tickets, roles' holders,
// SLA policies' tickets); a key with none is absent from the map.
import { raw, type EntityKey, type EntityName } from '@mikro-orm/core';
import type { EntityManager, QBFilterQuery } from '@mikro-orm/postgresql';

export async function countBy<T extends object>(em: EntityManager, entity: EntityName<T>, key: EntityKey<T>, keys: string[], where: QBFilterQuery<T> = {}): Promise<Map<string, number>> {
  if (!keys.length) return new Map();
  const rows = await em
    .createQueryBuilder(entity)
    .select([key, raw('count(*)::int as n')])
    .where({ [key]: { $in: keys } } as QBFilterQuery<T>)
    .andWhere(where)
    .groupBy(key)
    .execute<Array<Record<string, unknown>>>();
  return new Map(rows.map((r) => [String(r[key]), Number(r.n)]));
}
