// The shapes of directories over HTTP: a directory's configuration as given and as shown, its runs, a connection test.
import type { FromSchema } from 'json-schema-to-ts';
import { directoryAttributesSchema, groupMappingSchema } from '../../../platform/ldap/config';

const dn = { type: 'string', minLength: 1, maxLength: 1000, pattern: '=' } as const;
const filter = { type: 'string', minLength: 3, maxLength: 4000, pattern: '^\\(.*\\)$' } as const;
const properties = {
  name: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
  url: { type: 'string', maxLength: 500, pattern: '^ldaps?://[^/\\s]+/?$', description: 'ldap://host:389 (with startTls) or ldaps://host:636' },
  startTls: { type: 'boolean', description: 'Upgrade ldap:// with StartTLS before binding' },
  caCertificate: { type: ['string', 'null'], maxLength: 50_000, description: 'PEM of the CA the server certificate must chain to (system CAs when null)' },
  bindDn: { ...dn, description: 'The service account that reads the directory' },
  bindSecret: { type: 'string', minLength: 1, maxLength: 1024, description: 'Its password; stored sealed, never returned' },
  userBaseDns: { type: 'array', minItems: 1, maxItems: 20, items: dn },
  userFilter: { ...filter, description: 'Default (objectClass=inetOrgPerson); Active Directory: (&(objectCategory=person)(objectClass=user))' },
  groupBaseDns: { type: 'array', maxItems: 20, items: dn },
  groupFilter: filter,
  attributes: directoryAttributesSchema,
  groupMappings: { type: 'array', maxItems: 200, items: groupMappingSchema },
  defaultRole: { type: 'string', enum: ['agent', 'customer'], description: 'The role of users in no mapped group' },
  syncIntervalMinutes: { type: 'integer', minimum: 5, maximum: 10080 },
  enabled: { type: 'boolean' },
} as const;

export const createBody = { type: 'object', required: ['name', 'url', 'bindDn', 'bindSecret', 'userBaseDns'], additionalProperties: false, properties } as const;
export const patchBody = { type: 'object', minProperties: 1, additionalProperties: false, properties } as const;
/** A directory's configuration as a change gives it (a new one: CreateDirectoryBody). */
export type DirectoryInput = FromSchema<typeof patchBody>;
export type CreateDirectoryBody = FromSchema<typeof createBody>;

export const runSchema = {
  title: 'DirectoryRun',
  type: 'object',
  required: ['id', 'trigger', 'status', 'startedAt', 'finishedAt', 'entries', 'created', 'updated', 'disabled', 'unchanged', 'skipped', 'errorCode', 'error'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    trigger: { type: 'string', enum: ['schedule', 'manual'] },
    status: { type: 'string', enum: ['running', 'succeeded', 'failed'] },
    startedAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: ['string', 'null'], format: 'date-time' },
    entries: { type: 'integer', description: 'users read from the directory' },
    created: { type: 'integer' },
    updated: { type: 'integer' },
    disabled: { type: 'integer' },
    unchanged: { type: 'integer' },
    skipped: { type: 'integer' },
    warnings: { type: 'array', items: { type: 'string' }, description: 'in the list of runs' },
    errorCode: { type: ['string', 'null'] },
    error: { type: ['string', 'null'] },
  },
} as const;

/** A directory as configured, never with its bind secret. */
export const directorySchema = {
  title: 'Directory',
  type: 'object',
  required: [
    'id', 'name', 'url', 'startTls', 'caCertificate', 'bindDn', 'bindSecretSet', 'userBaseDns', 'userFilter', 'groupBaseDns', 'groupFilter',
    'attributes', 'groupMappings', 'defaultRole', 'syncIntervalMinutes', 'enabled', 'createdAt', 'updatedAt', 'lastRun',
  ],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    url: { type: 'string' },
    startTls: { type: 'boolean' },
    caCertificate: { type: ['string', 'null'] },
    bindDn: { type: 'string' },
    bindSecretSet: { type: 'boolean' },
    userBaseDns: { type: 'array', items: { type: 'string' } },
    userFilter: { type: 'string' },
    groupBaseDns: { type: 'array', items: { type: 'string' } },
    groupFilter: { type: 'string' },
    attributes: {
      type: 'object',
      required: ['id', 'email', 'name', 'login', 'organisation', 'memberOf', 'groupMember'],
      properties: {
        id: { type: 'string' }, email: { type: 'string' }, name: { type: 'string' }, login: { type: 'string' },
        organisation: { type: ['string', 'null'] }, memberOf: { type: ['string', 'null'] }, groupMember: { type: 'string' },
      },
    },
    groupMappings: properties.groupMappings,
    defaultRole: properties.defaultRole,
    syncIntervalMinutes: { type: 'integer' },
    enabled: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    lastRun: { anyOf: [runSchema, { type: 'null' }] },
  },
} as const;

export const testSchema = {
  type: 'object',
  required: ['ok', 'tls', 'users', 'skipped', 'sample', 'warnings', 'ms'],
  properties: {
    ok: { type: 'boolean' },
    tls: { type: 'string', enum: ['ldaps', 'starttls', 'none'] },
    users: { type: 'integer', description: 'users a sync would see' },
    skipped: { type: 'integer', description: 'entries a sync would skip (no e-mail, ...)' },
    sample: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          dn: { type: 'string' }, email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' },
          organisation: { type: ['string', 'null'] }, agentGroups: { type: 'array', items: { type: 'string' } },
        },
      },
    },
    warnings: { type: 'array', items: { type: 'string' } },
    ms: { type: 'integer' },
  },
} as const;
