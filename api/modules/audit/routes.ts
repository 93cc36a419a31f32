// The audit log over HTTP (admins): filtered by outcome, action, actor, what changed and when; paged newest first, or
// downloaded whole as CSV or JSON for an auditor.
import type { RouteTable } from '../../http/routes';
import { csv } from '../../http/csv';
import type { AuditFilter, AuditService } from './service';
import { AUDITED_ENTITIES } from './snapshots';

type AuditQuery = AuditFilter & { limit?: string; format?: 'csv' | 'json' };

/** An export holds at most this many entries, newest first; a longer period is exported in parts (the answer says so). */
export const EXPORT_MAX = 10_000;
const CSV_COLUMNS = ['id', 'at', 'actorId', 'actorName', 'actorRole', 'via', 'action', 'target', 'entity', 'entityId', 'outcome', 'status', 'ip', 'requestId', 'count', 'changes'];
const INSTANT = '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?(Z|[+-]\\d{2}:\\d{2}))?$';

const nullable = { type: ['string', 'null'] } as const;
const auditEntrySchema = {
  title: 'AuditEntry',
  type: 'object',
  required: ['id', 'at', 'actorId', 'actorName', 'actorRole', 'via', 'action', 'target', 'outcome', 'status', 'ip', 'requestId', 'entity', 'entityId', 'detail', 'count'],
  properties: {
    id: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    actorId: nullable,
    actorName: nullable,
    actorRole: nullable,
    via: { ...nullable, description: 'how the actor signed in' },
    action: { type: 'string', description: 'METHOD /route' },
    target: nullable,
    outcome: { type: 'string', enum: ['allowed', 'denied'] },
    status: { type: ['integer', 'null'] },
    ip: nullable,
    requestId: nullable,
    entity: { type: ['string', 'null'], enum: [...AUDITED_ENTITIES, null], description: 'what an admin change touched' },
    entityId: nullable,
    detail: {
      type: ['object', 'null'],
      properties: {
        changes: {
          type: 'array',
          description: 'JSON-pointer paths of the configuration, before and after',
          items: { type: 'object', required: ['path', 'before', 'after'], properties: { path: { type: 'string' }, before: {}, after: {} } },
        },
        code: { type: 'string', description: 'why it was refused' },
      },
    },
    count: { type: 'integer', description: 'refused anonymous requests of one address, route and minute share an entry' },
  },
} as const;

export function auditRoutes(table: RouteTable, audit: AuditService): void {
  table.add<unknown, AuditQuery>({
    method: 'get',
    path: '/api/audit',
    summary:
      'Audit entries, newest first: admin changes (with the changed configuration, before and after) and refused accesses; `next` is the `before` of the following page. ' +
      `?format=csv or ?format=json downloads every matching entry (at most ${EXPORT_MAX}; the Guichet-Export-Truncated header says when there were more).`,
    tag: 'audit',
    auth: 'user',
    scope: 'admin', permission: 'admin.audit',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: {
        limit: { type: 'string', pattern: '^(?:[1-9][0-9]{0,2}|1000)$' },
        outcome: { type: 'string', enum: ['allowed', 'denied'] },
        action: { type: 'string', minLength: 1, maxLength: 200 },
        actorId: { type: 'string', format: 'uuid' },
        entity: { title: 'AuditedEntity', type: 'string', enum: [...AUDITED_ENTITIES] },
        entityId: { type: 'string', minLength: 1, maxLength: 200 },
        from: { type: 'string', pattern: INSTANT, description: 'Inclusive; a date alone is midnight UTC' },
        to: { type: 'string', pattern: INSTANT, description: 'Exclusive; a date alone is midnight UTC' },
        before: { type: 'string', pattern: '^[1-9][0-9]{0,17}$' },
        format: { type: 'string', enum: ['csv', 'json'] },
      },
    },
    responses: {
      200: {
        description: 'Entries, newest first; refused anonymous requests are one entry per address, route and minute with their count; an admin change has `entity`, `entityId` and `detail.changes` ([{ path, before, after }])',
        schema: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: auditEntrySchema }, next: nullable, truncated: { type: 'boolean', description: 'with ?format=json' } } },
        csv: true,
      },
      400: { description: 'Bad filter' },
      403: { description: 'Not an admin' },
    },
    handler: async ({ query }) => {
      const { limit, format, ...filter } = query;
      if (!format) return { body: await audit.page(Number(limit ?? 100), filter) };
      const { items, next } = await audit.page(EXPORT_MAX, filter);
      const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
      const headers: Record<string, string> = {
        'Content-Disposition': `attachment; filename="guichet-audit-${stamp}.${format}"`,
        'Guichet-Export-Truncated': next ? 'true' : 'false',
      };
      if (format === 'json') return { body: { items, truncated: next !== null }, headers };
      const rows = (items as Array<Record<string, unknown> & { detail?: { changes?: unknown } }>).map((e) => ({ ...e, changes: e.detail?.changes ?? null }));
      return { body: csv(CSV_COLUMNS, rows), headers: { ...headers, 'Content-Type': 'text/csv; charset=utf-8' } };
    },
  });
}
