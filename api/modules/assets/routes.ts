// Assets over HTTP (agents of the owner group and admins): list, create, read with open tickets and history, edit.
import type { RouteTable } from '../../http/routes';
import type { AssetService } from './service';
import { assetBody, assetDetailSchema, assetPatchBody, assetSchema, listAssetsQuery, type AssetBody } from './schemas';
import { listOf } from '../../http/shapes';

const refused = { 401: { description: 'Not logged in' }, 403: { description: 'Customers, or a group the agent is not in' } };

export function assetRoutes(table: RouteTable, assets: AssetService): void {
  table.add<unknown, { q?: string; limit?: string }>({
    method: 'get',
    path: '/api/assets',
    summary: 'Assets the caller may see, by name',
    tag: 'assets',
    auth: 'user',
    query: listAssetsQuery,
    responses: { 200: { description: 'Assets', schema: listOf(assetSchema) }, 400: { description: 'Bad query' }, ...refused },
    handler: async ({ user, query }) => ({ body: { items: await assets.list(user, query) } }),
  });
  table.add<AssetBody>({
    method: 'post',
    path: '/api/assets',
    summary: 'Register an asset (equipment, site or service)',
    tag: 'assets',
    auth: 'user',
    body: assetBody,
    responses: { 201: { description: 'Created', schema: assetSchema }, 400: { description: 'Invalid body' }, 422: { description: 'Unknown group' }, ...refused },
    handler: async ({ user, body }) => ({ status: 201, body: await assets.create(user, body) }),
  });
  table.add({
    method: 'get',
    path: '/api/assets/:id',
    summary: 'An asset with its open tickets, ticket history and maintenance plans',
    tag: 'assets',
    auth: 'user',
    responses: { 200: { description: 'Asset', schema: assetDetailSchema }, 404: { description: 'No such asset' }, ...refused },
    handler: async ({ user, params }) => ({ body: await assets.detail(user, params.id) }),
  });
  table.add<Partial<AssetBody>>({
    method: 'patch',
    path: '/api/assets/:id',
    summary: 'Edit an asset',
    tag: 'assets',
    auth: 'user',
    body: assetPatchBody,
    responses: { 200: { description: 'Asset', schema: assetSchema }, 400: { description: 'Invalid body' }, 404: { description: 'No such asset' }, 422: { description: 'Unknown group' }, ...refused },
    handler: async ({ user, params, body }) => ({ body: await assets.update(user, params.id, body) }),
  });
}
