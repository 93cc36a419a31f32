// Directories (LDAP / Active Directory) over HTTP, admins only: configure, test the connection, sync now, read the
// runs' reports. Also plugs directory passwords into the one login route.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import type { RouteTable } from '../../http/routes';
import { listOf } from '../../http/shapes';
import type { SecretBox } from '../../../platform/secret-box';
import type { AuthService } from '../auth/service';
import { LdapService, type DirectoryInput } from './service';

const dn = { type: 'string', minLength: 1, maxLength: 1000, pattern: '=' } as const;
const attribute = { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z][A-Za-z0-9-]*$' } as const;
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
  attributes: {
    type: 'object',
    additionalProperties: false,
    description: 'Which attribute holds what (defaults: id entryUUID, email mail, name cn, login uid, groupMember member)',
    properties: {
      id: { ...attribute, description: "The entry's stable id: entryUUID, objectGUID, or dn" },
      email: attribute,
      name: attribute,
      login: attribute,
      organisation: { type: ['string', 'null'], minLength: 1, maxLength: 100, pattern: '^[A-Za-z][A-Za-z0-9-]*$' },
      memberOf: { type: ['string', 'null'], minLength: 1, maxLength: 100, pattern: '^[A-Za-z][A-Za-z0-9-]*$' },
      groupMember: attribute,
    },
  },
  groupMappings: {
    type: 'array',
    maxItems: 200,
    items: {
      type: 'object',
      required: ['group'],
      additionalProperties: false,
      properties: {
        group: { type: 'string', minLength: 1, maxLength: 1000, description: "A group's DN or cn" },
        role: { type: 'string', enum: ['admin', 'agent', 'customer'] },
        customRole: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$', description: 'A custom role members hold when they end up agents' },
        agentGroups: { type: 'array', maxItems: 50, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 100 } },
      },
    },
  },
  defaultRole: { type: 'string', enum: ['agent', 'customer'], description: 'The role of users in no mapped group' },
  syncIntervalMinutes: { type: 'integer', minimum: 5, maximum: 10080 },
  enabled: { type: 'boolean' },
} as const;

const createBody = { type: 'object', required: ['name', 'url', 'bindDn', 'bindSecret', 'userBaseDns'], additionalProperties: false, properties } as const;
const patchBody = { type: 'object', minProperties: 1, additionalProperties: false, properties } as const;
const runSchema = {
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
const directorySchema = {
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

const testSchema = {
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

export function ldapRoutes(table: RouteTable, auth: AuthService, deps: { em: EntityManager; box: SecretBox; temporal: Client; taskQueue: string }): void {
  const ldap = new LdapService(deps.em, deps.box, deps.temporal, deps.taskQueue);
  auth.directoryPassword = (userId, password) => ldap.verifyPassword(userId, password);
  const tag = 'directories';
  table.add<DirectoryInput & { name: string; url: string; bindDn: string; bindSecret: string; userBaseDns: string[] }>({
    method: 'post',
    path: '/api/ldap/directories',
    builtInAdmin: 'manage directories (a directory decides who signs in as whom)',
    summary: 'Configure an LDAP / Active Directory directory; its sync schedule starts at once',
    tag,
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    body: createBody,
    responses: { 201: { description: 'Created (never with the bind secret)', schema: directorySchema }, 409: { description: 'directory-name-taken' }, 422: { description: 'invalid-directory, unknown-group' } },
    handler: async ({ body }) => ({ status: 201, body: await ldap.create(body) }),
  });
  table.add({
    method: 'get',
    path: '/api/ldap/directories',
    summary: 'Configured directories with their last sync',
    tag,
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    responses: { 200: { description: 'Directories', schema: listOf(directorySchema) } },
    handler: async () => ({ body: { items: await ldap.list() } }),
  });
  table.add({
    method: 'get',
    path: '/api/ldap/directories/:id',
    summary: 'One directory',
    tag,
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    responses: { 200: { description: 'The directory', schema: directorySchema }, 404: { description: 'No such directory' } },
    handler: async ({ params }) => ({ body: await ldap.get(params.id!) }),
  });
  table.add<DirectoryInput>({
    method: 'patch',
    path: '/api/ldap/directories/:id',
    builtInAdmin: 'manage directories (a directory decides who signs in as whom)',
    summary: 'Change a directory (bindSecret only when given); its schedule follows',
    tag,
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    body: patchBody,
    responses: { 200: { description: 'Changed', schema: directorySchema }, 404: { description: 'No such directory' }, 409: { description: 'directory-name-taken' }, 422: { description: 'invalid-directory, unknown-group' } },
    handler: async ({ params, body }) => ({ body: await ldap.update(params.id!, body) }),
  });
  table.add({
    method: 'delete',
    path: '/api/ldap/directories/:id',
    builtInAdmin: 'manage directories (a directory decides who signs in as whom)',
    summary: 'Remove a directory and its schedule; its accounts stay (without directory passwords)',
    tag,
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    responses: { 204: { description: 'Removed' }, 404: { description: 'No such directory' } },
    handler: async ({ params }) => {
      await ldap.remove(params.id!);
      return { status: 204 };
    },
  });
  table.add({
    method: 'post',
    path: '/api/ldap/directories/:id/test',
    summary: 'Test the connection: bind as the service account and read the users as a sync would, changing nothing',
    tag,
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    responses: {
      200: { description: 'Connected: how many users a sync would see, and a sample', schema: testSchema },
      404: { description: 'No such directory' },
      422: { description: 'The directory failed: directory-unreachable, directory-tls-failed, directory-bind-failed (wrong bind DN or secret), directory-search-failed, directory-misconfigured' },
    },
    handler: async ({ params }) => ({ body: await ldap.test(params.id!) }),
  });
  table.add({
    method: 'post',
    path: '/api/ldap/directories/:id/sync',
    builtInAdmin: 'manage directories (a directory decides who signs in as whom)',
    summary: "Sync now: starts the directory's sync workflow (its report appears in the runs)",
    tag,
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    responses: { 202: { description: 'Started', schema: { type: 'object', required: ['workflowId', 'runId'], properties: { workflowId: { type: 'string' }, runId: { type: 'string' } } } }, 404: { description: 'No such directory' }, 409: { description: 'sync-in-progress' } },
    handler: async ({ params }) => ({ status: 202, body: await ldap.syncNow(params.id!) }),
  });
  table.add<unknown, { limit?: string }>({
    method: 'get',
    path: '/api/ldap/directories/:id/runs',
    summary: "The directory's latest sync runs: created, updated, disabled accounts, or the error",
    tag,
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    query: { type: 'object', additionalProperties: false, properties: { limit: { type: 'string', pattern: '^(?:[1-9][0-9]?|100)$' } } },
    responses: { 200: { description: 'Runs, newest first', schema: listOf(runSchema) }, 404: { description: 'No such directory' } },
    handler: async ({ params, query }) => ({ body: { items: await ldap.runs(params.id!, query.limit ? Number(query.limit) : 20) } }),
  });
}
