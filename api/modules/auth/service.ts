// Accounts and sessions: login, logout, the current user, and the seeded admin.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { raw, type FilterQuery, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { LdapAccount, Organisation, PasswordReset, Role, Session, User } from '../../../platform/db/entities/index';
import { hashPassword, verifyPassword } from './passwords';
import type { AuthUser, RequestAccountRow, UserRole } from './types';
import { requireBuiltInAdmin, type RoleGrants } from '../iam/permissions';
import { notFound, ProblemError, unauthorized } from '../../http/problem';
import { escapeLike } from '../../../platform/db/like';
import { caseless, lowered } from '../../../platform/db/case-fold';

export const SESSION_COOKIE = 'guichet_session';

type UserRow = InferEntity<typeof User>;
/** What a signed-in user is made of: the account and its custom role's grants. */
type Account = Pick<UserRow, 'id' | 'email' | 'name' | 'role' | 'locale' | 'organisationId' | 'customRole' | 'disabled' | 'passwordHash'> & { grants: RoleGrants | null };

/** The row the per-request session check reads. */
type SessionAccountRow = RequestAccountRow & { password_hash: string | null; csrf_token: string; two_step_on: boolean };

/** An address as the database keeps it: lower() there, which is not always JavaScript's toLowerCase for non-ASCII. */
export const storedEmail = lowered;

const tokenId = (token: string): string => createHash('sha256').update(token).digest('hex');

export function publicUser(u: Pick<AuthUser, 'id' | 'email' | 'name' | 'role' | 'locale'>) {
  return { id: u.id, email: u.email, name: u.name, role: u.role, locale: u.locale };
}

export class AuthService {
  /** Checks a directory account's password (LDAP): true/false, or null for an account no directory knows. */
  directoryPassword?: (userId: string, password: string) => Promise<boolean | null>;

  constructor(
    private readonly em: EntityManager,
    private readonly sessionTtlHours: number,
  ) {}

  /** `secondStep` runs once the password is right and before any session exists (two-step sign-in); it throws to refuse. */
  async login(email: string, password: string, secondStep?: (userId: string) => Promise<void>): Promise<{ user: AuthUser; token: string }> {
    const row = await this.accountFor(email);
    const ok = (row && !row.disabled && (await this.directoryPassword?.(row.id, password))) || (await verifyPassword(row?.passwordHash ?? null, password));
    if (!row || !ok || row.disabled) throw unauthorized('wrong email or password');
    await secondStep?.(row.id);
    const { token, csrfToken } = await this.insertSession(row.id);
    return { user: this.toAuthUser(row, csrfToken), token };
  }

  /** By e-mail, or (no @) by the login name one directory knows it by; a name two directories share names nobody. */
  private async accountFor(identifier: string): Promise<Account | undefined> {
    const em = this.em.fork();
    const byEmail = await em.findOne(User, { email: storedEmail(identifier) });
    if (byEmail || identifier.includes('@')) return byEmail ? withGrants(em, byEmail) : undefined;
    const byLogin = await em.find(LdapAccount, caseless('login', identifier), { limit: 2 });
    if (byLogin.length !== 1) return undefined;
    const user = await em.findOne(User, byLogin[0]!.userId);
    return user ? withGrants(em, user) : undefined;
  }

  /** Opens a session for an account that proved who it is another way (single sign-on); refuses unknown or disabled accounts. */
  async createSession(userId: string): Promise<{ user: AuthUser; token: string }> {
    const em = this.em.fork();
    const user = await em.findOne(User, userId);
    if (!user || user.disabled) throw unauthorized('this account is disabled');
    const row = await withGrants(em, user);
    const { token, csrfToken } = await this.insertSession(row.id);
    return { user: this.toAuthUser(row, csrfToken), token };
  }

