// SCIM Groups: the desk's agent groups, which decide who works which queue. A group's SCIM id is its key.
import { LockMode, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { PEOPLE_ONLY } from '../../../platform/access/service-accounts';
import { Asset, Group, GroupMember, MaintenancePlan, QueueGroup, Ticket, User } from '../../../platform/db/entities/index';
import { scimError } from './errors';
import { compileFilter, parseFilter, type Column } from './filter';
import { applyPatch, type PatchOperation } from './patch';
import { GROUP_ATTRIBUTES, GROUP_SCHEMA } from './resource-schema';
import { checkIfMatch, etagOf, type ListQuery } from './users';
import { caseless } from '../../../platform/db/case-fold';

type Json = Record<string, unknown>;

type GroupRow = InferEntity<typeof Group>;
type Member = { id: string; name: string };

const member = (condition: string) => `exists (select 1 from group_members gm where gm.group_key = g.key and ${condition})`;
const GROUP_COLUMNS: Record<string, Column> = {
  id: { sql: 'g.key', type: 'exactString' },
  displayname: { sql: 'g.name', type: 'string' },
  externalid: { sql: 'g.external_id', type: 'exactString' },
  'members.value': { sql: 'gm.user_id::text', type: 'exactString', exists: member },
  'meta.created': { sql: 'g.created_at', type: 'dateTime' },
  'meta.lastmodified': { sql: 'g.updated_at', type: 'dateTime' },
};

const PATCH_SCHEMA = { schema: GROUP_SCHEMA, attrs: GROUP_ATTRIBUTES, extensions: {} };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toResource(row: GroupRow, members: Member[], base: string, withMembers = true): Json {
  const resource: Json = {
    schemas: [GROUP_SCHEMA],
    id: row.key,
    ...(row.externalId ? { externalId: row.externalId } : {}),
    displayName: row.name,
    members: members.map((m) => ({ value: m.id, display: m.name, type: 'User', $ref: `${base}/Users/${m.id}` })),
  };
  const meta = {
    resourceType: 'Group',
    created: row.createdAt.toISOString(),
    lastModified: row.updatedAt.toISOString(),
    location: `${base}/Groups/${row.key}`,
    version: etagOf(resource),
  };
  if (!withMembers) delete resource.members;
  return { ...resource, meta };
}

interface GroupChange {
  name: string;
  externalId: string | null;
  memberIds: string[];
}

function readGroup(doc: Json): GroupChange {
  const get = (name: string) => doc[Object.keys(doc).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name];
  const name = get('displayName');
  if (typeof name !== 'string' || !name.trim()) throw scimError(400, 'invalidValue', 'displayName is required');
  if (name.length > 200) throw scimError(400, 'invalidValue', 'displayName is longer than 200 characters');
  const externalId = get('externalId');
  if (externalId !== undefined && externalId !== null && typeof externalId !== 'string') throw scimError(400, 'invalidValue', 'externalId is a string');
  const members = get('members') ?? [];
  if (!Array.isArray(members)) throw scimError(400, 'invalidValue', 'members is a list');
  const memberIds = members.map((m, i) => {
    const value = m && typeof m === 'object' ? (m as Json).value : m;
    if (typeof value !== 'string' || !UUID.test(value)) throw scimError(400, 'invalidValue', `members[${i}].value is not a user id`);
    return value.toLowerCase();
  });
  return { name: name.trim(), externalId: (externalId as string | null | undefined)?.trim() || null, memberIds: [...new Set(memberIds)] };
}

/** A key from the display name, in the console's key alphabet, unique among groups. */
async function keyFor(tx: EntityManager, name: string): Promise<string> {
  const stem = `${/^[a-z]/.test(name.toLowerCase()) ? '' : 'g_'}${name.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '')}`.slice(0, 50) || 'group';
  for (let n = 1; ; n++) {
    const key = n === 1 ? stem : `${stem}_${n}`;
    if (!(await tx.count(Group, { key }))) return key;
  }
}

export class ScimGroups {
  constructor(private readonly em: EntityManager) {}

  async list(q: ListQuery & { withMembers: boolean }, base: string): Promise<{ total: number; resources: Json[] }> {
    const where = q.filter ? compileFilter(parseFilter(q.filter), (p) => GROUP_COLUMNS[p]) : { sql: 'true', params: [] };
    const em = this.em.fork();
    // SQL: a SCIM filter compiles to a SQL condition (filter.ts); it picks the page's groups, their entities follow.
    const [{ total }] = (await em.execute<Array<{ total: number }>>(`select count(*)::int as total from groups g where ${where.sql}`, where.params)) as [{ total: number }];
    const page = q.count === 0 ? [] : await em.execute<Array<{ key: string }>>(`select g.key from groups g where ${where.sql} order by g.created_at, g.key offset ? limit ?`, [...where.params, q.startIndex - 1, q.count]);
    const rows = new Map((await em.find(Group, { key: { $in: page.map((p) => p.key) } })).map((g) => [g.key, g]));
    const members = await membersOf(em, [...rows.keys()]);
    return { total, resources: page.flatMap(({ key }) => (rows.has(key) ? [toResource(rows.get(key)!, members.get(key) ?? [], base, q.withMembers)] : [])) };
  }

  async get(key: string, base: string, withMembers = true): Promise<Json> {
    const em = this.em.fork();
    const row = await em.findOne(Group, key);
    if (!row) throw scimError(404, undefined, `no group ${key}`);
    return toResource(row, (await membersOf(em, [key])).get(key) ?? [], base, withMembers);
  }

  async create(doc: Json, base: string): Promise<Json> {
    const change = readGroup(doc);
    const key = await this.em.fork().transactional(async (tx) => {
      // Two creations at once take turns: the second sees the first's name and key (SQL: an advisory lock has no entity).
      await tx.execute(`select pg_advisory_xact_lock(hashtext('scim-groups'))`);
      if (await tx.count(Group, caseless('name', change.name))) throw scimError(409, 'uniqueness', `a group is already named ${change.name}`);
      const newKey = await keyFor(tx, change.name);
      await tx.insert(Group, { key: newKey, name: change.name, externalId: change.externalId });
      await this.setMembers(tx, newKey, change.memberIds);
      return newKey;
    });
    return this.get(key, base);
  }

  async replace(key: string, doc: Json, ifMatch: string | undefined, base: string): Promise<Json> {
    return this.change(key, ifMatch, base, () => readGroup(doc));
  }

  async patch(key: string, operations: PatchOperation[], ifMatch: string | undefined, base: string): Promise<Json> {
    return this.change(key, ifMatch, base, (current) => readGroup(applyPatch(current, operations, PATCH_SCHEMA)));
  }

  /** A group that still works queues, holds tickets or owns assets or plans is refused: the desk would lose who handles them. */
  async remove(key: string, ifMatch: string | undefined, base: string): Promise<void> {
    await this.em.fork().transactional(async (tx) => {
      checkIfMatch(await this.locked(tx, key, base), ifMatch);
      const queues = (await tx.find(QueueGroup, { groupKey: key }, { orderBy: { queue: 'asc' } })).map((q) => q.queue);
      if (queues.length) throw scimError(409, undefined, `group ${key} works the queues ${queues.join(', ')}: take it off them in the console first`);
      const tickets = await tx.count(Ticket, { assignedGroup: key, closedAt: null });
      if (tickets) throw scimError(409, undefined, `group ${key} holds ${tickets} open ticket(s): reassign them first`);
      const owned = (await tx.count(Asset, { ownerGroup: key })) + (await tx.count(MaintenancePlan, { ownerGroup: key }));
      if (owned) throw scimError(409, undefined, `group ${key} owns ${owned} asset(s) or maintenance plan(s): give them to another group first`);
      await tx.nativeDelete(Group, { key });
    });
  }

  private async change(key: string, ifMatch: string | undefined, base: string, read: (current: Json) => GroupChange): Promise<Json> {
    await this.em.fork().transactional(async (tx) => {
      const current = await this.locked(tx, key, base);
      checkIfMatch(current, ifMatch);
      const change = read(current);
      if (await tx.count(Group, { ...caseless('name', change.name), key: { $ne: key } })) throw scimError(409, 'uniqueness', `a group is already named ${change.name}`);
      await tx.nativeUpdate(Group, { key }, { name: change.name, externalId: change.externalId });
      await this.setMembers(tx, key, change.memberIds);
    });
    return this.get(key, base);
  }

  private async locked(tx: EntityManager, key: string, base: string): Promise<Json> {
    const row = await tx.findOne(Group, key, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!row) throw scimError(404, undefined, `no group ${key}`);
    return toResource(row, (await membersOf(tx, [key])).get(key) ?? [], base);
  }

  /** Members are agents and admins the desk knows; anyone else refuses the whole change. */
  private async setMembers(tx: EntityManager, key: string, ids: string[]): Promise<void> {
    const staff = await tx.find(User, { id: { $in: ids }, role: { $in: ['agent', 'admin'] }, scimDeletedAt: null, ...PEOPLE_ONLY }, { fields: ['id'] });
    const known = new Set(staff.map((s) => s.id));
    const wrong = ids.filter((id) => !known.has(id));
    if (wrong.length) throw scimError(400, 'invalidValue', `members must be agents or admins of the desk: ${wrong.join(', ')} ${wrong.length === 1 ? 'is' : 'are'} not`);
    await tx.nativeDelete(GroupMember, ids.length ? { groupKey: key, userId: { $nin: ids } } : { groupKey: key });
    if (!ids.length) return;
    // Members kept stay as they are: inside the transaction a duplicate insert must be skipped, not caught.
    await tx
      .createQueryBuilder(GroupMember)
      .insert(ids.map((userId) => ({ groupKey: key, userId })))
      .onConflict(['groupKey', 'userId'])
      .ignore()
      .execute();
  }
}

/** A group of this name whatever its case, as the database lowers it. */

/** The members of some groups, each group's by name then id. */
async function membersOf(em: EntityManager, keys: string[]): Promise<Map<string, Member[]>> {
  const links = keys.length ? await em.find(GroupMember, { groupKey: { $in: keys } }) : [];
  const users = links.length ? await em.find(User, { id: { $in: [...new Set(links.map((l) => l.userId))] } }, { fields: ['name'], orderBy: { name: 'asc', id: 'asc' } }) : [];
  const groupsOf = new Map<string, string[]>();
  for (const l of links) groupsOf.set(l.userId, [...(groupsOf.get(l.userId) ?? []), l.groupKey]);
  const members = new Map<string, Member[]>();
  for (const u of users) for (const key of groupsOf.get(u.id) ?? []) members.set(key, [...(members.get(key) ?? []), { id: u.id, name: u.name }]);
  return members;
}
