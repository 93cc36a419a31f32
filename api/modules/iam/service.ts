// Organisations (customers), groups (agents), which groups work which queues, and account changes; every change ends sessions that no longer fit.
import { randomUUID } from 'node:crypto';
import { LockMode, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Group, GroupMember, Organisation, Queue, QueueGroup, Role, Session, User } from '../../../platform/db/entities/index';
import { conflict, notFound, unprocessable } from '../../http/problem';
import { refuseLosingLastAdmin } from './last-admin';
import { requireBuiltInAdmin } from './permissions';
import type { AuthUser } from '../auth/types';
import type { GroupBody, MembersBody, OrganisationBody, PatchOrganisationBody, PatchUserBody, QueueGroupsBody } from './schemas';
import { unlessTaken } from '../../http/unique-conflict';

const presentOrganisation = (o: InferEntity<typeof Organisation>) => ({ id: o.id, name: o.name, shareTickets: o.shareTickets });

export class IamService {
  constructor(private readonly em: EntityManager) {}

  async listOrganisations() {
    return (await this.em.fork().findAll(Organisation, { orderBy: { name: 'asc' } })).map(presentOrganisation);
  }

  async createOrganisation(body: OrganisationBody) {
    const organisation = { id: randomUUID(), name: body.name, shareTickets: body.shareTickets ?? false };
    const em = this.em.fork();
    await unlessTaken(em.insert(Organisation, organisation), () => conflict(`an organisation is already named ${body.name}`, 'organisation-exists'));
    return organisation;
  }

  /** Turning sharing off takes effect at the next read: visibility is checked on every request. */
  async patchOrganisation(id: string, body: PatchOrganisationBody) {
    const em = this.em.fork();
    const organisation = await em.findOne(Organisation, id);
    if (!organisation) throw notFound(`no organisation ${id}`);
    em.assign(organisation, body);
    await unlessTaken(em.flush(), () => conflict(`an organisation is already named ${body.name}`, 'organisation-exists'));
    return presentOrganisation(organisation);
  }

  async listGroups() {
    const em = this.em.fork();
    const groups = await em.findAll(Group, { orderBy: { name: 'asc' } });
    const members = await em.find(GroupMember, { groupKey: { $in: groups.map((g) => g.key) } });
    const userIds = new Map<string, string[]>(groups.map((g) => [g.key, []]));
    for (const m of members) userIds.get(m.groupKey)!.push(m.userId);
    return groups.map((g) => ({ key: g.key, name: g.name, userIds: userIds.get(g.key)! }));
  }

  async createGroup(body: GroupBody) {
    const em = this.em.fork();
    await unlessTaken(em.insert(Group, { key: body.key, name: body.name }), () => conflict(`group '${body.key}' already exists`, 'group-exists'));
    return { key: body.key, name: body.name, userIds: [] };
  }

  async setMembers(groupKey: string, body: MembersBody) {
    await this.em.fork().transactional(async (tx) => {
      if (!(await tx.findOne(Group, groupKey, { lockMode: LockMode.PESSIMISTIC_WRITE }))) throw notFound(`no group '${groupKey}'`);
      const staff = await tx.find(User, { id: { $in: body.userIds }, role: { $in: ['agent', 'admin'] } }, { fields: ['id'] });
      const known = new Set(staff.map((u) => u.id));
      const errors = body.userIds.flatMap((id, i) => (known.has(id) ? [] : [{ pointer: `/userIds/${i}`, message: 'not an agent or admin' }]));
      if (errors.length) throw unprocessable('groups hold agents and admins only', errors, 'invalid-members');
      await tx.nativeDelete(GroupMember, { groupKey });
      if (body.userIds.length) await tx.insertMany(GroupMember, body.userIds.map((userId) => ({ groupKey, userId })));
    });
    return { key: groupKey, userIds: body.userIds };
  }

  async setQueueGroups(queue: string, body: QueueGroupsBody) {
    await this.em.fork().transactional(async (tx) => {
      if (!(await tx.count(Queue, { key: queue }))) throw notFound(`no queue '${queue}'`);
      const found = new Set((await tx.find(Group, { key: { $in: body.groups } }, { fields: ['key'] })).map((g) => g.key));
      const errors = body.groups.flatMap((g, i) => (found.has(g) ? [] : [{ pointer: `/groups/${i}`, message: `unknown group '${g}'` }]));
      if (errors.length) throw unprocessable('unknown groups', errors, 'unknown-group');
      await tx.nativeDelete(QueueGroup, { queue });
      if (body.groups.length) await tx.insertMany(QueueGroup, body.groups.map((groupKey) => ({ queue, groupKey })));
    });
    return { queue, groups: body.groups };
  }

