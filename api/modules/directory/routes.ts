// The staff directory agents need to work a queue (pick an assignee, filter by group) without the admin-only user list.
import type { EntityManager } from '@mikro-orm/postgresql';
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
      const [agents, groups, organisations] = await Promise.all([
        em.fork().execute(`select id, name, role from users where role in ('agent', 'admin') and not disabled order by name limit 2000`),
        em.fork().execute('select g.key, g.name, exists (select 1 from group_members m where m.group_key = g.key and m.user_id = ?) as member from groups g order by g.name', [user.id]),
        em.fork().execute('select id, name from organisations order by name limit 5000'),
      ]);
      return { body: { agents, groups, organisations } };
    },
  });
}
