// OpenID Connect single sign-on: the authorization-code flow with PKCE, state and nonce (openid-client v6), and accounts provisioned or updated from the provider's claims.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import * as client from 'openid-client';
import type { Logger } from '../../../platform/logger';
import type { OidcConfig, OidcRole } from '../../../platform/config';
import { ProblemError } from '../../http/problem';
import { Organisation, Session, User, UserIdentity } from '../../../platform/db/entities/index';
import { storedEmail, type AuthService } from '../auth/service';
import type { AuthUser } from '../auth/types';

/** How long a started login may take at the provider. */
export const PENDING_TTL_MS = 10 * 60_000;

const ROLE_RANK: Record<OidcRole, number> = { customer: 1, agent: 2, admin: 3 };

/** What the callback needs back from the login that started the flow, sealed into a short-lived cookie. */
interface Pending {
  state: string;
  nonce: string;
  verifier: string;
  redirect: string;
  expires: number;
}

export interface OidcProfile {
  subject: string;
  email: string;
  /** Only a provider that vouches for the address may link it to an account that exists already. */
  emailVerified: boolean;
  name: string;
  role: OidcRole;
  /** undefined: organisations are not managed by SSO; null: the claim is absent. */
  organisation: string | null | undefined;
  locale: string;
}

const problem = (status: number, code: string, title: string, detail: string) => new ProblemError(status, code, title, detail);

