// SCIM Groups: the desk's agent groups, which decide who works which queue. A group's SCIM id is its key.
import type { EntityManager } from '@mikro-orm/postgresql';
import { SERVICE_ACCOUNT_SQL } from '../../../platform/access/service-accounts';
import { scimError } from './errors';
import { compileFilter, parseFilter, type Column } from './filter';
import { applyPatch, type PatchOperation } from './patch';
import { GROUP_ATTRIBUTES, GROUP_SCHEMA } from './resource-schema';
import { checkIfMatch, etagOf, type ListQuery } from './users';

type Json = Record<string, unknown>;

interface GroupRow {
  key: string;
  name: string;
  external_id: string | null;
  members: Array<{ id: string; name: string }>;
  created_at: Date;
  updated_at: Date;
}

const SELECT = `select g.key, g.name, g.external_id, g.created_at, g.updated_at,
  coalesce((select json_agg(json_build_object('id', u.id, 'name', u.name) order by u.name, u.id)
            from group_members gm join users u on u.id = gm.user_id where gm.group_key = g.key), '[]'::json) as members
  from groups g`;

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

function toResource(row: GroupRow, base: string, withMembers = true): Json {
  const resource: Json = {
    schemas: [GROUP_SCHEMA],
    id: row.key,
    ...(row.external_id ? { externalId: row.external_id } : {}),
    displayName: row.name,
    members: row.members.map((m) => ({ value: m.id, display: m.name, type: 'User', $ref: `${base}/Users/${m.id}` })),
  };
  const meta = {
    resourceType: 'Group',
    created: new Date(row.created_at).toISOString(),
    lastModified: new Date(row.updated_at).toISOString(),
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
    if (!(await tx.execute('select 1 from groups where key = ?', [key])).length) return key;
  }
}

export class ScimGroups {
  constructor(private readonly em: EntityManager) {}

  async list(q: ListQuery & { withMembers: boolean }, base: string): Promise<{ total: number; resources: Json[] }> {
    const where = q.filter ? compileFilter(parseFilter(q.filter), (p) => GROUP_COLUMNS[p]) : { sql: 'true', params: [] };
    const em = this.em.fork();
    const [{ total }] = (await em.execute<Array<{ total: number }>>(`select count(*)::int as total from groups g where ${where.sql}`, where.params)) as [{ total: number }];
    const rows = q.count === 0 ? [] : await em.execute<GroupRow[]>(`${SELECT} where ${where.sql} order by g.created_at, g.key offset ? limit ?`, [...where.params, q.startIndex - 1, q.count]);
    return { total, resources: rows.map((r) => toResource(r, base, q.withMembers)) };
  }

  async get(key: string, base: string, withMembers = true): Promise<Json> {
    const [row] = await this.em.fork().execute<GroupRow[]>(`${SELECT} where g.key = ?`, [key]);
    if (!row) throw scimError(404, undefined, `no group ${key}`);
    return toResource(row, base, withMembers);
  }

  async create(doc: Json, base: string): Promise<Json> {
    const change = readGroup(doc);
    const key = await this.em.fork().transactional(async (tx) => {
      await tx.execute(`select pg_advisory_xact_lock(hashtext('scim-groups'))`);
      if ((await tx.execute('select 1 from groups where lower(name) = lower(?)', [change.name])).length) throw scimError(409, 'uniqueness', `a group is already named ${change.name}`);
      const newKey = await keyFor(tx, change.name);
      await tx.execute('insert into groups (key, name, external_id) values (?, ?, ?)', [newKey, change.name, change.externalId]);
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
      const [uses] = await tx.execute<Array<{ queues: string[]; tickets: number; owned: number }>>(
        `select coalesce((select array_agg(queue order by queue) from queue_groups where group_key = ?), '{}') as queues,
                (select count(*)::int from tickets where assigned_group = ? and closed_at is null) as tickets,
                (select count(*)::int from assets where owner_group = ?) + (select count(*)::int from maintenance_plans where owner_group = ?) as owned`,
        [key, key, key, key],
      );
      if (uses!.queues.length) throw scimError(409, undefined, `group ${key} works the queues ${uses!.queues.join(', ')}: take it off them in the console first`);
      if (uses!.tickets) throw scimError(409, undefined, `group ${key} holds ${uses!.tickets} open ticket(s): reassign them first`);
      if (uses!.owned) throw scimError(409, undefined, `group ${key} owns ${uses!.owned} asset(s) or maintenance plan(s): give them to another group first`);
      await tx.execute('delete from groups where key = ?', [key]);
    });
  }

  private async change(key: string, ifMatch: string | undefined, base: string, read: (current: Json) => GroupChange): Promise<Json> {
    await this.em.fork().transactional(async (tx) => {
      const current = await this.locked(tx, key, base);
      checkIfMatch(current, ifMatch);
      const change = read(current);
      if ((await tx.execute('select 1 from groups where lower(name) = lower(?) and key <> ?', [change.name, key])).length) throw scimError(409, 'uniqueness', `a group is already named ${change.name}`);
      await tx.execute('update groups set name = ?, external_id = ? where key = ?', [change.name, change.externalId, key]);
      await this.setMembers(tx, key, change.memberIds);
    });
    return this.get(key, base);
  }

  private async locked(tx: EntityManager, key: string, base: string): Promise<Json> {
    const [row] = await tx.execute<GroupRow[]>(`${SELECT} where g.key = ? for update of g`, [key]);
    if (!row) throw scimError(404, undefined, `no group ${key}`);
    return toResource(row, base);
  }

  /** Members are agents and admins the desk knows; anyone else refuses the whole change. */
  private async setMembers(tx: EntityManager, key: string, ids: string[]): Promise<void> {
    const staff = await tx.execute<Array<{ id: string }>>(
      `select u.id from users u where u.id in (select jsonb_array_elements_text(?::jsonb)::uuid) and u.role in ('agent', 'admin') and u.scim_deleted_at is null and not (${SERVICE_ACCOUNT_SQL})`,
      [JSON.stringify(ids)],
    );
    const known = new Set(staff.map((s) => s.id));
    const wrong = ids.filter((id) => !known.has(id));
    if (wrong.length) throw scimError(400, 'invalidValue', `members must be agents or admins of the desk: ${wrong.join(', ')} ${wrong.length === 1 ? 'is' : 'are'} not`);
    await tx.execute(`delete from group_members where group_key = ? and user_id not in (select jsonb_array_elements_text(?::jsonb)::uuid)`, [key, JSON.stringify(ids)]);
    await tx.execute(`insert into group_members (group_key, user_id) select ?, v::uuid from jsonb_array_elements_text(?::jsonb) v on conflict do nothing`, [key, JSON.stringify(ids)]);
  }
}
