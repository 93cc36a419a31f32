// A directory's configuration as stored (one row of ldap_directories) and as the API shows it (never the bind secret).
import type { InferEntity } from '@mikro-orm/core';
import type { FromSchema } from 'json-schema-to-ts';
import type { EntityManager } from '@mikro-orm/postgresql';
import { LdapDirectory } from '../db/entities/index';
/** The desk's built-in roles, which a directory group can map to. */
export const DESK_ROLES = ['admin', 'agent', 'customer'] as const;
export type DeskRole = (typeof DESK_ROLES)[number];

/** What reads a sealed bind secret back (the API's and the worker's SecretBox). */
export interface SecretOpener {
  open(sealed: string): string;
}

const attribute = { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z][A-Za-z0-9-]*$' } as const;

/**
 * Which attribute of an entry holds what, as an admin sets it (the API validates with it; a key left out keeps its
 * default, DEFAULT_ATTRIBUTES): its complete form, DirectoryAttributes, is what a directory stores.
 */
export const directoryAttributesSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Which attribute holds what (defaults: id entryUUID, email mail, name cn, login uid, groupMember member)',
  properties: {
    // entryUUID (OpenLDAP), objectGUID (Active Directory), or 'dn' to use the DN itself.
    id: { ...attribute, description: "The entry's stable id: entryUUID, objectGUID, or dn" },
    email: attribute,
    name: attribute,
    // What people type to log in besides their e-mail (uid, sAMAccountName); kept for the report and future logins.
    login: attribute,
    // The attribute naming the user's organisation (o, company); null maps no organisation.
    organisation: { ...attribute, type: ['string', 'null'] },
    // Active Directory style: the user entry lists its groups' DNs in this attribute; null: search the groups instead.
    memberOf: { ...attribute, type: ['string', 'null'] },
    // On group entries, the attribute listing member DNs (member, uniqueMember).
    groupMember: attribute,
  },
} as const;
export type DirectoryAttributes = Required<FromSchema<typeof directoryAttributesSchema>>;

/** Who the members of one directory group become in the desk. */
export const groupMappingSchema = {
  type: 'object',
  required: ['group'],
  additionalProperties: false,
  properties: {
    group: { type: 'string', minLength: 1, maxLength: 1000, description: "A group's DN or cn" },
    // Members get at least this role (the highest of their groups wins).
    role: { type: 'string', enum: DESK_ROLES },
    // The first matching mapping that names one gives it.
    customRole: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$', description: 'A custom role members hold when they end up agents' },
    // Agent groups by key; the sync adds and removes memberships of mapped groups only.
    agentGroups: { type: 'array', maxItems: 50, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 100 } },
  },
} as const;
export type GroupMapping = FromSchema<typeof groupMappingSchema>;

/** A directory as stored; its JSON columns typed on the entity. */
export type DirectoryRow = InferEntity<typeof LdapDirectory>;

export const DEFAULT_ATTRIBUTES: DirectoryAttributes = { id: 'entryUUID', email: 'mail', name: 'cn', login: 'uid', organisation: null, memberOf: null, groupMember: 'member' };
export const DEFAULT_USER_FILTER = '(objectClass=inetOrgPerson)';
export const DEFAULT_GROUP_FILTER = '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))';

export const issuerOf = (directoryId: string) => `ldap:${directoryId}`;

export async function loadDirectory(em: EntityManager, id: string): Promise<DirectoryRow | undefined> {
  return (await em.fork().findOne(LdapDirectory, id)) ?? undefined;
}

export function directoryView(row: DirectoryRow) {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    startTls: row.startTls,
    caCertificate: row.caCertificate ?? null,
    bindDn: row.bindDn,
    bindSecretSet: true,
    userBaseDns: row.userBaseDns,
    userFilter: row.userFilter,
    groupBaseDns: row.groupBaseDns,
    groupFilter: row.groupFilter,
    attributes: row.attributes,
    groupMappings: row.groupMappings,
    defaultRole: row.defaultRole,
    syncIntervalMinutes: row.syncIntervalMinutes,
    enabled: row.enabled,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
