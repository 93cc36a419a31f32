// SCIM Users: desk accounts as an identity provider sees and changes them. A deleted user is disabled and hidden from SCIM,
// never removed: their tickets and comments keep their author.
import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { refuseLosingLastAdmin } from '../iam/last-admin';
import { SERVICE_ACCOUNT_SQL } from '../../../platform/access/service-accounts';
import { scimError } from './errors';
import { compileFilter, parseFilter, type Column } from './filter';
import { applyPatch, type PatchOperation } from './patch';
import { ENTERPRISE_ATTRIBUTES, ENTERPRISE_USER, USER_ATTRIBUTES, USER_SCHEMA } from './resource-schema';
import type { UserRole } from '../auth/types';

type Json = Record<string, unknown>;

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  custom_role: string | null;
  locale: string;
  disabled: boolean;
  external_id: string | null;
  scim_user_name: string | null;
  scim_name: { givenName?: string; familyName?: string } | null;
  organisation: string | null;
  created_at: Date;
  updated_at: Date;
}

/** What a representation asks of the desk; undefined leaves the account's current value. */
interface UserChange {
  userName: string;
  email: string;
  name: string;
  givenName: string | null;
  familyName: string | null;
  externalId: string | null;
  active: boolean;
  locale: 'en' | 'fr' | undefined;
  /** A built-in role or a custom role's key, lower-cased; resolved against the desk's roles when written. */
  role: string | undefined;
  organisation: string | null | undefined;
}

const SELECT = `select u.id, u.email, u.name, u.role, u.custom_role, u.locale, u.disabled, u.external_id, u.scim_user_name, u.scim_name,
  o.name as organisation, u.created_at, u.updated_at
  from users u left join organisations o on o.id = u.organisation_id`;
const VISIBLE = `u.scim_deleted_at is null and not (${SERVICE_ACCOUNT_SQL})`;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ROLES: readonly UserRole[] = ['admin', 'agent', 'customer'];

const USER_COLUMNS: Record<string, Column> = {
  username: { sql: 'coalesce(u.scim_user_name, u.email)', type: 'string' },
  id: { sql: 'u.id::text', type: 'exactString' },
  externalid: { sql: 'u.external_id', type: 'exactString' },
  displayname: { sql: 'u.name', type: 'string' },
  'name.formatted': { sql: 'u.name', type: 'string' },
  'name.givenname': { sql: `(u.scim_name->>'givenName')`, type: 'string' },
  'name.familyname': { sql: `(u.scim_name->>'familyName')`, type: 'string' },
  'emails.value': { sql: 'u.email', type: 'string' },
  'emails.type': { sql: `'work'`, type: 'string' },
  'emails.primary': { sql: 'true', type: 'boolean' },
  active: { sql: '(not u.disabled)', type: 'boolean' },
  locale: { sql: 'u.locale', type: 'string' },
  preferredlanguage: { sql: 'u.locale', type: 'string' },
  'roles.value': { sql: 'coalesce(u.custom_role, u.role)', type: 'string' },
  'roles.primary': { sql: 'true', type: 'boolean' },
  [`${ENTERPRISE_USER.toLowerCase()}:organization`]: { sql: 'o.name', type: 'string' },
  'meta.created': { sql: 'u.created_at', type: 'dateTime' },
  'meta.lastmodified': { sql: 'u.updated_at', type: 'dateTime' },
};

export const PATCH_SCHEMA = { schema: USER_SCHEMA, attrs: USER_ATTRIBUTES, extensions: { [ENTERPRISE_USER]: ENTERPRISE_ATTRIBUTES } };

/** A weak ETag over the representation (meta left out): any change made anywhere changes it. */
export function etagOf(resource: Json): string {
  const { meta: _meta, ...rest } = resource;
  return `W/"${createHash('sha256').update(JSON.stringify(rest)).digest('base64url').slice(0, 22)}"`;
}

