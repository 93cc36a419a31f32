// Roles over HTTP (admin.people): the documented permissions, the built-in roles in their terms, custom roles.
import type { RouteTable } from '../../http/routes';
import { builtInRoleSchema } from '../auth/schemas';
import { areaPermissionSchema, patchRoleBody, queuePermissionSchema, roleBody, type PatchRoleBody, type RoleBody, type RoleService } from './roles';

const grants = {
  areas: { type: 'array', items: areaPermissionSchema, description: 'areas of the desk the role opens (admin.people, reports...)' },
  queues: { type: 'object', additionalProperties: { type: 'array', items: queuePermissionSchema }, description: "actions per queue ('*': every queue the holder works)" },
} as const;

const roleSchema = {
  title: 'CustomRole',
  type: 'object',
  required: ['key', 'name', 'description', 'areas', 'queues', 'holders'],
  properties: { key: { type: 'string' }, name: { type: 'string' }, description: { type: 'string' }, ...grants, holders: { type: 'integer', description: 'Active accounts holding it' } },
} as const;

const permissionDoc = (key: object) => ({ type: 'object', required: ['key', 'description'], properties: { key, description: { type: 'string' } } }) as const;

const rolesDocSchema = {
  title: 'RolesDoc',
  type: 'object',
  required: ['permissions', 'builtIn', 'items'],
  properties: {
    permissions: {
      type: 'object',
      required: ['areas', 'queue'],
      description: 'the permissions an admin may compose a role of',
      properties: { areas: { type: 'array', items: permissionDoc(areaPermissionSchema) }, queue: { type: 'array', items: permissionDoc(queuePermissionSchema) } },
    },
    builtIn: {
      type: 'array',
      description: 'the built-in roles in the same terms',
      items: { type: 'object', required: ['key', 'name', 'areas', 'queues'], properties: { key: builtInRoleSchema, name: { type: 'string' }, ...grants } },
    },
    items: { type: 'array', items: roleSchema },
  },
} as const;

export function roleRoutes(table: RouteTable, roles: RoleService): void {
  const common = { tag: 'iam', auth: 'user', scope: 'admin', permission: 'admin.people' } as const;
  table.add({
    ...common,
    method: 'get',
    path: '/api/roles',
    summary: 'The permissions roles are made of, the built-in roles (admin, agent, customer) in those terms, and the custom roles',
    responses: { 200: { description: 'Roles', schema: rolesDocSchema } },
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
