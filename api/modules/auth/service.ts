// Accounts and sessions: login, logout, the current user, and the seeded admin.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { hashPassword, verifyPassword } from './passwords';
import type { AuthUser, UserRole } from './types';
import { requireBuiltInAdmin, type RoleGrants } from '../iam/permissions';
import { notFound, ProblemError, unauthorized } from '../../http/problem';
import { escapeLike } from '../../../platform/db/like';

export const SESSION_COOKIE = 'guichet_session';

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  locale: string;
  organisation_id: string | null;
  password_hash: string | null;
  disabled: boolean;
  custom_role?: string | null;
  skills?: string[];
  manager_id?: string | null;
  manager_name?: string | null;
  /** The custom role's grants, joined in where the caller's rights are needed. */
  grants?: RoleGrants | null;
}

const tokenId = (token: string): string => createHash('sha256').update(token).digest('hex');

export function publicUser(u: AuthUser | UserRow) {
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
    const ok = (row && !row.disabled && (await this.directoryPassword?.(row.id, password))) || (await verifyPassword(row?.password_hash ?? null, password));
    if (!row || !ok || row.disabled) throw unauthorized('wrong email or password');
    await secondStep?.(row.id);
    const { token, csrfToken } = await this.insertSession(row.id);
    return { user: this.toAuthUser(row, csrfToken), token };
  }

  /** By e-mail, or (no @) by the login name one directory knows it by; a name two directories share names nobody. */
  private async accountFor(identifier: string): Promise<UserRow | undefined> {
    const em = this.em.fork();
    const [byEmail] = await em.execute<UserRow[]>('select u.*, r.grants from users u left join roles r on r.key = u.custom_role where u.email = lower(?)', [identifier]);
    if (byEmail || identifier.includes('@')) return byEmail;
    const byLogin = await em.execute<UserRow[]>(
      `select u.*, r.grants from ldap_accounts a join users u on u.id = a.user_id left join roles r on r.key = u.custom_role where lower(a.login) = lower(?) limit 2`,
      [identifier],
    );
    return byLogin.length === 1 ? byLogin[0] : undefined;
  }

  /** Opens a session for an account that proved who it is another way (single sign-on); refuses unknown or disabled accounts. */
  async createSession(userId: string): Promise<{ user: AuthUser; token: string }> {
    const [row] = await this.em.fork().execute<UserRow[]>('select u.*, r.grants from users u left join roles r on r.key = u.custom_role where u.id = ?', [userId]);
    if (!row || row.disabled) throw unauthorized('this account is disabled');
    const { token, csrfToken } = await this.insertSession(row.id);
    return { user: this.toAuthUser(row, csrfToken), token };
  }

  private async insertSession(userId: string): Promise<{ token: string; csrfToken: string }> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    await this.em.fork().execute('insert into sessions (id, user_id, csrf_token, expires_at) values (?, ?, ?, ?)', [
      tokenId(token),
      userId,
      csrfToken,
      new Date(Date.now() + this.sessionTtlHours * 3600_000),
    ]);
    return { token, csrfToken };
  }

  async logout(token: string): Promise<void> {
    await this.em.fork().execute('delete from sessions where id = ?', [tokenId(token)]);
  }

  async userForSession(token: string): Promise<AuthUser | null> {
    const rows = await this.em
      .fork()
      .execute<Array<UserRow & { csrf_token: string; two_step_on: boolean }>>(
        `select u.*, s.csrf_token, (exists (select 1 from user_mfa m where m.user_id = u.id and m.enabled_at is not null)
                or exists (select 1 from user_passkeys p where p.user_id = u.id)) as two_step_on, r.grants
           from sessions s join users u on u.id = s.user_id left join roles r on r.key = u.custom_role
           where s.id = ? and s.expires_at > now() and not u.disabled`,
        [tokenId(token)],
      );
    const row = rows[0];
    return row ? { ...this.toAuthUser(row, row.csrf_token), twoStepOn: row.two_step_on, local: row.password_hash !== null } : null;
  }

  /** Creates the admin account once; an existing account keeps its password. */
  async ensureAdmin(email: string, password: string): Promise<'created' | 'exists'> {
    const em = this.em.fork();
    const existing = await em.execute('select id from users where email = lower(?)', [email]);
    if (existing.length) return 'exists';
    await em.execute(`insert into users (id, email, name, role, password_hash) values (?, lower(?), ?, 'admin', ?) on conflict (email) do nothing`, [
      randomUUID(),
      email,
      'Administrator',
      await hashPassword(password),
    ]);
    return 'created';
  }

  async createUser(input: { email: string; name: string; role: UserRole; password: string; locale?: string; organisationId?: string | null }): Promise<string> {
    const id = randomUUID();
    await this.em
      .fork()
      .execute(`insert into users (id, email, name, role, password_hash, locale, organisation_id) values (?, lower(?), ?, ?, ?, ?, ?)`, [
        id,
        input.email,
        input.name,
        input.role,
        await hashPassword(input.password),
        input.locale ?? 'en',
        input.organisationId ?? null,
      ]);
    return id;
  }

  /** Changes a password after checking the current one; every other session of the user ends. */
  async changePassword(user: AuthUser, current: string, next: string, keepSessionToken?: string): Promise<void> {
    const [row] = await this.em.fork().execute<UserRow[]>('select * from users where id = ?', [user.id]);
    if (!row || !(await verifyPassword(row.password_hash, current))) {
      throw new ProblemError(403, 'wrong-password', 'Forbidden', 'the current password is wrong');
    }
    await this.em.fork().transactional(async (tx) => {
      await tx.execute('update users set password_hash = ? where id = ?', [await hashPassword(next), user.id]);
      await tx.execute('delete from sessions where user_id = ? and id <> ?', [user.id, keepSessionToken ? tokenId(keepSessionToken) : '']);
      await retireResetTokens(tx, user.id);
    });
  }

  /** A one-time reset token valid for an hour, for an admin to hand over or mailed on request (createdBy null). */
  /** `issuer` (an admin's request): only a built-in admin may reset an admin's password. */
  async createResetToken(userId: string, createdBy: string | null, issuer?: AuthUser): Promise<{ token: string; expiresAt: string }> {
    const [row] = await this.em.fork().execute<Array<{ role: UserRole }>>('select role from users where id = ?', [userId]);
    if (!row) throw notFound(`no user ${userId}`);
    if (issuer && row.role === 'admin') requireBuiltInAdmin(issuer, "reset an admin's password");
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + 3600_000);
    await this.em
      .fork()
      .execute('insert into password_resets (token_hash, user_id, expires_at, created_by) values (?, ?, ?, ?)', [tokenId(token), userId, expiresAt, createdBy]);
    return { token, expiresAt: expiresAt.toISOString() };
  }

  /** Sets a new password with a reset token, once; all sessions of the user end. */
  async resetPassword(token: string, next: string): Promise<void> {
    const hash = await hashPassword(next);
    await this.em.fork().transactional(async (tx) => {
      const [reset] = await tx.execute<Array<{ user_id: string }>>(
        'update password_resets set used_at = now() where token_hash = ? and used_at is null and expires_at > now() returning user_id',
        [tokenId(token)],
      );
      if (!reset) throw new ProblemError(400, 'invalid-reset-token', 'Bad request', 'the reset token is unknown, used or expired', [{ pointer: '/token', message: 'invalid token' }]);
      await tx.execute('update users set password_hash = ? where id = ?', [hash, reset.user_id]);
      await tx.execute('delete from sessions where user_id = ?', [reset.user_id]);
      await retireResetTokens(tx, reset.user_id);
    });
  }

  async organisationExists(id: string): Promise<boolean> {
    return (await this.em.fork().execute('select 1 from organisations where id = ?', [id])).length > 0;
  }

  async emailExists(email: string): Promise<boolean> {
    return (await this.em.fork().execute('select 1 from users where email = lower(?)', [email])).length > 0;
  }

  /** A page of accounts by e-mail (unique, so it is the keyset), filtered by role and by part of the name or e-mail. */
  async listUsers(opts: { q?: string; role?: string; limit: number; after?: string }) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (opts.q?.trim()) {
      const like = `%${escapeLike(opts.q.trim().toLowerCase())}%`;
      where.push(`(lower(name) like ? or email like ?)`);
      params.push(like, like);
    }
    if (opts.role === 'staff') where.push(`role in ('admin', 'agent')`);
    else if (opts.role) {
      where.push('role = ?');
      params.push(opts.role);
    }
    if (opts.after) {
      where.push('email > ?');
      params.push(opts.after);
    }
    const rows = await this.em
      .fork()
      .execute<UserRow[]>(`select u.*, (select m.name from users m where m.id = u.manager_id) as manager_name from users u ${where.length ? `where ${where.join(' and ')}` : ''} order by email limit ?`, [...params, opts.limit + 1]);
    const page = rows.slice(0, opts.limit);
    // Admins edit organisation and access from this list, so it carries them too.
    return {
      items: page.map((r) => ({ ...publicUser(r), customRole: r.custom_role ?? null, organisationId: r.organisation_id, disabled: r.disabled, skills: r.skills ?? [], managerId: r.manager_id ?? null, managerName: r.manager_name ?? null })),
      next: rows.length > opts.limit ? page[page.length - 1]!.email : null,
    };
  }

  private toAuthUser(row: UserRow, csrfToken: string): AuthUser {
    return {
      id: row.id,
      email: row.email,
      name: row.name,
      role: row.role,
      locale: row.locale,
      organisationId: row.organisation_id,
      via: 'session',
      csrfToken,
      ...(row.custom_role && row.grants ? { customRole: row.custom_role, grants: row.grants } : {}),
    };
  }
}

/** A new password makes every reset link of that user worthless: one mailed earlier could otherwise undo it. */
async function retireResetTokens(tx: EntityManager, userId: string): Promise<void> {
  await tx.execute('update password_resets set used_at = now() where user_id = ? and used_at is null', [userId]);
}
