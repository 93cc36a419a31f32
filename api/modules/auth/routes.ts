// Login, logout and "who am I" over HTTP.
import type { RouteTable } from '../../http/routes';
import { tooMany } from '../../http/problem';
import { LoginThrottle } from './login-throttle';
import { publicUser, SESSION_COOKIE, type AuthService } from './service';

const userSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, locale: { type: 'string' } },
} as const;
const sessionSchema = { type: 'object', properties: { user: userSchema, csrfToken: { type: 'string' } } } as const;

const loginBody = {
  type: 'object',
  required: ['email', 'password'],
  additionalProperties: false,
  properties: { email: { type: 'string', format: 'email', maxLength: 254 }, password: { type: 'string', minLength: 1, maxLength: 1024 } },
} as const;

export function authRoutes(table: RouteTable, auth: AuthService, opts: { secureCookies: boolean; sessionTtlHours: number }): void {
  const throttle = new LoginThrottle();
  table.add<{ email: string; password: string }>({
    method: 'post',
    path: '/api/auth/login',
    summary: 'Log in with email and password; sets the session cookie and returns the CSRF token',
    tag: 'auth',
    auth: 'public',
    body: loginBody,
    responses: { 200: { description: 'Logged in', schema: sessionSchema }, 401: { description: 'Wrong credentials' }, 429: { description: 'Too many failures' } },
    handler: async ({ body, ctx }) => {
      const keys = [`email:${body.email.toLowerCase()}`, `ip:${ctx.ip}`];
      const wait = throttle.retryAfter(keys);
      if (wait) throw tooMany('too many failed logins, try again later', wait);
      try {
        const { user, token } = await auth.login(body.email, body.password);
        throttle.succeed(keys);
        ctx.cookies.set(SESSION_COOKIE, token, {
          httpOnly: true,
          sameSite: 'lax',
          secure: opts.secureCookies,
          maxAge: opts.sessionTtlHours * 3600_000,
          overwrite: true,
        });
        return { body: { user: publicUser(user), csrfToken: user.csrfToken } };
      } catch (err) {
        throttle.fail(keys);
        throw err;
      }
    },
  });
  table.add({
    method: 'get',
    path: '/api/auth/me',
    summary: 'The current user and CSRF token',
    tag: 'auth',
    auth: 'user',
    responses: { 200: { description: 'The session', schema: sessionSchema }, 401: { description: 'Not logged in' } },
    handler: ({ user }) => ({ body: { user: publicUser(user), csrfToken: user.csrfToken } }),
  });
  table.add({
    method: 'post',
    path: '/api/auth/logout',
    summary: 'End the session',
    tag: 'auth',
    auth: 'user',
    responses: { 204: { description: 'Logged out' } },
    handler: async ({ ctx }) => {
      const token = ctx.cookies.get(SESSION_COOKIE);
      if (token) await auth.logout(token);
      ctx.cookies.set(SESSION_COOKIE, null);
      return { status: 204 };
    },
  });
}