  /** `caller`: a custom role with admin.people manages agents and customers; admins, admin rights and roles stay with built-in admins. */
  async patchUser(id: string, body: PatchUserBody, caller?: AuthUser) {
    return this.em.fork().transactional(async (tx) => {
      const user = await tx.findOne(User, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!user) throw notFound(`no user ${id}`);
      const formerRole = user.role;
      if (caller && (user.role === 'admin' || body.role === 'admin' || body.customRole !== undefined)) requireBuiltInAdmin(caller, 'change admins or give roles');
      if (body.organisationId && !(await tx.count(Organisation, { id: body.organisationId }))) {
        throw unprocessable('unknown organisation', [{ pointer: '/organisationId', message: 'unknown organisation' }], 'unknown-organisation');
      }
      if (body.managerId) {
        if (body.managerId === id) throw unprocessable('nobody is their own manager', [{ pointer: '/managerId', message: 'cannot be the user themselves' }], 'invalid-manager');
        const manager = await tx.findOne(User, { id: body.managerId, erasedAt: null });
        if (!manager) throw unprocessable('unknown manager', [{ pointer: '/managerId', message: 'unknown user' }], 'invalid-manager');
        if (manager.disabled) throw unprocessable('the manager is disabled', [{ pointer: '/managerId', message: 'a disabled account cannot approve' }], 'invalid-manager');
        if (await managesOf(tx, id, body.managerId)) {
          throw unprocessable('managers would form a cycle', [{ pointer: '/managerId', message: "this user already manages that manager (directly or not)" }], 'invalid-manager');
        }
      }
      // A custom role is held by agents: naming one makes the account an agent; another built-in role drops it.
      if (body.customRole && body.role !== undefined && body.role !== 'agent') {
        throw unprocessable('a custom role is held by agents', [{ pointer: '/role', message: 'must be agent (or left out) with a custom role' }], 'custom-role-needs-agent');
      }
      if (body.customRole && !(await tx.count(Role, { key: body.customRole }))) {
        throw unprocessable(`unknown role '${body.customRole}'`, [{ pointer: '/customRole', message: 'unknown role' }], 'unknown-role');
      }
      const change: PatchUserBody = { ...body };
      if (body.customRole) change.role = 'agent';
      if (body.role !== undefined && body.role !== 'agent') change.customRole = null;
      if (body.disabled === true || (change.role !== undefined && change.role !== 'admin')) await refuseLosingLastAdmin(tx, id, body.disabled ? 'disabling it' : 'changing its role');
      tx.assign(user, change);
      await tx.flush();
      // A disabled account or a changed built-in role must not keep acting through old sessions (custom grants are read per request).
      if (body.disabled || (change.role !== undefined && change.role !== formerRole)) await tx.nativeDelete(Session, { userId: id });
      if (change.role === 'customer') await tx.nativeDelete(GroupMember, { userId: id });
      const manager = user.managerId ? await tx.findOne(User, user.managerId) : null;
      return {
        id: user.id,
        email: user.email,
        name: user.name,
        role: user.role,
        customRole: user.customRole,
        locale: user.locale,
        organisationId: user.organisationId,
        disabled: user.disabled,
        skills: user.skills,
        managerId: user.managerId,
        managerName: manager?.name ?? null,
      };
    });
  }
}

/**
 * Whether `userId` already manages `managerId`, directly or through any chain (so making the one the other's manager
 * would let each approve for the other). A recursive walk up the chain: SQL, as the ORM has no recursive query.
 */
async function managesOf(tx: EntityManager, userId: string, managerId: string): Promise<boolean> {
  const found = await tx.execute<Array<{ found: number }>>(
    `with recursive up(id, depth) as (select ?::uuid, 0 union all select u.manager_id, up.depth + 1 from users u join up on u.id = up.id where u.manager_id is not null and up.depth < 50)
     select 1 as found from up where id = ? limit 1`,
    [managerId, userId],
  );
  return found.length > 0;
}
