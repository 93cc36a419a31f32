// Organisations (customers), groups (agents), which groups work which queues, and account changes; every change ends sessions that no longer fit.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, notFound, unprocessable } from '../../http/problem';
import { refuseLosingLastAdmin } from './last-admin';
import { requireBuiltInAdmin } from './permissions';
import type { AuthUser } from '../auth/types';
import type { GroupBody, MembersBody, OrganisationBody, PatchOrganisationBody, PatchUserBody, QueueGroupsBody } from './schemas';

export class IamService {
  constructor(private readonly em: EntityManager) {}

  listOrganisations() {
    return this.em.fork().execute(`select id, name, share_tickets as "shareTickets" from organisations order by name`);
  }

  async createOrganisation(body: OrganisationBody) {
    const id = randomUUID();
    const rows = await this.em
      .fork()
      .execute(`insert into organisations (id, name, share_tickets) values (?, ?, ?) on conflict (name) do nothing returning id`, [id, body.name, body.shareTickets ?? false]);
    if (!rows.length) throw conflict(`an organisation is already named ${body.name}`, 'organisation-exists');
    return { id, name: body.name, shareTickets: body.shareTickets ?? false };
  }

  /** Turning sharing off takes effect at the next read: visibility is checked on every request. */
  async patchOrganisation(id: string, body: PatchOrganisationBody) {
    const rows = await this.em.fork().execute<Array<{ id: string; name: string; shareTickets: boolean }>>(
      `update organisations set name = coalesce(?, name), share_tickets = coalesce(?, share_tickets) where id = ?
       returning id, name, share_tickets as "shareTickets"`,
      [body.name ?? null, body.shareTickets ?? null, id],
    );
    if (!rows.length) throw notFound(`no organisation ${id}`);
    return rows[0];
  }

  listGroups() {
    return this.em.fork().execute(
      `select g.key, g.name, coalesce(array_agg(gm.user_id) filter (where gm.user_id is not null), '{}') as "userIds"
       from groups g left join group_members gm on gm.group_key = g.key group by g.key order by g.name`,
    );
  }

  async createGroup(body: GroupBody) {
    const rows = await this.em.fork().execute(`insert into groups (key, name) values (?, ?) on conflict (key) do nothing returning key`, [body.key, body.name]);
    if (!rows.length) throw conflict(`group '${body.key}' already exists`, 'group-exists');
    return { key: body.key, name: body.name, userIds: [] };
  }

  async setMembers(groupKey: string, body: MembersBody) {
    await this.em.fork().transactional(async (tx) => {
      if (!(await tx.execute('select 1 from groups where key = ? for update', [groupKey])).length) throw notFound(`no group '${groupKey}'`);
      const staff = await tx.execute<Array<{ id: string }>>(`select id from users where id in (select jsonb_array_elements_text(?::jsonb)::uuid) and role in ('agent', 'admin')`, [JSON.stringify(body.userIds)]);
      const known = new Set(staff.map((u) => u.id));
      const errors = body.userIds.flatMap((id, i) => (known.has(id) ? [] : [{ pointer: `/userIds/${i}`, message: 'not an agent or admin' }]));
      if (errors.length) throw unprocessable('groups hold agents and admins only', errors, 'invalid-members');
      await tx.execute('delete from group_members where group_key = ?', [groupKey]);
      for (const id of body.userIds) await tx.execute('insert into group_members (group_key, user_id) values (?, ?)', [groupKey, id]);
    });
    return { key: groupKey, userIds: body.userIds };
  }

  async setQueueGroups(queue: string, body: QueueGroupsBody) {
    await this.em.fork().transactional(async (tx) => {
      if (!(await tx.execute('select 1 from queues where key = ?', [queue])).length) throw notFound(`no queue '${queue}'`);
      const found = new Set((await tx.execute<Array<{ key: string }>>('select key from groups where key in (select jsonb_array_elements_text(?::jsonb))', [JSON.stringify(body.groups)])).map((g) => g.key));
      const errors = body.groups.flatMap((g, i) => (found.has(g) ? [] : [{ pointer: `/groups/${i}`, message: `unknown group '${g}'` }]));
      if (errors.length) throw unprocessable('unknown groups', errors, 'unknown-group');
      await tx.execute('delete from queue_groups where queue = ?', [queue]);
      for (const g of body.groups) await tx.execute('insert into queue_groups (queue, group_key) values (?, ?)', [queue, g]);
    });
    return { queue, groups: body.groups };
  }

