// Which roles may open a route, read from route meta; routes without `roles` are public.
import type { RouteLocationNormalized, RouteLocationResolved } from 'vue-router';
import type { Role } from '../api/types';

declare module 'vue-router' {
  interface RouteMeta {
    roles?: Role[];
    public?: boolean;
  }
}

export function allows(route: RouteLocationNormalized | RouteLocationResolved, role: Role): boolean {
  return route.matched.every((record) => !record.meta.roles || record.meta.roles.includes(role));
}
