// Queues and routing rules over HTTP: agents read them, admins change them.
import type { RouteTable } from '../../http/routes';
import { requireStaff } from '../auth/policy';
import { listOf } from '../../http/shapes';
import { queueBody, queuePatch, queueSchema, routingRulesBody, type QueueBody, type QueuePatch, type RoutingRulesBody } from './schemas';
import type { QueueService } from './service';


export function queueRoutes(table: RouteTable, queues: QueueService): void {
  table.add({
    method: 'get',
    path: '/api/queues',
    summary: 'Queues with their open and breached ticket counts',
    tag: 'queues',
    auth: 'user',
    responses: { 200: { description: 'Queues', schema: listOf(queueSchema) }, 403: { description: 'Customers' } },
    handler: async ({ user }) => {
      requireStaff(user, 'queues are for agents and admins');
      return { body: { items: await queues.list() } };
    },
  });
  table.add<QueueBody>({
    method: 'post',
    path: '/api/queues',
    audits: { entity: 'queue', id: ({ body }) => body.key },
    summary: 'Create a queue (admin)',
    tag: 'queues',
    auth: 'user',
    scope: 'admin', permission: 'admin.queues',
    body: queueBody,
    responses: { 201: { description: 'Created', schema: queueSchema }, 409: { description: 'Key taken' } },
    handler: async ({ body }) => {
      return { status: 201, body: await queues.create(body) };
    },
  });
  table.add<QueuePatch>({
    method: 'patch',
    path: '/api/queues/:key',
    audits: { entity: 'queue', id: ({ params }) => params.key },
    summary: 'Change a queue: its name, description and how it assigns tickets by itself (admin)',
    tag: 'queues',
    auth: 'user',
    scope: 'admin', permission: 'admin.queues',
    body: queuePatch,
    responses: { 200: { description: 'The queue', schema: queueSchema }, 404: { description: 'No such queue' } },
    handler: async ({ params, body }) => ({ body: await queues.update(params.key!, body) }),
  });
  table.add({
    method: 'get',
    path: '/api/routing-rules',
    summary: 'The ordered routing rules (first match wins)',
    tag: 'queues',
    auth: 'user',
    responses: { 200: { description: 'Rules', schema: routingRulesBody } },
    handler: async ({ user }) => {
      requireStaff(user, 'queues are for agents and admins');
      return { body: { items: await queues.rules() } };
    },
  });
  table.add<RoutingRulesBody>({
    method: 'put',
    path: '/api/routing-rules',
    audits: { entity: 'routing_rules', id: () => 'all' },
    summary: 'Replace the routing rules (admin)',
    tag: 'queues',
    auth: 'user',
    scope: 'admin', permission: 'admin.queues',
    body: routingRulesBody,
    responses: { 200: { description: 'The saved rules', schema: routingRulesBody }, 422: { description: 'Unknown queue' } },
    handler: async ({ body }) => {
      return { body: { items: await queues.replaceRules(body) } };
    },
  });
}