function toResource(row: UserRow, base: string): Json {
  const given = row.scim_name?.givenName;
  const family = row.scim_name?.familyName;
  const resource: Json = {
    schemas: row.organisation ? [USER_SCHEMA, ENTERPRISE_USER] : [USER_SCHEMA],
    id: row.id,
    ...(row.external_id ? { externalId: row.external_id } : {}),
    userName: row.scim_user_name ?? row.email,
    name: { formatted: row.name, ...(given ? { givenName: given } : {}), ...(family ? { familyName: family } : {}) },
    displayName: row.name,
    emails: [{ value: row.email, type: 'work', primary: true }],
    active: !row.disabled,
    locale: row.locale,
    roles: [{ value: row.custom_role ?? row.role, primary: true }],
    ...(row.organisation ? { [ENTERPRISE_USER]: { organization: row.organisation } } : {}),
  };
  const meta = {
    resourceType: 'User',
    created: new Date(row.created_at).toISOString(),
    lastModified: new Date(row.updated_at).toISOString(),
    location: `${base}/Users/${row.id}`,
    version: '',
  };
  meta.version = etagOf(resource);
  return { ...resource, meta };
}

const valueError = (detail: string) => scimError(400, 'invalidValue', detail);

function optionalString(v: unknown, what: string, max = 200): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw valueError(`${what} is a string`);
  if (v.length > max) throw valueError(`${what} is longer than ${max} characters`);
  return v.trim() || undefined;
}

/** Some providers send booleans as "True"/"False". */
function booleanOf(v: unknown, what: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw valueError(`${what} is true or false`);
}

function pickPrimary(list: unknown, what: string): Json | undefined {
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list)) throw valueError(`${what} is a list`);
  const items = list.map((e): Json => (e && typeof e === 'object' ? (e as Json) : { value: e }));
  return items.find((e) => booleanOf(e.primary, `${what}.primary`) === true) ?? items[0];
}

function field(doc: Json, name: string): unknown {
  const key = Object.keys(doc).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : doc[key];
}

/** Reads a User representation into what the desk keeps; every malformed value is invalidValue, naming the attribute. */
export function readUser(doc: Json): UserChange {
  const userName = optionalString(field(doc, 'userName'), 'userName', 254);
  if (!userName) throw valueError('userName is required');
  const primaryEmail = pickPrimary(field(doc, 'emails'), 'emails');
  const email = (optionalString(primaryEmail?.value, 'emails.value', 254) ?? (EMAIL.test(userName) ? userName : undefined))?.toLowerCase();
  if (!email) throw valueError(`an e-mail address is needed: userName '${userName}' is not one and emails gives none`);
  if (!EMAIL.test(email)) throw valueError(`'${email}' is not an e-mail address`);
  const nameObj = field(doc, 'name');
  if (nameObj !== undefined && nameObj !== null && (typeof nameObj !== 'object' || Array.isArray(nameObj))) throw valueError('name is an object');
  const n = (nameObj ?? {}) as Json;
  const givenName = optionalString(field(n, 'givenName'), 'name.givenName') ?? null;
  const familyName = optionalString(field(n, 'familyName'), 'name.familyName') ?? null;
  const name =
    optionalString(field(doc, 'displayName'), 'displayName') ??
    optionalString(field(n, 'formatted'), 'name.formatted') ??
    ([givenName, familyName].filter(Boolean).join(' ') || userName);
  const language = optionalString(field(doc, 'locale'), 'locale', 35) ?? optionalString(field(doc, 'preferredLanguage'), 'preferredLanguage', 35);
  const primaryRole = pickPrimary(field(doc, 'roles'), 'roles');
  let role: string | undefined;
  if (primaryRole) {
    role = optionalString(primaryRole.value, 'roles.value', 63)?.toLowerCase();
    if (!role) throw valueError('roles.value is empty');
  }
  const ext = field(doc, ENTERPRISE_USER);
  if (ext !== undefined && ext !== null && (typeof ext !== 'object' || Array.isArray(ext))) throw valueError(`${ENTERPRISE_USER} is an object`);
  const orgValue = ext ? field(ext as Json, 'organization') : undefined;
  const organisation = orgValue === undefined ? undefined : orgValue === null ? null : (optionalString(orgValue, 'organization') ?? null);
  return {
    userName,
    email,
    name: name.slice(0, 200),
    givenName,
    familyName,
    externalId: optionalString(field(doc, 'externalId'), 'externalId', 254) ?? null,
    active: booleanOf(field(doc, 'active'), 'active') ?? true,
    locale: language === undefined ? undefined : /^fr/i.test(language) ? 'fr' : 'en',
    role,
    organisation,
  };
}

interface ResolvedRole {
  role: UserRole;
  customRole: string | null;
}

