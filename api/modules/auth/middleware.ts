// Resolves the caller from the session cookie and enforces the CSRF token on state-changing requests.
import type { Middleware } from 'koa';
import { ProblemError } from '../../http/problem';
import { SESSION_COOKIE, type AuthService } from './service';
import type { TokenService } from '../tokens/service';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_HEADER = 'x-csrf-token';

/** Roles that must sign in in two steps (desk settings); a session of such a role without it can only set it up. */
export type TwoStepRequirement = () => Promise<readonly string[]>;

/** What a session still owing its second step may reach: its own account (two-step set-up, notification preferences, logout) and the settings. */
const SET_UP_PATHS = /^\/api\/(auth\/|me\/|settings$)/;

/**
 * `foreignAuthorization`: requests whose Authorization header belongs to someone else (a plug-in's public route, where
 * a chat service sends its own signed token): not read as an API token.
 */
export function authenticate(auth: AuthService, tokens: TokenService, requiredFor: TwoStepRequirement = async () => [], foreignAuthorization: (method: string, path: string) => boolean = () => false): Middleware {
  return async (ctx, next) => {
    const bearer = foreignAuthorization(ctx.method, ctx.path) ? undefined : /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
    if (bearer) {
      const user = await tokens.authenticate(bearer);
      // A bad token is an error, never a silent fall-back to anonymous or to a cookie.
      if (!user) throw new ProblemError(401, 'invalid-token', 'Unauthorized', 'the API token is unknown, revoked, or its user is disabled');
      ctx.state.user = user;
      return next();
    }
    const token = ctx.cookies.get(SESSION_COOKIE);
    if (token) {
      const user = await auth.userForSession(token);
      if (user) {
        if (!SAFE.has(ctx.method) && ctx.get(CSRF_HEADER) !== user.csrfToken) {
          throw new ProblemError(403, 'csrf-token-invalid', 'Forbidden', `missing or wrong ${CSRF_HEADER} header for a cookie session`);
        }
        ctx.state.user = user;
        if (user.local && !user.twoStepOn && !SET_UP_PATHS.test(ctx.path) && ctx.path.startsWith('/api/') && (await requiredFor()).includes(user.role)) {
          throw new ProblemError(403, 'two-step-required', 'Forbidden', 'this desk asks your role to sign in in two steps: turn it on under My account first');
        }
      }
    }
    await next();
  };
}
