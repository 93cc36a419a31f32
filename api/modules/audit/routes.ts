// The audit log over HTTP (admins): filtered by outcome, action text and actor, paged newest first.
import type { RouteTable } from '../../http/routes';
import { requireAdmin } from '../auth/policy';
import type { AuditFilter, AuditService } from './service';

type AuditQuery = { limit?: string; outcome?: 'allowed' | 'denied'; action?: string; actorId?: string; before?: string };

export function auditRoutes(table: RouteTable, audit: AuditService): void {
  table.add<unknown, AuditQuery>({
    method: 'get',
    path: '/api/audit',
    summary: 'Audit entries, newest first: admin changes and refused accesses; `next` is the `before` of the following page',
    tag: 'audit',
    auth: 'user',
    scope: 'admin',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: {
        limit: { type: 'string', pattern: '^(?:[1-9][0-9]{0,2}|1000)$' },
        outcome: { type: 'string', enum: ['allowed', 'denied'] },
        action: { type: 'string', minLength: 1, maxLength: 200 },
        actorId: { type: 'string', format: 'uuid' },
        before: { type: 'string', pattern: '^[1-9][0-9]{0,17}$' },
      },
    },
    responses: {
      200: { description: 'Entries, newest first; refused anonymous requests are one entry per address, route and minute with their count', schema: { type: 'object', properties: { items: { type: 'array' }, next: { type: ['string', 'null'] } } } },
      403: { description: 'Not an admin' },
    },
    handler: async ({ user, query }) => {
      requireAdmin(user, 'read the audit log');
      const filter: AuditFilter = { outcome: query.outcome, action: query.action, actorId: query.actorId, before: query.before };
      return { body: await audit.page(Number(query.limit ?? 100), filter) };
    },
  });
}
