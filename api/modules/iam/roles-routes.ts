// Roles over HTTP (admin.people): the documented permissions, the built-in roles in their terms, custom roles.
import type { RouteTable } from '../../http/routes';
import { patchRoleBody, roleBody, type PatchRoleBody, type RoleBody, type RoleService } from './roles';

const roleSchema = {
  type: 'object',
  properties: {
    key: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    areas: { type: 'array', items: { type: 'string' } },
    queues: { type: 'object' },
    holders: { type: 'integer', description: 'Active accounts holding it' },
  },
} as const;

export function roleRoutes(table: RouteTable, roles: RoleService): void {
  const common = { tag: 'iam', auth: 'user', scope: 'admin', permission: 'admin.people' } as const;
  table.add({
    ...common,
    method: 'get',
    path: '/api/roles',
    summary: 'The permissions roles are made of, the built-in roles (admin, agent, customer) in those terms, and the custom roles',
    responses: { 200: { description: 'Roles', schema: { type: 'object', properties: { permissions: { type: 'object' }, builtIn: { type: 'array' }, items: { type: 'array', items: roleSchema } } } } },
    handler: async () => ({ body: await roles.list() }),
  });
  table.add<RoleBody>({
    ...common,
    method: 'post',
    path: '/api/roles',
    builtInAdmin: 'compose roles',
    summary: "Create a custom staff role from the documented permissions (areas, and actions per queue or '*')",
    body: roleBody,
    responses: { 201: { description: 'Created', schema: roleSchema }, 409: { description: 'Key taken' }, 422: { description: 'Unknown queue' } },
    handler: async ({ body }) => ({ status: 201, body: await roles.create(body) }),
  });
  table.add<PatchRoleBody>({
    ...common,
    method: 'patch',
    path: '/api/roles/:key',
    builtInAdmin: 'change roles',
    summary: "Change a custom role; its holders' rights change with their next request",
    body: patchRoleBody,
    responses: { 200: { description: 'Changed', schema: roleSchema }, 404: { description: 'No such role' }, 422: { description: 'Unknown queue' } },
    handler: async ({ params, body }) => ({ body: await roles.update(params.key!, body) }),
  });
  table.add({
    ...common,
    method: 'delete',
    path: '/api/roles/:key',
    builtInAdmin: 'delete roles',
    summary: 'Delete a custom role nobody holds',
    responses: { 204: { description: 'Deleted' }, 404: { description: 'No such role' }, 409: { description: 'Held by accounts' } },
    handler: async ({ params }) => {
      await roles.remove(params.key!);
      return { status: 204 };
    },
  });
}
