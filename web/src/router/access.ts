// Which roles may open a route, and which area of the desk their role must grant, read from route meta; routes without
// `roles` are public. The server checks every request anyway: this only keeps the console from offering closed doors.
import type { RouteLocationNormalized, RouteLocationResolved } from 'vue-router';
import type { Role } from '../api/generated';

declare module 'vue-router' {
  interface RouteMeta {
    roles?: Role[];
    /** An area permission (e.g. admin.audit, reports.view) the role must grant. */
    permission?: string;
    /** Any area permission starting with this (the admin area opens for any admin.* grant). */
    anyPermission?: string;
    public?: boolean;
  }
}

export function allows(route: RouteLocationNormalized | RouteLocationResolved, role: Role, areas: readonly string[] = []): boolean {
  return route.matched.every(
    (record) =>
      (!record.meta.roles || record.meta.roles.includes(role)) &&
      (!record.meta.permission || areas.includes(record.meta.permission)) &&
      (!record.meta.anyPermission || areas.some((a) => a.startsWith(record.meta.anyPermission!))),
  );
}