/** A same-site path only: no scheme, no host, no protocol-relative `//`, no backslashes or control characters. */
export function safeRedirect(value: string | undefined): string | null {
  if (value === undefined || value === '') return '/';
  if (value.length > 2048 || !value.startsWith('/') || value.startsWith('//') || /[\\\u0000-\u001f\u007f\s]/.test(value)) return null;
  return value;
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

export class OidcService {
  private configuration: Promise<client.Configuration> | undefined;
  /** AES-256-GCM key sealing the pending-login cookie; derived from the client secret so every API replica can open it. */
  private readonly sealKey: Buffer;

  constructor(
    private readonly em: EntityManager,
    private readonly auth: AuthService,
    readonly config: OidcConfig,
    private readonly log: Logger,
  ) {
    const secret = config.clientSecret ? Buffer.from(config.clientSecret) : randomBytes(32);
    this.sealKey = Buffer.from(hkdfSync('sha256', secret, 'guichet-oidc-pending', config.clientId, 32));
  }

  /** Discovers the provider once; a failed discovery is retried on the next login. */
  private discover(): Promise<client.Configuration> {
    if (!this.configuration) {
      const { issuer, clientId, clientSecret, allowInsecure } = this.config;
      this.configuration = client
        .discovery(new URL(issuer), clientId, { redirect_uris: [this.config.redirectUri], response_types: ['code'] }, clientSecret ? client.ClientSecretBasic(clientSecret) : client.None(), {
          execute: allowInsecure ? [client.allowInsecureRequests] : [],
          timeout: 10,
        })
        .catch((err: unknown) => {
          this.configuration = undefined;
          this.log.error({ err, issuer }, 'oidc discovery failed');
          throw problem(502, 'oidc-provider-unavailable', 'Bad gateway', 'the single sign-on provider cannot be reached; try again later');
        });
    }
    return this.configuration;
  }

  /** Starts a login: the provider URL to send the browser to, and the sealed value of the pending-login cookie. */
  async begin(redirect: string): Promise<{ url: string; sealed: string }> {
    const configuration = await this.discover();
    const pending: Pending = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      redirect,
      expires: Date.now() + PENDING_TTL_MS,
    };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.config.redirectUri,
      scope: this.config.scopes,
      response_type: 'code',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, sealed: this.seal(pending) };
  }

  /** Completes a login from the callback's query string; returns a new session for the matching (possibly new) account. */
  async finish(query: string, sealed: string | undefined): Promise<{ user: AuthUser; token: string; redirect: string }> {
    const pending = sealed ? this.open(sealed) : null;
    if (!pending) throw problem(400, 'oidc-login-expired', 'Bad request', 'no single sign-on login is in progress in this browser, or it expired; start again');
    const params = new URLSearchParams(query);
    if (params.get('state') !== pending.state) throw problem(400, 'oidc-state-mismatch', 'Bad request', 'the state returned by the provider does not match this login');
    if (params.get('error')) {
      const reason = `${params.get('error')}${params.get('error_description') ? `: ${params.get('error_description')}` : ''}`.slice(0, 300);
      throw problem(401, 'oidc-login-refused', 'Unauthorized', `the single sign-on provider refused the login (${reason})`);
    }
    const configuration = await this.discover();
    const currentUrl = new URL(this.config.redirectUri);
    currentUrl.search = params.toString();
    let claims: Record<string, unknown>;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims();
      if (!idClaims) throw new Error('no ID token');
      claims = { ...idClaims };
      if (configuration.serverMetadata().userinfo_endpoint) {
        const info = await client.fetchUserInfo(configuration, tokens.access_token, idClaims.sub);
        // fetchUserInfo checks the subject matches the ID token; the provider's fresher userinfo wins otherwise.
        claims = { ...idClaims, ...info, sub: idClaims.sub };
      }
    } catch (err) {
      if (err instanceof ProblemError) throw err;
      this.log.warn({ err }, 'oidc code exchange failed');
      throw problem(401, 'oidc-exchange-failed', 'Unauthorized', 'the single sign-on response could not be verified; start again');
    }
    const profile = this.profile(claims);
    const userId = await this.provision(profile);
    const session = await this.auth.createSession(userId).catch(() => {
      throw problem(403, 'account-disabled', 'Forbidden', 'this account is disabled');
    });
    this.log.info({ userId, role: profile.role, subject: profile.subject }, 'oidc login');
    return { ...session, redirect: pending.redirect };
  }

  /** Reads who the user is from the claims: email (required, verified when the provider says), name, role through the map, organisation. */
  profile(claims: Record<string, unknown>): OidcProfile {
    const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
    if (!email || email.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(email)) {
      throw problem(403, 'oidc-email-missing', 'Forbidden', 'the single sign-on provider did not release an email address (request the email scope)');
    }
    if ('email_verified' in claims && claims.email_verified !== true && claims.email_verified !== 'true') {
      throw problem(403, 'oidc-email-unverified', 'Forbidden', 'the single sign-on provider says this email address is not verified');
    }
    const given = [claims.given_name, claims.family_name].filter((v) => typeof v === 'string' && v.trim()).join(' ');
    const name = (typeof claims.name === 'string' && claims.name.trim()) || given || (typeof claims.preferred_username === 'string' && claims.preferred_username.trim()) || email.split('@')[0];
    let role: OidcRole = 'customer';
    for (const value of strings(claims[this.config.roleClaim])) {
      const mapped = this.config.roleMap[value];
      if (mapped && ROLE_RANK[mapped] > ROLE_RANK[role]) role = mapped;
    }
    let organisation: string | null | undefined;
    if (this.config.organisationClaim) {
      const value = strings(claims[this.config.organisationClaim])[0]?.trim();
      organisation = value ? value.slice(0, 200) : null;
    }
    const locale = typeof claims.locale === 'string' && claims.locale.toLowerCase().startsWith('fr') ? 'fr' : 'en';
    const emailVerified = claims.email_verified === true || claims.email_verified === 'true';
    return { subject: String(claims.sub), email, emailVerified, name: name.slice(0, 200), role, organisation, locale };
  }

  /**
   * Finds the account by the provider's subject, else links the one with this email (only when the provider verified it),
   * else creates it (no password); role and organisation follow the claims on every login.
   */
  async provision(profile: OidcProfile): Promise<string> {
    return this.em.fork().transactional(async (tx) => {
      let organisationId: string | null | undefined;
      if (profile.organisation) {
        // on conflict do nothing, not a caught violation: inside a transaction a failed insert would end it.
        await tx.createQueryBuilder(Organisation).insert({ id: randomUUID(), name: profile.organisation }).onConflict('name').ignore().execute();
        organisationId = (await tx.findOneOrFail(Organisation, { name: profile.organisation })).id;
      } else if (profile.organisation === null) {
        organisationId = null;
      }
      const issuer = this.config.issuer;
      const locked = { lockMode: LockMode.PESSIMISTIC_WRITE } as const;
      // The provider's subject names the account; the e-mail address only finds one to link the first time.
      const bySubject = async () => {
        const identity = await tx.findOne(UserIdentity, { issuer, subject: profile.subject });
        return identity ? tx.findOne(User, identity.userId, locked) : null;
      };
      const byEmail = () => tx.findOne(User, { email: storedEmail(profile.email) }, locked);
      const link = (userId: string) => tx.createQueryBuilder(UserIdentity).insert({ issuer, subject: profile.subject, userId }).onConflict(['issuer', 'subject']).ignore().execute();
      let user = await bySubject();
      if (!user) {
        user = await byEmail();
        if (!user) {
          const id = randomUUID();
          const created = await tx
            .createQueryBuilder(User)
            .insert({ id, email: storedEmail(profile.email), name: profile.name, role: profile.role, passwordHash: null, locale: profile.locale, organisationId: organisationId ?? null })
            .onConflict('email')
            .ignore()
            .execute('run');
          if (created.affectedRows) {
            await link(id);
            return id;
          }
          user = await byEmail(); // created concurrently by another login
        }
        if (!user) throw problem(409, 'oidc-account-gone', 'Conflict', 'the account with this email was removed while signing in; sign in again');
        if (!profile.emailVerified) {
          throw problem(403, 'oidc-link-unverified', 'Forbidden', 'an account with this email exists; the single sign-on provider must say the address is verified before it is linked');
        }
        if (await tx.count(UserIdentity, { userId: user.id, issuer })) throw problem(403, 'oidc-identity-conflict', 'Forbidden', 'this account is already linked to another identity at this provider');
        await link(user.id);
      }
      if (user.disabled) throw problem(403, 'account-disabled', 'Forbidden', 'this account is disabled');
      const roleChanged = user.role !== profile.role;
      const orgChanged = organisationId !== undefined && user.organisationId !== organisationId;
      if (roleChanged || orgChanged) {
        // A custom role is held by agents: a provider that makes the account anything else takes it away.
        await tx.nativeUpdate(User, user.id, { role: profile.role, ...(profile.role !== 'agent' ? { customRole: null } : {}), ...(orgChanged ? { organisationId } : {}) });
        // Like an admin's change: older sessions must not keep acting with the previous role or organisation.
        await tx.nativeDelete(Session, { userId: user.id });
      }
      return user.id;
    });
  }

  private seal(pending: Pending): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(pending), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  private open(sealed: string): Pending | null {
    try {
      const raw = Buffer.from(sealed, 'base64url');
      if (raw.length < 29) return null;
      const decipher = createDecipheriv('aes-256-gcm', this.sealKey, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const pending = JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')) as Pending;
      return typeof pending.expires === 'number' && pending.expires > Date.now() ? pending : null;
    } catch {
      return null;
    }
  }
}
