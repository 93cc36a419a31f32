// SCIM Users: desk accounts as an identity provider sees and changes them. A deleted user is disabled and hidden from SCIM,
// never removed: their tickets and comments keep their author.
import { createHash, randomUUID } from 'node:crypto';
import { LockMode, raw, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { refuseLosingLastAdmin } from '../iam/last-admin';
import { PEOPLE_ONLY, SERVICE_ACCOUNT_SQL } from '../../../platform/access/service-accounts';
import { GroupMember, Organisation, Role, Session, User } from '../../../platform/db/entities/index';
import { scimError } from './errors';
import { compileFilter, parseFilter, type Column } from './filter';
import { applyPatch, type PatchOperation } from './patch';
import { ENTERPRISE_ATTRIBUTES, ENTERPRISE_USER, USER_ATTRIBUTES, USER_SCHEMA } from './resource-schema';
import type { UserRole } from '../auth/types';
import { caseless } from '../../../platform/db/case-fold';
import { organisationNames } from '../iam/organisation-names';

type Json = Record<string, unknown>;

type UserRow = InferEntity<typeof User>;

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

/** Accounts SCIM sees: neither deleted through it nor service accounts. */
const VISIBLE = `u.scim_deleted_at is null and not (${SERVICE_ACCOUNT_SQL})`;
const visible = { scimDeletedAt: null, ...PEOPLE_ONLY } as const;
/** Matches an address or a userName whatever its case, as the database lowers it. */
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

function toResource(row: UserRow, organisation: string | null, base: string): Json {
  const scimName = row.scimName as { givenName?: string; familyName?: string } | null;
  const given = scimName?.givenName;
  const family = scimName?.familyName;
  const resource: Json = {
    schemas: organisation ? [USER_SCHEMA, ENTERPRISE_USER] : [USER_SCHEMA],
    id: row.id,
    ...(row.externalId ? { externalId: row.externalId } : {}),
    userName: row.scimUserName ?? row.email,
    name: { formatted: row.name, ...(given ? { givenName: given } : {}), ...(family ? { familyName: family } : {}) },
    displayName: row.name,
    emails: [{ value: row.email, type: 'work', primary: true }],
    active: !row.disabled,
    locale: row.locale,
    roles: [{ value: row.customRole ?? row.role, primary: true }],
    ...(organisation ? { [ENTERPRISE_USER]: { organization: organisation } } : {}),
  };
  const meta = {
    resourceType: 'User',
    created: row.createdAt.toISOString(),
    lastModified: row.updatedAt.toISOString(),
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
  if (await tx.count(Role, { key: value })) return { role: 'agent', customRole: value };
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
    // SQL: a SCIM filter compiles to a SQL condition (filter.ts); it picks the page's accounts, their entities follow.
    const from = `from users u left join organisations o on o.id = u.organisation_id where ${VISIBLE} and ${where.sql}`;
    const [{ total }] = (await em.execute<Array<{ total: number }>>(`select count(*)::int as total ${from}`, where.params)) as [{ total: number }];
    const page = q.count === 0 ? [] : await em.execute<Array<{ id: string }>>(`select u.id ${from} order by u.created_at, u.id offset ? limit ?`, [...where.params, q.startIndex - 1, q.count]);
    const rows = new Map((await em.find(User, { id: { $in: page.map((p) => p.id) } })).map((u) => [u.id, u]));
    const names = await organisationNames(em, [...rows.values()]);
    return { total, resources: page.flatMap(({ id }) => (rows.has(id) ? [toResource(rows.get(id)!, names.get(rows.get(id)!.organisationId!) ?? null, base)] : [])) };
  }

  async get(id: string, base: string): Promise<Json> {
    const em = this.em.fork();
    const row = await em.findOne(User, { id, ...visible });
    if (!row) throw scimError(404, undefined, `no user ${id}`);
    return toResource(row, (await organisationNames(em, [row])).get(row.organisationId!) ?? null, base);
  }

  /** A user deleted through SCIM and provisioned again gets the same account back (with its tickets). */
  async create(doc: Json, base: string): Promise<{ resource: Json; status: 201 }> {
    const change = readUser(doc);
    const id = await this.em.fork().transactional(async (tx) => {
      // Two creations of one account at once take turns: the second finds the first's (SQL: an advisory lock has no entity).
      await tx.execute(`select pg_advisory_xact_lock(hashtext('scim-users'))`);
      const existing = await tx.findOne(User, { $or: [caseless('email', change.email), caseless('scim_user_name', change.userName)], ...PEOPLE_ONLY });
      if (existing && !existing.scimDeletedAt) throw scimError(409, 'uniqueness', `an account already uses ${existing.email === change.email ? change.email : `the userName ${change.userName}`}`);
      const organisationId = await this.organisationId(tx, change.organisation);
      if (existing) {
        await tx.nativeUpdate(User, existing.id, { scimDeletedAt: null });
        const role = change.role ? await resolveRole(tx, change.role) : { role: existing.role as UserRole, customRole: existing.customRole ?? null };
        await this.write(tx, existing.id, change, organisationId, role, existing.role as UserRole);
        return existing.id;
      }
      const newId = randomUUID();
      const role = change.role ? await resolveRole(tx, change.role) : { role: 'customer' as const, customRole: null };
      await tx.insert(User, {
        id: newId,
        email: change.email,
        name: change.name,
        role: role.role,
        customRole: role.customRole,
        passwordHash: null,
        locale: change.locale ?? 'en',
        organisationId: organisationId ?? null,
        disabled: !change.active,
        externalId: change.externalId,
        scimUserName: change.userName,
        scimName: nameOf(change),
      });
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
      await tx.nativeUpdate(User, id, { disabled: true, scimDeletedAt: raw('now()') });
      await tx.nativeDelete(GroupMember, { userId: id });
      await tx.nativeDelete(Session, { userId: id });
    });
  }

  private async change(id: string, ifMatch: string | undefined, base: string, read: (current: Json) => UserChange): Promise<Json> {
    await this.em.fork().transactional(async (tx) => {
      const before = await this.lockedRow(tx, id);
      const current = toResource(before, (await organisationNames(tx, [before])).get(before.organisationId!) ?? null, base);
      checkIfMatch(current, ifMatch);
      const change = read(current);
      const clash = await tx.count(User, { id: { $ne: id }, $or: [caseless('email', change.email), { scimDeletedAt: null, ...caseless('scim_user_name', change.userName) }] });
      if (clash) throw scimError(409, 'uniqueness', `another account already uses ${change.email} or the userName ${change.userName}`);
      const previousRole = before.role as UserRole;
      const role = change.role ? await resolveRole(tx, change.role) : { role: previousRole, customRole: before.customRole ?? null };
      if ((previousRole === 'admin' && role.role !== 'admin') || (!change.active && !before.disabled)) await refuseLosingLastAdmin(tx, id, 'this change');
      const organisationId = await this.organisationId(tx, change.organisation);
      await this.write(tx, id, change, organisationId, role, previousRole);
    });
    return this.get(id, base);
  }

  private async write(tx: EntityManager, id: string, change: UserChange, organisationId: string | null | undefined, resolved: ResolvedRole, previousRole: UserRole): Promise<void> {
    const { role } = resolved;
    await tx.nativeUpdate(User, id, {
      email: change.email,
      name: change.name,
      role,
      customRole: resolved.customRole,
      ...(change.locale ? { locale: change.locale } : {}),
      disabled: !change.active,
      externalId: change.externalId,
      scimUserName: change.userName,
      scimName: nameOf(change),
      ...(organisationId !== undefined ? { organisationId } : {}),
    });
    // As in the console: a disabled account or a changed role must not keep acting through old sessions; a customer is in no agent group.
    if (!change.active || role !== previousRole) await tx.nativeDelete(Session, { userId: id });
    if (role === 'customer') await tx.nativeDelete(GroupMember, { userId: id });
  }

  private async lockedRow(tx: EntityManager, id: string): Promise<UserRow> {
    const row = await tx.findOne(User, { id, ...visible }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!row) throw scimError(404, undefined, `no user ${id}`);
    return row;
  }

  private async locked(tx: EntityManager, id: string, base: string): Promise<Json> {
    const row = await this.lockedRow(tx, id);
    return toResource(row, (await organisationNames(tx, [row])).get(row.organisationId!) ?? null, base);
  }

  /** undefined: leave it; null: none; a name: that organisation, made when new. */
  private async organisationId(tx: EntityManager, name: string | null | undefined): Promise<string | null | undefined> {
    if (name === undefined || name === null) return name;
    // on conflict do nothing, not a caught violation: inside a transaction a failed insert would end it.
    await tx.createQueryBuilder(Organisation).insert({ id: randomUUID(), name }).onConflict('name').ignore().execute();
    return (await tx.findOneOrFail(Organisation, { name })).id;
  }
}

/** The organisations' names of some accounts, by id. */
function nameOf(change: UserChange): Record<string, string> | null {
  return change.givenName || change.familyName ? { ...(change.givenName ? { givenName: change.givenName } : {}), ...(change.familyName ? { familyName: change.familyName } : {}) } : null;
}

export function checkIfMatch(current: Json, ifMatch: string | undefined): void {
  if (!ifMatch || ifMatch.trim() === '*') return;
  const version = (current.meta as { version: string }).version;
  const wanted = ifMatch.split(',').map((t) => t.trim());
  if (!wanted.includes(version)) throw scimError(412, undefined, `the resource changed since version ${wanted.join(', ')}; it is now ${version}`);
}