/** A built-in role, or the key of one of this desk's custom roles (an agent holding it); anything else is invalidValue. */
async function resolveRole(tx: EntityManager, value: string): Promise<ResolvedRole> {
  if (ROLES.includes(value as UserRole)) return { role: value as UserRole, customRole: null };
  if ((await tx.execute('select 1 from roles where key = ?', [value])).length) return { role: 'agent', customRole: value };
  throw valueError(`roles: '${value}' is not admin, agent, customer or a custom role of this desk`);
}

export interface ListQuery {
  filter?: string;
  startIndex: number;
  count: number;
}

export class ScimUsers {
  constructor(private readonly em: EntityManager) {}

  async list(q: ListQuery, base: string): Promise<{ total: number; resources: Json[] }> {
    const where = q.filter ? compileFilter(parseFilter(q.filter), (p) => USER_COLUMNS[p]) : { sql: 'true', params: [] };
    const em = this.em.fork();
    const [{ total }] = (await em.execute<Array<{ total: number }>>(`select count(*)::int as total from users u left join organisations o on o.id = u.organisation_id where ${VISIBLE} and ${where.sql}`, where.params)) as [{ total: number }];
    const rows = q.count === 0 ? [] : await em.execute<UserRow[]>(`${SELECT} where ${VISIBLE} and ${where.sql} order by u.created_at, u.id offset ? limit ?`, [...where.params, q.startIndex - 1, q.count]);
    return { total, resources: rows.map((r) => toResource(r, base)) };
  }

  async get(id: string, base: string): Promise<Json> {
    const [row] = await this.em.fork().execute<UserRow[]>(`${SELECT} where u.id = ? and ${VISIBLE}`, [id]);
    if (!row) throw scimError(404, undefined, `no user ${id}`);
    return toResource(row, base);
  }

  /** A user deleted through SCIM and provisioned again gets the same account back (with its tickets). */
  async create(doc: Json, base: string): Promise<{ resource: Json; status: 201 }> {
    const change = readUser(doc);
    const id = await this.em.fork().transactional(async (tx) => {
      await tx.execute(`select pg_advisory_xact_lock(hashtext('scim-users'))`);
      const [existing] = await tx.execute<Array<{ id: string; scim_deleted_at: Date | null; email: string; role: UserRole; custom_role: string | null }>>(
        `select u.id, u.scim_deleted_at, u.email, u.role, u.custom_role from users u where (lower(u.email) = ? or lower(u.scim_user_name) = lower(?)) and not (${SERVICE_ACCOUNT_SQL})`,
        [change.email, change.userName],
      );
      if (existing && !existing.scim_deleted_at) throw scimError(409, 'uniqueness', `an account already uses ${existing.email === change.email ? change.email : `the userName ${change.userName}`}`);
      const organisationId = await this.organisationId(tx, change.organisation);
      if (existing) {
        await tx.execute(`update users set scim_deleted_at = null where id = ?`, [existing.id]);
        const role = change.role ? await resolveRole(tx, change.role) : { role: existing.role, customRole: existing.custom_role };
        await this.write(tx, existing.id, change, organisationId, role, existing.role);
        return existing.id;
      }
      const newId = randomUUID();
      const role = change.role ? await resolveRole(tx, change.role) : { role: 'customer' as const, customRole: null };
      await tx.execute(
        `insert into users (id, email, name, role, custom_role, password_hash, locale, organisation_id, disabled, external_id, scim_user_name, scim_name)
         values (?, ?, ?, ?, ?, null, ?, ?, ?, ?, ?, ?::jsonb)`,
        [newId, change.email, change.name, role.role, role.customRole, change.locale ?? 'en', organisationId ?? null, !change.active, change.externalId, change.userName, nameJson(change)],
      );
      return newId;
    });
    return { resource: await this.get(id, base), status: 201 };
  }

  async replace(id: string, doc: Json, ifMatch: string | undefined, base: string): Promise<Json> {
    return this.change(id, ifMatch, base, () => readUser(doc));
  }

  async patch(id: string, operations: PatchOperation[], ifMatch: string | undefined, base: string): Promise<Json> {
    return this.change(id, ifMatch, base, (current) => readUser(applyPatch(current, operations, PATCH_SCHEMA)));
  }

