// Login, logout and "who am I" over HTTP.
import type { RouteTable } from '../../http/routes';
import { ProblemError, tooMany } from '../../http/problem';
import type { MfaService } from './mfa';
import type { TwoStepRequirement } from './middleware';
import type { PasskeyService, RelyingParty } from './passkeys';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { LoginThrottle } from './login-throttle';
import { setSessionCookie } from './policy';
import { grantsOf } from '../iam/permissions';
import { publicUser, SESSION_COOKIE, type AuthService } from './service';
import { sessionSchema } from './schemas';

const loginBody = {
  type: 'object',
  required: ['email', 'password'],
  additionalProperties: false,
  properties: {
    email: { type: 'string', minLength: 1, maxLength: 254, description: 'The e-mail address, or the login name a directory knows the account by (uid, sAMAccountName)' },
    password: { type: 'string', minLength: 1, maxLength: 1024 },
    code: { type: 'string', minLength: 6, maxLength: 20, description: 'With two-step sign-in on: the authenticator app\'s current code, or a recovery code' },
    passkey: { type: 'object', description: 'With passkeys registered: the browser\'s answer (WebAuthn AuthenticationResponseJSON) to the passkeyOptions of the mfa-required problem' },
  },
} as const;

export function authRoutes(
  table: RouteTable,
  auth: AuthService,
  opts: { secureCookies: boolean; sessionTtlHours: number; throttle: LoginThrottle; mfa: MfaService; passkeys: PasskeyService; requiredFor: TwoStepRequirement },
): void {
  const { throttle, mfa, passkeys } = opts;
  // With two-step sign-in on, the right password alone opens nothing: 401 mfa-required (with what the second step may
  // be, and a passkey challenge when the account has passkeys) until a code or a passkey comes with it.
  const secondStep = (given: { code?: string; passkey?: AuthenticationResponseJSON }, rp: RelyingParty) => async (userId: string) => {
    const [totp, keys] = await Promise.all([mfa.enabled(userId), passkeys.has(userId)]);
    if (!totp && !keys) return;
    const wrong = () => new ProblemError(401, 'wrong-code', 'Unauthorized', 'wrong code or passkey');
    if (given.passkey) {
      if (keys && (await passkeys.verifyLogin(userId, given.passkey, rp))) return;
      throw wrong();
    }
    if (given.code !== undefined) {
      if (await mfa.verify(userId, given.code)) return;
      throw wrong();
    }
    throw new ProblemError(401, 'mfa-required', 'Unauthorized', 'sign in with a passkey, or the code from your authenticator app (or a recovery code)', [], {}, {
      methods: [...(keys ? ['passkey'] : []), ...(totp ? ['totp'] : []), 'recovery'],
      ...(keys ? { passkeyOptions: await passkeys.loginOptions(userId, rp) } : {}),
    });
  };
  table.add<{ email: string; password: string; code?: string; passkey?: AuthenticationResponseJSON }>({
    method: 'post',
    path: '/api/auth/login',
    summary: 'Log in with email and password; sets the session cookie and returns the CSRF token',
    tag: 'auth',
    auth: 'public',
    body: loginBody,
    responses: { 200: { description: 'Logged in', schema: sessionSchema }, 401: { description: 'Wrong credentials or code; mfa-required: the right password, now with the code' }, 503: { description: 'directory-unavailable: the LDAP directory that checks this account cannot be reached' }, 429: { description: 'Too many failures (wrong codes count as failures)' } },
    handler: async ({ body, ctx }) => {
      const account = body.email.toLowerCase();
      const wait = await throttle.retryAfter(account, ctx.ip);
      if (wait) throw tooMany('too many failed logins, try again later', wait);
      try {
        const { user, token } = await auth.login(body.email, body.password, secondStep({ code: body.code, passkey: body.passkey }, { origin: ctx.origin, rpID: ctx.hostname }));
        await throttle.succeed(account, ctx.ip);
        setSessionCookie(ctx, token, opts);
        const twoStepRequired = (await opts.requiredFor()).includes(user.role) && !(await mfa.enabled(user.id)) && !(await passkeys.has(user.id));
        return { body: { user: publicUser(user), csrfToken: user.csrfToken, twoStepRequired } };
      } catch (err) {
        // Asking for the code is not a failure; a wrong password or a wrong code is.
        if (!(err instanceof ProblemError && (err.code === 'mfa-required' || err.code === 'directory-unavailable'))) await throttle.fail(account, ctx.ip);
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
    handler: async ({ user }) => ({
      body: { user: publicUser(user), csrfToken: user.csrfToken, permissions: { ...grantsOf(user), customRole: user.customRole ?? null }, twoStepRequired: user.via === 'session' && !!user.local && !user.twoStepOn && (await opts.requiredFor()).includes(user.role) },
    }),
  });
  const newPassword = { type: 'string', minLength: 12, maxLength: 1024 } as const;
  table.add<{ currentPassword: string; newPassword: string }>({
    method: 'post',
    path: '/api/auth/password',
    summary: 'Change your password (ends your other sessions)',
    tag: 'auth',
    auth: 'user',
    body: { type: 'object', required: ['currentPassword', 'newPassword'], additionalProperties: false, properties: { currentPassword: { type: 'string', maxLength: 1024 }, newPassword } },
    responses: { 204: { description: 'Changed' }, 403: { description: 'Wrong current password' } },
    handler: async ({ user, body, ctx }) => {
      await auth.changePassword(user, body.currentPassword, body.newPassword, ctx.cookies.get(SESSION_COOKIE) ?? undefined);
      return { status: 204 };
    },
  });
  table.add<{ token: string; newPassword: string }>({
    method: 'post',
    path: '/api/auth/password-reset',
    summary: 'Set a new password with a one-time reset token (ends every session of the account)',
    tag: 'auth',
    auth: 'public',
    body: { type: 'object', required: ['token', 'newPassword'], additionalProperties: false, properties: { token: { type: 'string', minLength: 20, maxLength: 200 }, newPassword } },
    responses: { 204: { description: 'Password set' }, 400: { description: 'Invalid, used or expired token' } },
    handler: async ({ body }) => {
      await auth.resetPassword(body.token, body.newPassword);
      return { status: 204 };
    },
  });
  table.add({
    method: 'post',
    path: '/api/users/:id/password-reset',
    audits: { entity: 'user', id: ({ params }) => params.id },
    summary: 'Issue a one-time password reset token for a user, valid one hour (admin)',
    tag: 'users',
    auth: 'user',
    scope: 'admin', permission: 'admin.people',
    responses: { 201: { description: 'The token', schema: { type: 'object', required: ['token', 'expiresAt'], properties: { token: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } } } }, 404: { description: 'No such user' } },
    handler: async ({ user, params }) => {
      return { status: 201, body: await auth.createResetToken(params.id, user.id, user) };
    },
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
