// Single sign-on over HTTP: whether it is on, the redirect to the provider, and the callback that opens a session.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { OidcConfig } from '../../../platform/config';
import type { Logger } from '../../../platform/logger';
import type { RouteTable } from '../../http/routes';
import { setSessionCookie } from '../auth/policy';
import { badRequest, notFound } from '../../http/problem';
import type { AuthService } from '../auth/service';
import { OidcService, PENDING_TTL_MS, safeRedirect } from './service';

/** The sealed pending login (state, nonce, PKCE verifier, redirect), readable only by the callback path. */
export const OIDC_COOKIE = 'guichet_oidc';
const COOKIE_PATH = '/api/auth/oidc';
export const OIDC_LOGIN_PATH = '/api/auth/oidc/login';

const infoSchema = {
  type: 'object',
  properties: { enabled: { type: 'boolean' }, loginUrl: { type: ['string', 'null'] } },
} as const;
const loginQuery = {
  type: 'object',
  properties: { redirect: { type: 'string', maxLength: 2048, description: 'Path on this desk to land on after login (default /)' } },
} as const;

export interface OidcRouteOptions {
  oidc: OidcConfig | undefined;
  em: EntityManager;
  log: Logger;
  secureCookies: boolean;
  sessionTtlHours: number;
}

export function oidcRoutes(table: RouteTable, auth: AuthService, opts: OidcRouteOptions): OidcService | undefined {
  const service = opts.oidc ? new OidcService(opts.em, auth, opts.oidc, opts.log) : undefined;
  const enabled = (): OidcService => {
    if (!service) throw notFound('single sign-on is not configured on this desk');
    return service;
  };
  const noStore = { 'Cache-Control': 'no-store' };

  table.add({
    method: 'get',
    path: '/api/auth/oidc',
    summary: 'Whether single sign-on is configured, and where the console sends the browser to use it',
    tag: 'auth',
    auth: 'public',
    responses: { 200: { description: 'Single sign-on settings', schema: infoSchema } },
    handler: () => ({ body: { enabled: !!service, loginUrl: service ? OIDC_LOGIN_PATH : null } }),
  });

  table.add<unknown, { redirect?: string }>({
    method: 'get',
    path: OIDC_LOGIN_PATH,
    summary: 'Start a single sign-on login: redirects the browser to the OpenID Connect provider',
    tag: 'auth',
    auth: 'public',
    query: loginQuery,
    responses: {
      302: { description: 'Redirect to the provider' },
      400: { description: 'The redirect is not a path on this desk' },
      404: { description: 'Single sign-on is not configured' },
      502: { description: 'The provider cannot be reached' },
    },
    handler: async ({ query, ctx }) => {
      const oidc = enabled();
      const redirect = safeRedirect(query.redirect);
      if (!redirect) throw badRequest('redirect must be a path on this desk, such as /tickets', [{ pointer: '/query/redirect', message: 'redirect must be a local path' }], 'invalid-request');
      const { url, sealed } = await oidc.begin(redirect);
      ctx.cookies.set(OIDC_COOKIE, sealed, { httpOnly: true, sameSite: 'lax', secure: opts.secureCookies, path: COOKIE_PATH, maxAge: PENDING_TTL_MS, overwrite: true });
      return { status: 302, headers: { Location: url, ...noStore } };
    },
  });

  table.add({
    method: 'get',
    path: '/api/auth/oidc/callback',
    summary: 'Where the provider sends the browser back: verifies the response, provisions or updates the account, sets the session cookie',
    tag: 'auth',
    auth: 'public',
    responses: {
      302: { description: 'Logged in; redirect to the page the login started from' },
      400: { description: 'No login in progress, or the state does not match' },
      401: { description: 'The provider refused the login or its response did not verify' },
      403: { description: 'No (verified) email, or the account is disabled' },
      404: { description: 'Single sign-on is not configured' },
    },
    handler: async ({ ctx }) => {
      const oidc = enabled();
      const sealed = ctx.cookies.get(OIDC_COOKIE);
      // One attempt per started login, whatever its outcome.
      if (sealed) ctx.cookies.set(OIDC_COOKIE, null, { path: COOKIE_PATH });
      const { token, redirect } = await oidc.finish(ctx.querystring, sealed);
      setSessionCookie(ctx, token, opts);
      return { status: 302, headers: { Location: redirect, ...noStore } };
    },
  });

  return service;
}
