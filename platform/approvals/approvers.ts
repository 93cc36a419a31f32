// Who approves a round, as the directory says now: the workflow asks once when a round opens, and the API asks again
// before it accepts a decision, so an approver who has lost the right since (a new manager, left the group, disabled)
// is refused even though the round named them.
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { GroupMember, TicketRequestForm, User } from '../db/entities/index';
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
  const db = em.fork();
  const active = { disabled: false, erasedAt: null } as const;
  const ids = async (where: object) => (await db.find(User, { ...where, ...active }, { fields: ['id'], orderBy: { id: 'asc' } })).map((u) => u.id);
  if ('manager' in spec) {
    const requester = await db.findOne(User, subject.requesterId, { fields: ['managerId'] });
    const found = requester?.managerId ? await ids({ id: requester.managerId }) : [];
    return found.length ? { approvers: found } : { approvers: [], unresolved: 'the requester has no active manager' };
  }
  if ('group' in spec) {
    const members = (await db.find(GroupMember, { groupKey: spec.group })).map((m) => m.userId);
    const found = members.length ? await ids({ id: { $in: members } }) : [];
    return found.length ? { approvers: found } : { approvers: [], unresolved: `group '${spec.group}' has no active member` };
  }
  if ('users' in spec) {
    const emails = spec.users.map((e) => e.toLowerCase());
    const found = emails.length ? await ids({ [raw((a) => `lower(${a}.email)`)]: { $in: emails } }) : [];
    return found.length ? { approvers: found } : { approvers: [], unresolved: 'none of the named approvers is an active user' };
  }
  let value = subject.fields[spec.field];
  if (value === undefined) {
    const form = await db.findOne(TicketRequestForm, subject.ticketId, { fields: ['answers'] });
    value = (form?.answers as Record<string, unknown> | undefined)?.[spec.field];
  }
  if (typeof value !== 'string' || !UUID.test(value)) return { approvers: [], unresolved: `'${spec.field}' names no user` };
  const found = await ids({ id: value });
  return found.length ? { approvers: found } : { approvers: [], unresolved: `'${spec.field}' names no active user` };
}