  private async insertSession(userId: string): Promise<{ token: string; csrfToken: string }> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    await this.em.fork().insert(Session, { id: tokenId(token), userId, csrfToken, expiresAt: new Date(Date.now() + this.sessionTtlHours * 3600_000) });
    return { token, csrfToken };
  }

  async logout(token: string): Promise<void> {
    await this.em.fork().nativeDelete(Session, { id: tokenId(token) });
  }

  /**
   * Checked on every request with a session cookie. SQL: the session, its account, its custom role's grants and whether a
   * second step is set up in one round trip (bench/permissions.ts measures requests through it).
   */
  async userForSession(token: string): Promise<AuthUser | null> {
    const rows = await this.em
      .fork()
      .execute<SessionAccountRow[]>(
        `select u.id, u.email, u.name, u.role, u.locale, u.organisation_id, u.password_hash, u.custom_role, s.csrf_token, (exists (select 1 from user_mfa m where m.user_id = u.id and m.enabled_at is not null)
                or exists (select 1 from user_passkeys p where p.user_id = u.id)) as two_step_on, r.grants
           from sessions s join users u on u.id = s.user_id left join roles r on r.key = u.custom_role
           where s.id = ? and s.expires_at > now() and not u.disabled`,
        [tokenId(token)],
      );
    const row = rows[0];
    if (!row) return null;
    const account = { id: row.id, email: row.email, name: row.name, role: row.role, locale: row.locale, organisationId: row.organisation_id, customRole: row.custom_role, grants: row.grants };
    return { ...this.toAuthUser(account, row.csrf_token), twoStepOn: row.two_step_on, local: row.password_hash !== null };
  }

  /** Creates the admin account once; an existing account keeps its password. */
  async ensureAdmin(email: string, password: string): Promise<'created' | 'exists'> {
    const em = this.em.fork();
    if (await em.count(User, { email: storedEmail(email) })) return 'exists';
    // Two desks starting on one database at once: the second's insert finds the first's account and leaves it be.
    await em
      .createQueryBuilder(User)
      .insert({ id: randomUUID(), email: storedEmail(email), name: 'Administrator', role: 'admin', passwordHash: await hashPassword(password) })
      .onConflict('email')
      .ignore()
      .execute();
    return 'created';
  }

  async createUser(input: { email: string; name: string; role: UserRole; password: string; locale?: string; organisationId?: string | null }): Promise<string> {
    const id = randomUUID();
    await this.em.fork().insert(User, {
      id,
      email: storedEmail(input.email),
      name: input.name,
      role: input.role,
      passwordHash: await hashPassword(input.password),
      locale: input.locale ?? 'en',
      organisationId: input.organisationId ?? null,
    });
    return id;
  }

  /** Changes a password after checking the current one; every other session of the user ends. */
  async changePassword(user: AuthUser, current: string, next: string, keepSessionToken?: string): Promise<void> {
    const row = await this.em.fork().findOne(User, user.id, { fields: ['passwordHash'] });
    if (!row || !(await verifyPassword(row.passwordHash ?? null, current))) {
      throw new ProblemError(403, 'wrong-password', 'Forbidden', 'the current password is wrong');
    }
    await this.em.fork().transactional(async (tx) => {
      await tx.nativeUpdate(User, user.id, { passwordHash: await hashPassword(next) });
      await tx.nativeDelete(Session, { userId: user.id, id: { $ne: keepSessionToken ? tokenId(keepSessionToken) : '' } });
      await retireResetTokens(tx, user.id);
    });
  }

  /** A one-time reset token valid for an hour, for an admin to hand over or mailed on request (createdBy null). */
  /** `issuer` (an admin's request): only a built-in admin may reset an admin's password. */
  async createResetToken(userId: string, createdBy: string | null, issuer?: AuthUser): Promise<{ token: string; expiresAt: string }> {
    const row = await this.em.fork().findOne(User, userId, { fields: ['role'] });
    if (!row) throw notFound(`no user ${userId}`);
    if (issuer && row.role === 'admin') requireBuiltInAdmin(issuer, "reset an admin's password");
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + 3600_000);
    await this.em.fork().insert(PasswordReset, { tokenHash: tokenId(token), userId, expiresAt, createdBy });
    return { token, expiresAt: expiresAt.toISOString() };
  }

  /** Sets a new password with a reset token, once; all sessions of the user end. */
  async resetPassword(token: string, next: string): Promise<void> {
    const hash = await hashPassword(next);
    await this.em.fork().transactional(async (tx) => {
      // SQL: the token is spent and its user read in one statement, by the database's clock, so it is used at most once.
      const [reset] = await tx.execute<Array<{ user_id: string }>>(
        'update password_resets set used_at = now() where token_hash = ? and used_at is null and expires_at > now() returning user_id',
        [tokenId(token)],
      );
      if (!reset) throw new ProblemError(400, 'invalid-reset-token', 'Bad request', 'the reset token is unknown, used or expired', [{ pointer: '/token', message: 'invalid token' }]);
      await tx.nativeUpdate(User, reset.user_id, { passwordHash: hash });
      await tx.nativeDelete(Session, { userId: reset.user_id });
      await retireResetTokens(tx, reset.user_id);
    });
  }

  async organisationExists(id: string): Promise<boolean> {
    return (await this.em.fork().count(Organisation, { id })) > 0;
  }

  async emailExists(email: string): Promise<boolean> {
    return (await this.em.fork().count(User, { email: storedEmail(email) })) > 0;
  }

  /** A page of accounts by e-mail (unique, so it is the keyset), filtered by role and by part of the name or e-mail. */
  async listUsers(opts: { q?: string; role?: string; limit: number; after?: string }) {
    const where: FilterQuery<UserRow> = {};
    if (opts.q?.trim()) {
      const like = `%${escapeLike(opts.q.trim().toLowerCase())}%`;
      where.$or = [{ [raw((a) => `lower(${a}.name)`)]: { $like: like } }, { email: { $like: like } }];
    }
    if (opts.role === 'staff') where.role = { $in: ['admin', 'agent'] };
    else if (opts.role) where.role = opts.role;
    if (opts.after) where.email = { $gt: opts.after };
    const em = this.em.fork();
    const rows = await em.find(User, where, { orderBy: { email: 'asc' }, limit: opts.limit + 1 });
    const page = rows.slice(0, opts.limit);
    const managerIds = [...new Set(page.flatMap((r) => (r.managerId ? [r.managerId] : [])))];
    const managers = new Map((await em.find(User, { id: { $in: managerIds } }, { fields: ['name'] })).map((m) => [m.id, m.name]));
    // Admins edit organisation and access from this list, so it carries them too.
    return {
      items: page.map((r) => ({
        ...publicUser({ ...r, role: r.role as UserRole }),
        customRole: r.customRole ?? null,
        organisationId: r.organisationId ?? null,
        disabled: r.disabled,
        skills: r.skills,
        managerId: r.managerId ?? null,
        managerName: (r.managerId && managers.get(r.managerId)) ?? null,
      })),
      next: rows.length > opts.limit ? page[page.length - 1]!.email : null,
    };
  }

  private toAuthUser(row: Omit<Account, 'disabled' | 'passwordHash'>, csrfToken: string): AuthUser {
    return {
      id: row.id,
      email: row.email,
      name: row.name,
      role: row.role as UserRole,
      locale: row.locale,
      organisationId: row.organisationId ?? null,
      via: 'session',
      csrfToken,
      ...(row.customRole && row.grants ? { customRole: row.customRole, grants: row.grants } : {}),
    };
  }
}

/** The account as a signed-in user: with its custom role's grants, if it holds one. */
async function withGrants(em: EntityManager, user: UserRow): Promise<Account> {
  const role = user.customRole ? await em.findOne(Role, user.customRole, { fields: ['grants'] }) : null;
  const { id, email, name, role: builtIn, locale, organisationId, customRole, disabled, passwordHash } = user;
  return { id, email, name, role: builtIn, locale, organisationId, customRole, disabled, passwordHash, grants: (role?.grants as RoleGrants | undefined) ?? null };
}

/** A new password makes every reset link of that user worthless: one mailed earlier could otherwise undo it. */
async function retireResetTokens(tx: EntityManager, userId: string): Promise<void> {
  await tx.nativeUpdate(PasswordReset, { userId, usedAt: null }, { usedAt: raw('now()') });
}
