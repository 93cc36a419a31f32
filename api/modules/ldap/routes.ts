// Directories (LDAP / Active Directory) over HTTP, admins only: configure, test the connection, sync now, read the
// runs' reports. Also plugs directory passwords into the one login route.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import type { RouteTable } from '../../http/routes';
import { listOf } from '../../http/shapes';
import type { SecretBox } from '../../../platform/secret-box';
import type { AuthService } from '../auth/service';
import { LdapService } from './service';
import { createBody, directorySchema, patchBody, runSchema, testSchema, type CreateDirectoryBody, type DirectoryInput } from './schemas';

export function ldapRoutes(table: RouteTable, auth: AuthService, deps: { em: EntityManager; box: SecretBox; temporal: Client; taskQueue: string }): void {
  const ldap = new LdapService(deps.em, deps.box, deps.temporal, deps.taskQueue);
  auth.directoryPassword = (userId, password) => ldap.verifyPassword(userId, password);
  const tag = 'directories';
  table.add<CreateDirectoryBody>({
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
