// Yes/no rules on roles shared by every feature's routes, and the one way a session cookie is set.
import type { Context } from 'koa';
import { forbidden } from '../../http/problem';
import { SESSION_COOKIE } from './service';
import type { AuthUser } from './types';

/** Admins only; `what` completes "only admins ...". */
export function requireAdmin(user: AuthUser, what: string): void {
  if (user.role !== 'admin') throw forbidden(`only admins ${what}`);
}

/** Agents and admins; customers are refused with `why`. */
export function requireStaff(user: AuthUser, why: string): void {
  if (user.role === 'customer') throw forbidden(why);
}

export function setSessionCookie(ctx: Context, token: string, opts: { secureCookies: boolean; sessionTtlHours: number }): void {
  ctx.cookies.set(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: opts.secureCookies, maxAge: opts.sessionTtlHours * 3600_000, overwrite: true });
}
