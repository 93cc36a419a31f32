// Webhook routes: outbound subscriptions and their delivery log, inbound endpoints and their request log (admins), and the public receiving route.
import type { RouteTable } from '../../http/routes';
import type { InboundService } from './inbound';
import type { SubscriptionService } from './subscriptions';
import {
  createEndpointBody,
  createSubscriptionBody,
  deliveriesQuery,
  deliverySchema,
  endpointSchema,
  hookResultSchema,
  inboundRequestSchema,
  patchEndpointBody,
  patchSubscriptionBody,
  redeliverBody,
  requestsQuery,
  rotateBody,
  subscriptionSchema,
  type CreateEndpointBody,
  type CreateSubscriptionBody,
  type DeliveriesQuery,
  type PatchEndpointBody,
  type PatchSubscriptionBody,
  type RedeliverBody,
  type RequestsQuery,
  type RotateBody,
} from './schemas';
import { listOf } from '../../http/shapes';

const problem = (description: string) => ({ description });
const withSecret = (item: object, key: string) => ({ type: 'object', required: [key, 'secret'], properties: { [key]: item, secret: { type: 'string', description: 'shown in this answer only' } } });
const ADMIN_ERRORS = { 401: problem('Not logged in'), 403: problem('Not an admin') };

export function webhookRoutes(table: RouteTable, subs: SubscriptionService, inbound: InboundService): void {
  const tag = 'webhooks';
  // ---- outbound ----
  table.add<CreateSubscriptionBody>({
    method: 'post',
    path: '/api/webhooks/subscriptions',
    builtInAdmin: 'set up webhooks (they see, or act on, every ticket)',
    audits: { entity: 'webhook_subscription', id: ({ reply }) => (reply as { subscription?: { id: string } } | undefined)?.subscription?.id },
    summary: 'Subscribe a URL to ticket events; the signing secret (whsec_…) is in this response only',
    tag,
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    body: createSubscriptionBody,
    responses: { 201: { description: 'Created', schema: withSecret(subscriptionSchema, 'subscription') }, 400: problem('Invalid body'), ...ADMIN_ERRORS, 422: problem('The URL is refused (private address without allowPrivateNetwork)') },
    handler: async ({ user, body }) => ({ status: 201, body: await subs.create(user, body) }),
  });
  table.add({
    method: 'get',
    path: '/api/webhooks/subscriptions',
    summary: 'Outbound webhook subscriptions (never their secrets)',
    tag,
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    responses: { 200: { description: 'Subscriptions', schema: listOf(subscriptionSchema) }, ...ADMIN_ERRORS },
    handler: async () => ({ body: { items: await subs.list() } }),
  });
  table.add({
    method: 'get',
    path: '/api/webhooks/subscriptions/:id',
    summary: 'One subscription',
    tag,
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    responses: { 200: { description: 'Subscription', schema: subscriptionSchema }, ...ADMIN_ERRORS, 404: problem('No such subscription') },
    handler: async ({ params }) => ({ body: await subs.get(params.id) }),
  });
  table.add<PatchSubscriptionBody>({
    method: 'patch',
    path: '/api/webhooks/subscriptions/:id',
    builtInAdmin: 'set up webhooks (they see, or act on, every ticket)',
    audits: { entity: 'webhook_subscription', id: ({ params }) => params.id },
    summary: 'Change a subscription; enabled: true re-enables one disabled after failures',
    tag,
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    body: patchSubscriptionBody,
    responses: { 200: { description: 'Subscription', schema: subscriptionSchema }, 400: problem('Invalid body'), ...ADMIN_ERRORS, 404: problem('No such subscription'), 422: problem('The URL is refused') },
    handler: async ({ params, body }) => ({ body: await subs.patch(params.id, body) }),
  });
  table.add({
    method: 'delete',
    path: '/api/webhooks/subscriptions/:id',
    audits: { entity: 'webhook_subscription', id: ({ params }) => params.id },
    summary: 'Delete a subscription and its delivery log',
    tag,
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    responses: { 204: { description: 'Deleted' }, ...ADMIN_ERRORS, 404: problem('No such subscription') },
    handler: async ({ params }) => {
      await subs.remove(params.id);
      return { status: 204 };
    },
  });
  table.add<RotateBody>({
    method: 'post',
    path: '/api/webhooks/subscriptions/:id/rotate',
    builtInAdmin: 'rotate webhook secrets (a secret acts for its webhook)',
    audits: { entity: 'webhook_subscription', id: ({ params }) => params.id },
    summary: 'New signing secret (in this response only); the old one also signs for graceHours (default 24)',
    tag,
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    body: rotateBody,
    responses: { 200: { description: 'Rotated', schema: withSecret(subscriptionSchema, 'subscription') }, 400: problem('Invalid body'), ...ADMIN_ERRORS, 404: problem('No such subscription') },
    handler: async ({ params, body }) => ({ body: await subs.rotate(params.id, body) }),
  });
  table.add<unknown, DeliveriesQuery>({
    method: 'get',
    path: '/api/webhooks/subscriptions/:id/deliveries',
    summary: 'Delivery log: status, response code, latency, attempts, last error (newest first)',
    tag,
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    query: deliveriesQuery,
    responses: { 200: { description: 'Deliveries', schema: listOf(deliverySchema) }, 400: problem('Invalid query'), ...ADMIN_ERRORS, 404: problem('No such subscription') },
    handler: async ({ params, query }) => ({ body: { items: await subs.deliveries(params.id, query) } }),
  });
  table.add<RedeliverBody>({
    method: 'post',
    path: '/api/webhooks/subscriptions/:id/redeliver',
    audits: { entity: 'webhook_subscription', id: ({ params }) => params.id },
    summary: 'Send one delivery again ({deliveryId}) or every delivery since a time ({since}), with the same event ids',
    tag,
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    body: redeliverBody,
    responses: {
      202: { description: 'Queued', schema: { type: 'object', required: ['queued'], properties: { queued: { type: 'integer' } } } },
      400: problem('Invalid body'),
      ...ADMIN_ERRORS,
      404: problem('No such subscription or delivery'),
      422: problem('The subscription is disabled'),
    },
    handler: async ({ params, body }) => ({ status: 202, body: await subs.redeliver(params.id, body) }),
  });

  // ---- inbound ----
  table.add<CreateEndpointBody>({
    method: 'post',
    path: '/api/webhooks/endpoints',
    builtInAdmin: 'set up webhooks (they see, or act on, every ticket)',
    audits: { entity: 'webhook_endpoint', id: ({ reply }) => (reply as { endpoint?: { id: string } } | undefined)?.endpoint?.id },
    summary: 'Create an inbound endpoint (POST /api/hooks/<slug>) with its mapping; the secret is in this response only',
    tag,
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    body: createEndpointBody,
    responses: { 201: { description: 'Created', schema: withSecret(endpointSchema, 'endpoint') }, 400: problem('Invalid body or mapping'), ...ADMIN_ERRORS, 409: problem('Slug taken') },
    handler: async ({ user, body }) => ({ status: 201, body: await inbound.create(user, body) }),
  });
  table.add({
    method: 'get',
    path: '/api/webhooks/endpoints',
    summary: 'Inbound endpoints (never their secrets)',
    tag,
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    responses: { 200: { description: 'Endpoints', schema: listOf(endpointSchema) }, ...ADMIN_ERRORS },
    handler: async () => ({ body: { items: await inbound.list() } }),
  });
  table.add({
    method: 'get',
    path: '/api/webhooks/endpoints/:id',
    summary: 'One inbound endpoint',
    tag,
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    responses: { 200: { description: 'Endpoint', schema: endpointSchema }, ...ADMIN_ERRORS, 404: problem('No such endpoint') },
    handler: async ({ params }) => ({ body: await inbound.get(params.id) }),
  });
  table.add<PatchEndpointBody>({
    method: 'patch',
    path: '/api/webhooks/endpoints/:id',
    builtInAdmin: 'set up webhooks (they see, or act on, every ticket)',
    audits: { entity: 'webhook_endpoint', id: ({ params }) => params.id },
    summary: 'Change an endpoint: name, mapping, enabled',
    tag,
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    body: patchEndpointBody,
    responses: { 200: { description: 'Endpoint', schema: endpointSchema }, 400: problem('Invalid body or mapping'), ...ADMIN_ERRORS, 404: problem('No such endpoint') },
    handler: async ({ params, body }) => ({ body: await inbound.patch(params.id, body) }),
  });
  table.add({
    method: 'delete',
    path: '/api/webhooks/endpoints/:id',
    audits: { entity: 'webhook_endpoint', id: ({ params }) => params.id },
    summary: 'Delete an endpoint, its log and references; its service account is disabled',
    tag,
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    responses: { 204: { description: 'Deleted' }, ...ADMIN_ERRORS, 404: problem('No such endpoint') },
    handler: async ({ params }) => {
      await inbound.remove(params.id);
      return { status: 204 };
    },
  });
  table.add({
    method: 'post',
    path: '/api/webhooks/endpoints/:id/rotate',
    builtInAdmin: 'rotate webhook secrets (a secret acts for its webhook)',
    audits: { entity: 'webhook_endpoint', id: ({ params }) => params.id },
    summary: 'New endpoint secret (in this response only); the old one stops working at once',
    tag,
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    responses: { 200: { description: 'Rotated', schema: withSecret(endpointSchema, 'endpoint') }, ...ADMIN_ERRORS, 404: problem('No such endpoint') },
    handler: async ({ params }) => ({ body: await inbound.rotate(params.id) }),
  });
  table.add<unknown, RequestsQuery>({
    method: 'get',
    path: '/api/webhooks/endpoints/:id/requests',
    summary: 'Request log of an endpoint, rejected ones with their problem and body (truncated at 64 KiB)',
    tag,
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    query: requestsQuery,
    responses: { 200: { description: 'Requests', schema: listOf(inboundRequestSchema) }, 400: problem('Invalid query'), ...ADMIN_ERRORS, 404: problem('No such endpoint') },
    handler: async ({ params, query }) => ({ body: { items: await inbound.requests(params.id, query) } }),
  });
  table.add({
    method: 'post',
    path: '/api/webhooks/endpoints/:id/requests/:request/replay',
    audits: { entity: 'webhook_endpoint', id: ({ params }) => params.id },
    summary: 'Process a logged request again (e.g. after fixing the mapping); a processed event id answers as a duplicate',
    tag,
    auth: 'user',
    scope: 'admin', permission: 'admin.integrations',
    responses: {
      200: { description: 'Processed', schema: hookResultSchema },
      ...ADMIN_ERRORS,
      404: problem('No such endpoint or request'),
      409: problem('The ticket refused the action'),
      422: problem('Mapping failed, unknown reference, or truncated body'),
    },
    handler: async ({ params }) => ({ body: await inbound.replay(params.id, params.request) }),
  });

  table.add({
    method: 'post',
    path: '/api/hooks/:endpoint',
    summary: 'Inbound webhook: authenticated by the endpoint secret (Standard Webhooks signature or bearer token); the mapping turns the JSON into a ticket action',
    tag,
    auth: 'public',
    responses: {
      200: { description: 'Processed (or a duplicate of an event id already processed)', schema: hookResultSchema },
      400: problem('Not a JSON document'),
      401: problem('Bad or missing signature or token'),
      403: problem('Endpoint disabled'),
      404: problem('No such endpoint, or the referenced ticket is not visible'),
      409: problem('The ticket refused the action (e.g. a transition not allowed from its state)'),
      422: problem('The mapping failed (no rule matched, missing value) or the ticket data is invalid'),
      503: problem('Workflow engine unreachable, or the workers are behind and the alert would open a ticket (busy, with Retry-After): send it again later, with the same webhook-id'),
    },
    handler: async ({ ctx, params }) => {
      const raw = typeof ctx.request.rawBody === 'string' ? ctx.request.rawBody : '';
      const headers = Object.fromEntries(Object.entries(ctx.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
      return { body: await inbound.receive(params.endpoint, { raw, body: raw ? ctx.request.body : undefined, headers }) };
    },
  });
}
