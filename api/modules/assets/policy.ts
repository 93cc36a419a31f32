// Who sees and manages assets and maintenance plans: admins all; agents those of their groups (or owned by no group); customers none.
import { forbidden } from '../../http/problem';
import type { AuthUser } from '../auth/types';
import { requirePermission } from '../iam/permissions';

export interface OwnerScope {
  /** SQL condition on a column holding the owner group. */
  sql: (column: string) => string;
  params: unknown[];
}

/** Customers never reach maintenance administration, by any route; staff need their role's maintenance.manage. */
export function requireMaintenanceStaff(user: AuthUser): void {
  if (user.role === 'customer') throw forbidden('assets and maintenance plans are for agents and admins');
  requirePermission(user, 'maintenance.manage');
}

export function ownedBy(user: AuthUser): OwnerScope {
  if (user.role === 'admin') return { sql: () => 'true', params: [] };
  return {
    sql: (column) => `(${column} is null or exists (select 1 from group_members gm where gm.group_key = ${column} and gm.user_id = ?))`,
    params: [user.id],
  };
}

/** An agent may only give an asset or plan to a group they belong to (admins to any). */
export function mayOwn(user: AuthUser, group: string | null, memberOf: string[]): boolean {
  return user.role === 'admin' || group === null || memberOf.includes(group);
}
