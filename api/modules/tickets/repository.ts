// Ticket read-model queries: the queue ordered by priority then creation date (keyset), one ticket, its timeline.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AuthUser } from '../auth/types';
import type { DbTime } from '../../../platform/db/time';

export interface TicketRow {
  id: string;
  number: string;
  type: string;
  title: string;
  description: string;
  priority: string;
  priority_order: number;
  state: string;
  state_category: string;
  queue: string | null;
  assignee_id: string | null;
  requester_id: string;
  definition_key: string;
  definition_version: number;
  fields: Record<string, unknown>;
  links: Array<{ kind: string; ticketId: string; number: string }>;
  sla: Array<{ name: string; status: string; target: string | null; warningAt: string | null; remainingMs: number; paused: boolean; stopped: boolean; budgetMinutes: number }>;
  sla_status: string;
  sla_due_at: DbTime | null;
  last_seq: number;
  created_at: DbTime;
  updated_at: DbTime;
  resolved_at: DbTime | null;
  closed_at: DbTime | null;
}

export interface EventRow {
  seq: number;
  type: string;
  actor_id: string | null;
  actor_role: string;
  visibility: 'public' | 'internal';
  at: DbTime;
  data: Record<string, unknown>;
}

export interface ListFilter {
  state?: string;
  stateCategory?: string;
  type?: string;
  priority?: string;
  queue?: string;
  assigneeId?: string;
  requesterId?: string;
}

export interface Cursor {
  r: number;
  c: string;
  i: string;
}

const COLUMNS: Record<keyof ListFilter, string> = {
  state: 'state',
  stateCategory: 'state_category',
  type: 'type',
  priority: 'priority',
  queue: 'queue',
  assigneeId: 'assignee_id',
  requesterId: 'requester_id',
};

export class TicketRepository {
  constructor(private readonly em: EntityManager) {}

  async nextNumber(): Promise<number> {
    const [row] = await this.em.fork().execute<{ n: string }[]>(`select nextval('ticket_number_seq') as n`);
    return Number(row.n);
  }

  async find(id: string): Promise<TicketRow | null> {
    const rows = await this.em.fork().execute<TicketRow[]>('select * from tickets where id = ?', [id]);
    return rows[0] ?? null;
  }

  /** One page of the queue: priority (critical first), then oldest first, then id, resumed after `after`. */
  async list(filter: ListFilter, scope: { requesterId?: string }, limit: number, after?: Cursor): Promise<TicketRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    for (const [k, v] of Object.entries({ ...filter, ...(scope.requesterId ? { requesterId: scope.requesterId } : {}) })) {
      if (v === undefined) continue;
      where.push(`${COLUMNS[k as keyof ListFilter]} = ?`);
      params.push(v);
    }
    if (after) {
      where.push('(priority_order, created_at, id) > (?, ?, ?)');
      params.push(after.r, after.c, after.i);
    }
    params.push(limit);
    return this.em
      .fork()
      .execute<TicketRow[]>(
        `select * from tickets ${where.length ? `where ${where.join(' and ')}` : ''} order by priority_order, created_at, id limit ?`,
        params,
      );
  }

  async isStaff(userId: string): Promise<boolean> {
    const rows = await this.em.fork().execute(`select 1 from users where id = ? and role in ('agent', 'admin') and not disabled`, [userId]);
    return rows.length > 0;
  }

  async timeline(ticketId: string, includeInternal: boolean): Promise<EventRow[]> {
    return this.em
      .fork()
      .execute<EventRow[]>(
        `select seq, type, actor_id, actor_role, visibility, at, data from ticket_events where ticket_id = ? ${includeInternal ? '' : `and visibility = 'public'`} order by seq`,
        [ticketId],
      );
  }
}

export function canSee(user: AuthUser, row: Pick<TicketRow, 'requester_id'>): boolean {
  return user.role !== 'customer' || row.requester_id === user.id;
}
