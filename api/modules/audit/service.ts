// The audit log: every admin change and every refused access, with who, what, from where.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AuthUser } from '../auth/types';

export interface AuditEntry {
  user?: AuthUser;
  action: string;
  target?: string;
  outcome: 'allowed' | 'denied';
  status?: number;
  ip?: string;
  requestId?: string;
  detail?: Record<string, unknown>;
}

export class AuditService {
  constructor(private readonly em: EntityManager) {}

  async record(e: AuditEntry): Promise<void> {
    await this.em
      .fork()
      .execute(
        'insert into audit_log (actor_id, actor_role, via, action, target, outcome, status, ip, request_id, detail) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)',
        [e.user?.id ?? null, e.user?.role ?? null, e.user?.via ?? null, e.action, e.target ?? null, e.outcome, e.status ?? null, e.ip ?? null, e.requestId ?? null, JSON.stringify(e.detail ?? {})],
      );
  }

  list(limit: number, outcome?: 'allowed' | 'denied') {
    return this.em
      .fork()
      .execute(
        `select id::text, at, actor_id as "actorId", actor_role as "actorRole", via, action, target, outcome, status, ip, request_id as "requestId", detail
         from audit_log ${outcome ? 'where outcome = ?' : ''} order by id desc limit ?`,
        outcome ? [outcome, limit] : [limit],
      );
  }
}
