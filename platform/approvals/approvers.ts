// Who approves a round, as the directory says now: the workflow asks once when a round opens, and the API asks again
// before it accepts a decision, so an approver who has lost the right since (a new manager, left the group, disabled)
// is refused even though the round named them.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ApprovalDef } from '../../workflow-definitions/schema';

export interface ApprovalSubject {
  ticketId: string;
  requesterId: string;
  fields: Record<string, unknown>;
}

export interface FoundApprovers {
  approvers: string[];
  /** Why nobody was found, for the timeline. */
  unresolved?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function findApprovers(em: EntityManager, spec: ApprovalDef['approvers'], subject: ApprovalSubject): Promise<FoundApprovers> {
  const conn = em.getConnection();
  if ('manager' in spec) {
    const rows = await conn.execute<Array<{ id: string }>>(
      `select m.id from users r join users m on m.id = r.manager_id where r.id = ? and not m.disabled and m.erased_at is null`,
      [subject.requesterId],
    );
    return rows.length ? { approvers: [rows[0]!.id] } : { approvers: [], unresolved: 'the requester has no active manager' };
  }
  if ('group' in spec) {
    const rows = await conn.execute<Array<{ id: string }>>(
      `select u.id from group_members g join users u on u.id = g.user_id where g.group_key = ? and not u.disabled and u.erased_at is null order by u.id`,
      [spec.group],
    );
    return rows.length ? { approvers: rows.map((r) => r.id) } : { approvers: [], unresolved: `group '${spec.group}' has no active member` };
  }
  if ('users' in spec) {
    const emails = spec.users.map((e) => e.toLowerCase());
    const rows = await conn.execute<Array<{ id: string }>>(
      `select id from users where lower(email) in (select jsonb_array_elements_text(?::jsonb)) and not disabled and erased_at is null order by id`,
      [JSON.stringify(emails)],
    );
    return rows.length ? { approvers: rows.map((r) => r.id) } : { approvers: [], unresolved: 'none of the named approvers is an active user' };
  }
  let value = subject.fields[spec.field];
  if (value === undefined) {
    const rows = await conn.execute<Array<{ value: unknown }>>(`select answers -> ? as value from ticket_request_forms where ticket_id = ?`, [spec.field, subject.ticketId]);
    value = rows[0]?.value ?? undefined;
  }
  if (typeof value !== 'string' || !UUID.test(value)) return { approvers: [], unresolved: `'${spec.field}' names no user` };
  const rows = await conn.execute<Array<{ id: string }>>(`select id from users where id = ? and not disabled and erased_at is null`, [value]);
  return rows.length ? { approvers: [rows[0]!.id] } : { approvers: [], unresolved: `'${spec.field}' names no active user` };
}
