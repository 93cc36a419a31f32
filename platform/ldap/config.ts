// A directory's configuration as stored (one row of ldap_directories) and as the API shows it (never the bind secret).
import type { EntityManager } from '@mikro-orm/postgresql';
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

export interface DirectoryRow {
  id: string;
  name: string;
  url: string;
  start_tls: boolean;
  ca_certificate: string | null;
  bind_dn: string;
  bind_secret_sealed: string;
  user_base_dns: string[];
  user_filter: string;
  group_base_dns: string[];
  group_filter: string;
  attributes: DirectoryAttributes;
  group_mappings: GroupMapping[];
  default_role: 'agent' | 'customer';
  sync_interval_minutes: number;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
}

export const DEFAULT_ATTRIBUTES: DirectoryAttributes = { id: 'entryUUID', email: 'mail', name: 'cn', login: 'uid', organisation: null, memberOf: null, groupMember: 'member' };
export const DEFAULT_USER_FILTER = '(objectClass=inetOrgPerson)';
export const DEFAULT_GROUP_FILTER = '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))';

export const issuerOf = (directoryId: string) => `ldap:${directoryId}`;

export async function loadDirectory(em: EntityManager, id: string): Promise<DirectoryRow | undefined> {
  const [row] = await em.fork().execute<DirectoryRow[]>('select * from ldap_directories where id = ?', [id]);
  return row;
}

export function directoryView(row: DirectoryRow) {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    startTls: row.start_tls,
    caCertificate: row.ca_certificate,
    bindDn: row.bind_dn,
    bindSecretSet: true,
    userBaseDns: row.user_base_dns,
    userFilter: row.user_filter,
    groupBaseDns: row.group_base_dns,
    groupFilter: row.group_filter,
    attributes: row.attributes,
    groupMappings: row.group_mappings,
    defaultRole: row.default_role,
    syncIntervalMinutes: row.sync_interval_minutes,
    enabled: row.enabled,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