  async remove(id: string, ifMatch: string | undefined, base: string): Promise<void> {
    await this.em.fork().transactional(async (tx) => {
      const current = await this.locked(tx, id, base);
      checkIfMatch(current, ifMatch);
      await refuseLosingLastAdmin(tx, id, 'deleting this account');
      await tx.execute(`update users set disabled = true, scim_deleted_at = now() where id = ?`, [id]);
      await tx.execute(`delete from group_members where user_id = ?`, [id]);
      await tx.execute(`delete from sessions where user_id = ?`, [id]);
    });
  }

  private async change(id: string, ifMatch: string | undefined, base: string, read: (current: Json) => UserChange): Promise<Json> {
    await this.em.fork().transactional(async (tx) => {
      const current = await this.locked(tx, id, base);
      checkIfMatch(current, ifMatch);
      const change = read(current);
      const [clash] = await tx.execute<Array<{ id: string }>>(
        `select u.id from users u where u.id <> ? and (lower(u.email) = ? or (u.scim_deleted_at is null and lower(u.scim_user_name) = lower(?)))`,
        [id, change.email, change.userName],
      );
      if (clash) throw scimError(409, 'uniqueness', `another account already uses ${change.email} or the userName ${change.userName}`);
      const [before] = await tx.execute<Array<{ role: UserRole; custom_role: string | null; disabled: boolean }>>('select role, custom_role, disabled from users where id = ?', [id]);
      const role = change.role ? await resolveRole(tx, change.role) : { role: before!.role, customRole: before!.custom_role };
      if ((before!.role === 'admin' && role.role !== 'admin') || (!change.active && !before!.disabled)) await refuseLosingLastAdmin(tx, id, 'this change');
      const organisationId = await this.organisationId(tx, change.organisation);
      await this.write(tx, id, change, organisationId, role, before!.role);
    });
    return this.get(id, base);
  }

  private async write(tx: EntityManager, id: string, change: UserChange, organisationId: string | null | undefined, resolved: ResolvedRole, previousRole: UserRole): Promise<void> {
    const { role } = resolved;
    await tx.execute(
      `update users set email = ?, name = ?, role = ?, custom_role = ?, locale = coalesce(?, locale), disabled = ?, external_id = ?, scim_user_name = ?, scim_name = ?::jsonb,
         organisation_id = case when ? then ? else organisation_id end
       where id = ?`,
      [change.email, change.name, role, resolved.customRole, change.locale ?? null, !change.active, change.externalId, change.userName, nameJson(change), organisationId !== undefined, organisationId ?? null, id],
    );
    // As in the console: a disabled account or a changed role must not keep acting through old sessions; a customer is in no agent group.
    if (!change.active || role !== previousRole) await tx.execute('delete from sessions where user_id = ?', [id]);
    if (role === 'customer') await tx.execute('delete from group_members where user_id = ?', [id]);
  }

  private async locked(tx: EntityManager, id: string, base: string): Promise<Json> {
    const [row] = await tx.execute<UserRow[]>(`${SELECT} where u.id = ? and ${VISIBLE} for update of u`, [id]);
    if (!row) throw scimError(404, undefined, `no user ${id}`);
    return toResource(row, base);
  }

  /** undefined: leave it; null: none; a name: that organisation, made when new. */
  private async organisationId(tx: EntityManager, name: string | null | undefined): Promise<string | null | undefined> {
    if (name === undefined || name === null) return name;
    const [made] = await tx.execute<Array<{ id: string }>>(`insert into organisations (id, name) values (?, ?) on conflict (name) do nothing returning id`, [randomUUID(), name]);
    if (made) return made.id;
    const [found] = await tx.execute<Array<{ id: string }>>(`select id from organisations where name = ?`, [name]);
    return found!.id;
  }
}

function nameJson(change: UserChange): string | null {
  return change.givenName || change.familyName ? JSON.stringify({ ...(change.givenName ? { givenName: change.givenName } : {}), ...(change.familyName ? { familyName: change.familyName } : {}) }) : null;
}

export function checkIfMatch(current: Json, ifMatch: string | undefined): void {
  if (!ifMatch || ifMatch.trim() === '*') return;
  const version = (current.meta as { version: string }).version;
  const wanted = ifMatch.split(',').map((t) => t.trim());
  if (!wanted.includes(version)) throw scimError(412, undefined, `the resource changed since version ${wanted.join(', ')}; it is now ${version}`);
}