  /** `caller`: a custom role with admin.people manages agents and customers; admins, admin rights and roles stay with built-in admins. */
  async patchUser(id: string, body: PatchUserBody, caller?: AuthUser) {
    return this.em.fork().transactional(async (tx) => {
      const [user] = await tx.execute<Array<{ id: string; role: string }>>('select id, role from users where id = ? for update', [id]);
      if (!user) throw notFound(`no user ${id}`);
      if (caller && (user.role === 'admin' || body.role === 'admin' || body.customRole !== undefined)) requireBuiltInAdmin(caller, 'change admins or give roles');
      if (body.organisationId && !(await tx.execute('select 1 from organisations where id = ?', [body.organisationId])).length) {
        throw unprocessable('unknown organisation', [{ pointer: '/organisationId', message: 'unknown organisation' }], 'unknown-organisation');
      }
      if (body.managerId) {
        if (body.managerId === id) throw unprocessable('nobody is their own manager', [{ pointer: '/managerId', message: 'cannot be the user themselves' }], 'invalid-manager');
        const [manager] = await tx.execute<Array<{ disabled: boolean }>>('select disabled from users where id = ? and erased_at is null', [body.managerId]);
        if (!manager) throw unprocessable('unknown manager', [{ pointer: '/managerId', message: 'unknown user' }], 'invalid-manager');
        if (manager.disabled) throw unprocessable('the manager is disabled', [{ pointer: '/managerId', message: 'a disabled account cannot approve' }], 'invalid-manager');
        // A cycle would make each the other's approver: refuse one through any length of chain.
        const [cycle] = await tx.execute(
          `with recursive up(id, depth) as (select ?::uuid, 0 union all select u.manager_id, up.depth + 1 from users u join up on u.id = up.id where u.manager_id is not null and up.depth < 50)
           select 1 from up where id = ? limit 1`,
          [body.managerId, id],
        );
        if (cycle) throw unprocessable('managers would form a cycle', [{ pointer: '/managerId', message: "this user already manages that manager (directly or not)" }], 'invalid-manager');
      }
      // A custom role is held by agents: naming one makes the account an agent; another built-in role drops it.
      if (body.customRole && body.role !== undefined && body.role !== 'agent') {
        throw unprocessable('a custom role is held by agents', [{ pointer: '/role', message: 'must be agent (or left out) with a custom role' }], 'custom-role-needs-agent');
      }
      if (body.customRole && !(await tx.execute('select 1 from roles where key = ?', [body.customRole])).length) {
        throw unprocessable(`unknown role '${body.customRole}'`, [{ pointer: '/customRole', message: 'unknown role' }], 'unknown-role');
      }
      const change: Record<string, unknown> = { ...body };
      if (body.customRole) change.role = 'agent';
      if (body.role !== undefined && body.role !== 'agent') change.customRole = null;
      if (body.disabled === true || (change.role !== undefined && change.role !== 'admin')) await refuseLosingLastAdmin(tx, id, body.disabled ? 'disabling it' : 'changing its role');
      // Skills go as one array literal (their pattern leaves no comma, brace or quote to escape).
      if (body.skills) change.skills = `{${body.skills.join(',')}}`;
      const columns: Record<string, string> = { name: 'name', role: 'role', customRole: 'custom_role', locale: 'locale', organisationId: 'organisation_id', disabled: 'disabled', skills: 'skills', managerId: 'manager_id' };
      const sets = Object.keys(change).map((k) => `${columns[k]} = ?${k === 'skills' ? '::text[]' : ''}`);
      await tx.execute(`update users set ${sets.join(', ')} where id = ?`, [...Object.values(change), id]);
      // A disabled account or a changed built-in role must not keep acting through old sessions (custom grants are read per request).
      if (body.disabled || (change.role !== undefined && change.role !== user.role)) await tx.execute('delete from sessions where user_id = ?', [id]);
      if (change.role === 'customer') await tx.execute('delete from group_members where user_id = ?', [id]);
      const [row] = await tx.execute(`select id, email, name, role, custom_role as "customRole", locale, organisation_id as "organisationId", disabled, skills, manager_id as "managerId", (select m.name from users m where m.id = users.manager_id) as "managerName" from users where id = ?`, [id]);
      return row;
    });
  }
}
