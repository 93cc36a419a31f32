// Resolves the caller from the session cookie and enforces the CSRF token on state-changing requests.
import type { Middleware } from 'koa';
import { ProblemError } from '../../http/problem';
import { SESSION_COOKIE, type AuthService } from './service';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_HEADER = 'x-csrf-token';

export function authenticate(auth: AuthService): Middleware {
  return async (ctx, next) => {
    const token = ctx.cookies.get(SESSION_COOKIE);
    if (token) {
      const user = await auth.userForSession(token);
      if (user) {
        if (!SAFE.has(ctx.method) && ctx.get(CSRF_HEADER) !== user.csrfToken) {
          throw new ProblemError(403, 'csrf-token-invalid', 'Forbidden', `missing or wrong ${CSRF_HEADER} header for a cookie session`);
        }
        ctx.state.user = user;
      }
    }
    await next();
  };
}
