// People and access: accounts, sessions, sign-in factors, organisations, groups, roles, directories, throttles.
// Tables are made only by the committed migrations; tests/platform/entities-match-schema.test.ts holds these to them.
import { defineEntity, p } from '@mikro-orm/core';
import type { DirectoryAttributes, GroupMapping } from '../../ldap/config';

export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.uuid().primary(),
    email: p.text().unique(),
    name: p.text(),
    role: p.text(),
    passwordHash: p.text().nullable(),
    locale: p.text().defaultRaw('\'en\'::text'),
    organisationId: p.uuid().nullable(),
    disabled: p.boolean().defaultRaw('false'),
    createdAt: p.datetime().defaultRaw('now()'),
    phone: p.text().nullable(),
    externalId: p.text().nullable(),
    scimUserName: p.text().nullable(),
    scimName: p.json<Record<string, unknown>>().nullable(),
    updatedAt: p.datetime().defaultRaw('now()'),
    scimDeletedAt: p.datetime().nullable(),
    erasedAt: p.datetime().nullable(),
    customRole: p.text().nullable(),
    awaySince: p.datetime().nullable(),
    awayUntil: p.datetime().nullable(),
    skills: p.array().defaultRaw('\'{}\'::text[]'),
    managerId: p.uuid().nullable(),
  },
});

