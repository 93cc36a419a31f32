// The audit log over HTTP (admins).
import type { RouteTable } from '../../http/routes';
import { requireAdmin } from '../auth/policy';
import type { AuditService } from './service';

export function auditRoutes(table: RouteTable, audit: AuditService): void {
  table.add<unknown, { limit?: string; outcome?: 'allowed' | 'denied' }>({
    method: 'get',
    path: '/api/audit',
    summary: 'Latest audit entries: admin changes and refused accesses',
    tag: 'audit',
    auth: 'user',
    scope: 'admin',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: { limit: { type: 'string', pattern: '^(?:[1-9][0-9]{0,2}|1000)$' }, outcome: { type: 'string', enum: ['allowed', 'denied'] } },
    },
    responses: { 200: { description: 'Entries, newest first', schema: { type: 'object', properties: { items: { type: 'array' } } } } },
    handler: async ({ user, query }) => {
      requireAdmin(user, 'read the audit log');
      return { body: { items: await audit.list(Number(query.limit ?? 100), query.outcome) } };
    },
  });
}
