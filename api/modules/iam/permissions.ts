// What a role may do, as one documented set of permissions: areas of the desk, and actions on the tickets of the queues
// its holder works. The built-in roles are expressed in it; custom roles pick from it. Every check goes through here.
import { ProblemError } from '../../http/problem';
import type { AuthUser } from '../auth/types';

export const AREA_PERMISSIONS = [
  'kb.edit',
  'reports.view',
  'maintenance.manage',
  'admin.definitions',
  'admin.people',
  'admin.queues',
  'admin.integrations',
  'admin.settings',
  'admin.audit',
  'admin.privacy',
] as const;
export type AreaPermission = (typeof AREA_PERMISSIONS)[number];

/** On a ticket the holder may see (queue visibility comes from their groups): seeing it is implied. */
export const QUEUE_PERMISSIONS = ['reply', 'note', 'transition', 'edit', 'assign'] as const;
export type QueuePermission = (typeof QUEUE_PERMISSIONS)[number];

export const PERMISSION_DOCS: Record<AreaPermission | QueuePermission, string> = {
  'kb.edit': 'write, publish and archive knowledge-base articles',
  'reports.view': 'read the reports of the tickets they may see',
  'maintenance.manage': 'manage assets, maintenance plans and work-order checklists of their groups',
  'admin.definitions': 'edit and publish workflow definitions, the service catalogue and automation rules',
  'admin.people': 'manage users, groups, organisations and roles',
  'admin.queues': 'manage queues and routing rules',
  'admin.integrations': 'manage API tokens, webhooks, e-mail and directories',
  'admin.settings': 'change the desk settings',
  'admin.audit': 'read the audit log',
  'admin.privacy': "export and erase a person's data; retention policies",
  reply: 'write public replies',
  note: 'write internal notes',
  transition: 'move tickets through their workflow',
  edit: 'change fields, priority, tags, links, watchers; merge',
  assign: 'assign tickets to people, groups and queues',
};

export interface RoleGrants {
  areas: AreaPermission[];
  /** Per queue key, or '*' for every queue the holder works; a queue's own entry replaces '*' for it. */
  queues: Record<string, QueuePermission[]>;
}

export const BUILT_IN_GRANTS: Record<'admin' | 'agent' | 'customer', RoleGrants> = {
  admin: { areas: [...AREA_PERMISSIONS], queues: { '*': [...QUEUE_PERMISSIONS] } },
  agent: { areas: ['kb.edit', 'reports.view', 'maintenance.manage'], queues: { '*': [...QUEUE_PERMISSIONS] } },
  // A customer's rights on their own tickets come from the workflow definitions (customer transitions, editable fields).
  customer: { areas: [], queues: {} },
};

export function grantsOf(user: AuthUser): RoleGrants {
  return user.grants ?? BUILT_IN_GRANTS[user.role];
}

export function can(user: AuthUser, area: AreaPermission): boolean {
  return grantsOf(user).areas.includes(area);
}

/** May `user` do `action` on a ticket of `queue`? Customers act on their own tickets under the definitions' rules instead. */
export function canOnQueue(user: AuthUser, action: QueuePermission, queue: string | null): boolean {
  if (user.role === 'customer') return true;
  const { queues } = grantsOf(user);
  return (queue !== null && queues[queue] ? queues[queue] : (queues['*'] ?? [])).includes(action);
}

export function requirePermission(user: AuthUser, area: AreaPermission): void {
  if (!can(user, area)) throw new ProblemError(403, 'missing-permission', 'Forbidden', `your role does not allow this (${area}: ${PERMISSION_DOCS[area]})`);
}

/**
 * What would let its holder rise above their role — minting admin tokens, making admins, composing roles, plugging in a
 * directory or an inbound endpoint that acts as an admin, resetting or erasing an admin — stays with built-in admins.
 */
export function requireBuiltInAdmin(user: AuthUser, what: string): void {
  if (user.role !== 'admin') throw new ProblemError(403, 'built-in-admin-only', 'Forbidden', `only a built-in admin may ${what}`);
}

export function requireOnQueue(user: AuthUser, action: QueuePermission, queue: string | null): void {
  if (!canOnQueue(user, action, queue)) {
    throw new ProblemError(403, 'missing-permission', 'Forbidden', `your role does not allow you to ${PERMISSION_DOCS[action]} in ${queue ? `queue '${queue}'` : 'tickets without a queue'}`);
  }
}