export const Session = defineEntity({
  name: 'Session',
  tableName: 'sessions',
  properties: {
    id: p.text().primary(),
    userId: p.uuid(),
    csrfToken: p.text(),
    expiresAt: p.datetime(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

export const UserIdentity = defineEntity({
  name: 'UserIdentity',
  tableName: 'user_identities',
  properties: {
    issuer: p.text().primary(),
    subject: p.text().primary(),
    userId: p.uuid(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

export const UserMfa = defineEntity({
  name: 'UserMfa',
  tableName: 'user_mfa',
  properties: {
    userId: p.uuid().primary(),
    secret: p.text(),
    enabledAt: p.datetime().nullable(),
    lastStep: p.bigint('number').defaultRaw('0'),
    recoveryHashes: p.array().defaultRaw('\'{}\'::text[]'),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

export const UserPasskey = defineEntity({
  name: 'UserPasskey',
  tableName: 'user_passkeys',
  properties: {
    id: p.text().primary(),
    userId: p.uuid(),
    publicKey: p.type('bytea'),
    counter: p.bigint('number').defaultRaw('0'),
    transports: p.array().defaultRaw('\'{}\'::text[]'),
    name: p.text(),
    createdAt: p.datetime().defaultRaw('now()'),
    lastUsedAt: p.datetime().nullable(),
  },
});

export const WebauthnChallenge = defineEntity({
  name: 'WebauthnChallenge',
  tableName: 'webauthn_challenges',
  properties: {
    challenge: p.text().primary(),
    userId: p.uuid(),
    kind: p.text(),
    expiresAt: p.datetime(),
  },
});

export const PasswordReset = defineEntity({
  name: 'PasswordReset',
  tableName: 'password_resets',
  properties: {
    tokenHash: p.text().primary(),
    userId: p.uuid(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    createdBy: p.uuid().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

export const ApiToken = defineEntity({
  name: 'ApiToken',
  tableName: 'api_tokens',
  properties: {
    id: p.uuid().primary(),
    name: p.text(),
    tokenHash: p.text(),
    prefix: p.text(),
    scope: p.text(),
    userId: p.uuid(),
    createdBy: p.uuid(),
    createdAt: p.datetime().defaultRaw('now()'),
    lastUsedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  },
});

export const Role = defineEntity({
  name: 'Role',
  tableName: 'roles',
  properties: {
    key: p.text().primary(),
    name: p.text(),
    description: p.text().defaultRaw('\'\'::text'),
    grants: p.json<unknown>(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

export const Group = defineEntity({
  name: 'Group',
  tableName: 'groups',
  properties: {
    key: p.text().primary(),
    name: p.text(),
    createdAt: p.datetime().defaultRaw('now()'),
    externalId: p.text().nullable(),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

export const GroupMember = defineEntity({
  name: 'GroupMember',
  tableName: 'group_members',
  properties: {
    groupKey: p.text().primary(),
    userId: p.uuid().primary(),
  },
});

export const Organisation = defineEntity({
  name: 'Organisation',
  tableName: 'organisations',
  properties: {
    id: p.uuid().primary(),
    name: p.text(),
    shareTickets: p.boolean().defaultRaw('false'),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

export const ThrottleCounter = defineEntity({
  name: 'ThrottleCounter',
  tableName: 'throttle_counters',
  properties: {
    key: p.text().primary(),
    count: p.integer(),
    firstAt: p.bigint('number'),
    lockedUntil: p.bigint('number').defaultRaw('0'),
  },
});

export const ErasedAddress = defineEntity({
  name: 'ErasedAddress',
  tableName: 'erased_addresses',
  properties: {
    digest: p.text().primary(),
    erasedAt: p.datetime().defaultRaw('now()'),
  },
});

export const LdapAccount = defineEntity({
  name: 'LdapAccount',
  tableName: 'ldap_accounts',
  properties: {
    directoryId: p.uuid().primary(),
    userId: p.uuid().primary(),
    dn: p.text(),
    login: p.text().nullable(),
    missingSince: p.datetime().nullable(),
    syncedAt: p.datetime().defaultRaw('now()'),
  },
});

export const LdapDirectory = defineEntity({
  name: 'LdapDirectory',
  tableName: 'ldap_directories',
  properties: {
    id: p.uuid().primary(),
    name: p.text(),
    url: p.text(),
    startTls: p.boolean().defaultRaw('false'),
    caCertificate: p.text().nullable(),
    bindDn: p.text(),
    bindSecretSealed: p.text(),
    userBaseDns: p.json<string[]>(),
    userFilter: p.text(),
    groupBaseDns: p.json<string[]>().defaultRaw('\'[]\'::jsonb'),
    groupFilter: p.text(),
    attributes: p.json<DirectoryAttributes>(),
    groupMappings: p.json<GroupMapping[]>().defaultRaw('\'[]\'::jsonb'),
    defaultRole: p.text().$type<'agent' | 'customer'>().defaultRaw('\'customer\'::text'),
    syncIntervalMinutes: p.integer().defaultRaw('60'),
    enabled: p.boolean().defaultRaw('true'),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

export const LdapSyncRun = defineEntity({
  name: 'LdapSyncRun',
  tableName: 'ldap_sync_runs',
  properties: {
    id: p.uuid().primary(),
    directoryId: p.uuid(),
    trigger: p.text(),
    status: p.text(),
    startedAt: p.datetime().defaultRaw('now()'),
    finishedAt: p.datetime().nullable(),
    entries: p.integer().defaultRaw('0'),
    created: p.integer().defaultRaw('0'),
    updated: p.integer().defaultRaw('0'),
    disabled: p.integer().defaultRaw('0'),
    unchanged: p.integer().defaultRaw('0'),
    skipped: p.integer().defaultRaw('0'),
    warnings: p.json<unknown>().defaultRaw('\'[]\'::jsonb'),
    errorCode: p.text().nullable(),
    error: p.text().nullable(),
  },
});

export const NotificationPreference = defineEntity({
  name: 'NotificationPreference',
  tableName: 'notification_preferences',
  properties: {
    userId: p.uuid().primary(),
    kind: p.text().primary(),
    mode: p.text(),
  },
});

export const IDENTITY_ENTITIES = [User, Session, UserIdentity, UserMfa, UserPasskey, WebauthnChallenge, PasswordReset, ApiToken, Role, Group, GroupMember, Organisation, ThrottleCounter, ErasedAddress, LdapAccount, LdapDirectory, LdapSyncRun, NotificationPreference];
