// The staff directory agents need to work a queue (pick an assignee, filter by group) without the admin-only user list.
import type { EntityManager } from '@mikro-orm/postgresql';
import { Group, GroupMember, Organisation, User } from '../../../platform/db/entities/index';
import type { RouteTable } from '../../http/routes';
import { requireStaff } from '../auth/policy';

const entry = (props: Record<string, object>) => ({ type: 'object', required: Object.keys(props), properties: props });
const directorySchema = {
  title: 'StaffDirectory',
  type: 'object',
  required: ['agents', 'groups', 'organisations'],
  properties: {
    agents: { type: 'array', items: entry({ id: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } }) },
    groups: {
      type: 'array',
      items: entry({ key: { type: 'string' }, name: { type: 'string' }, member: { type: 'boolean', description: 'Whether the caller belongs to the group (what an agent may make owner of an asset or plan)' } }),
    },
    organisations: { type: 'array', items: entry({ id: { type: 'string' }, name: { type: 'string' } }) },
  },
} as const;

export function directoryRoutes(table: RouteTable, em: EntityManager): void {
  table.add({
    method: 'get',
    path: '/api/directory',
    summary: 'Active agents and admins (names only), agent groups and customer organisations (names), for assignment, filters and reports (staff)',
    tag: 'users',
    auth: 'user',
    responses: { 200: { description: 'Directory', schema: directorySchema }, 403: { description: 'Customers' } },
    handler: async ({ user }) => {
      requireStaff(user, 'the directory is for agents and admins');
      const [agents, groups, memberOf, organisations] = await Promise.all([
        em.fork().find(User, { role: { $in: ['agent', 'admin'] }, disabled: false }, { fields: ['id', 'name', 'role'], orderBy: { name: 'asc' }, limit: 2000 }),
        em.fork().findAll(Group, { orderBy: { name: 'asc' } }),
        em.fork().find(GroupMember, { userId: user.id }),
        em.fork().findAll(Organisation, { fields: ['id', 'name'], orderBy: { name: 'asc' }, limit: 5000 }),
      ]);
      const mine = new Set(memberOf.map((m) => m.groupKey));
      return {
        body: {
          agents: agents.map((a) => ({ id: a.id, name: a.name, role: a.role })),
          groups: groups.map((g) => ({ key: g.key, name: g.name, member: mine.has(g.key) })),
          organisations: organisations.map((o) => ({ id: o.id, name: o.name })),
        },
      };
    },
  });
}
