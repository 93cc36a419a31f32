// A directory's configuration as stored (one row of ldap_directories) and as the API shows it (never the bind secret).
import type { InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { LdapDirectory } from '../db/entities/index';
/** The desk's built-in roles, which a directory group can map to. */
export type DeskRole = 'admin' | 'agent' | 'customer';

/** What reads a sealed bind secret back (the API's and the worker's SecretBox). */
export interface SecretOpener {
  open(sealed: string): string;
}

export interface DirectoryAttributes {
  /** The entry's stable id: entryUUID (OpenLDAP), objectGUID (Active Directory), or 'dn' to use the DN itself. */
  id: string;
  email: string;
  name: string;
  /** What people type to log in besides their e-mail (uid, sAMAccountName); kept for the report and future logins. */
  login: string;
  /** The attribute naming the user's organisation (o, company); none maps no organisation. */
  organisation: string | null;
  /** Active Directory style: the user entry lists its groups' DNs in this attribute; null: search the groups instead. */
  memberOf: string | null;
  /** On group entries, the attribute listing member DNs (member, uniqueMember). */
  groupMember: string;
}

export interface GroupMapping {
  /** A group's DN, or its cn. */
  group: string;
  /** Members get at least this role (the highest of their groups wins). */
  role?: DeskRole;
  /** Members who end up agents hold this custom role (the first matching mapping that names one). */
  customRole?: string;
  /** Members belong to these agent groups (keys); the sync adds and removes memberships of mapped groups only. */
  agentGroups?: string[];
}

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
