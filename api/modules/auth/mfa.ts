// Two-step sign-in for local accounts: an authenticator app's TOTP code after the password, or one of ten recovery codes
// (each works once). Secrets are sealed at rest like webhook secrets; a code is never accepted twice.
import { createHash, randomBytes } from 'node:crypto';
import { raw, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User, UserMfa } from '../../../platform/db/entities/index';
import type { SecretBox } from '../../../platform/secret-box';
import { conflict, forbidden, ProblemError } from '../../http/problem';
import type { AuthUser } from './types';
import { base32Encode, matchingStep, newSecret, otpauthUri } from './totp';

const RECOVERY_CODES = 10;
const hash = (code: string) => createHash('sha256').update(code.trim().toLowerCase()).digest('hex');
/** Ten characters of base32 in two groups (50 bits): typed from paper without ambiguity. */
const recoveryCode = () => {
  const raw = base32Encode(randomBytes(7)).slice(0, 10).toLowerCase();
  return `${raw.slice(0, 5)}-${raw.slice(5)}`;
};

type MfaRow = InferEntity<typeof UserMfa>;

export const wrongCode = () => new ProblemError(422, 'wrong-code', 'Unprocessable content', 'that code is not the current one from your authenticator app (nor an unused recovery code)', [{ pointer: '/code', message: 'wrong code' }]);

export class MfaService {
  constructor(
    private readonly em: EntityManager,
    private readonly box: SecretBox,
    private readonly now: () => number = Date.now,
  ) {}

  private async row(userId: string): Promise<MfaRow | undefined> {
    return (await this.em.fork().findOne(UserMfa, userId)) ?? undefined;
  }

  async enabled(userId: string): Promise<boolean> {
    return Boolean((await this.row(userId))?.enabledAt);
  }

  async status(user: AuthUser): Promise<{ enabled: boolean; recoveryCodesLeft: number }> {
    const row = await this.row(user.id);
    return { enabled: Boolean(row?.enabledAt), recoveryCodesLeft: row?.enabledAt ? row.recoveryHashes.length : 0 };
  }

  /** A new secret to scan, pending until a first code confirms the app has it; asking again replaces a pending one. */
  async begin(user: AuthUser): Promise<{ secret: string; otpauthUri: string }> {
    this.sessionOnly(user);
    const account = await this.em.fork().findOne(User, user.id, { fields: ['passwordHash'] });
    if (account?.passwordHash == null) throw conflict('this account signs in through single sign-on: its second step is the identity provider\'s', 'not-local');
    if (await this.enabled(user.id)) throw conflict('two-step sign-in is already on; turn it off first to change the app', 'mfa-enabled');
    const secret = newSecret();
    // SQL: a pending secret is replaced but an enabled one never, in one statement (the ORM's upsert has no condition).
    await this.em
      .fork()
      .execute(
        `insert into user_mfa (user_id, secret) values (?, ?) on conflict (user_id) do update set secret = excluded.secret, last_step = 0, recovery_hashes = '{}', created_at = now() where user_mfa.enabled_at is null`,
        [user.id, this.box.seal(secret)],
      );
    return { secret, otpauthUri: otpauthUri(secret, user.email) };
  }

  /** Turns it on with a first code from the app; answers the recovery codes, shown this once. */
  async confirm(user: AuthUser, code: string): Promise<{ recoveryCodes: string[] }> {
    this.sessionOnly(user);
    const row = await this.row(user.id);
    if (!row || row.enabledAt) throw conflict(row ? 'two-step sign-in is already on' : 'start by asking for a secret to scan', row ? 'mfa-enabled' : 'mfa-not-started');
    const step = matchingStep(this.box.open(row.secret), code.trim(), this.now(), row.lastStep);
    if (step === null) throw wrongCode();
    const codes = Array.from({ length: RECOVERY_CODES }, recoveryCode);
    await this.em.fork().nativeUpdate(UserMfa, { userId: user.id, enabledAt: null }, { enabledAt: raw('now()'), lastStep: step, recoveryHashes: codes.map(hash) });
    return { recoveryCodes: codes };
  }

  /** Turns it off; a current code (or a recovery code) proves the app is still in the right hands. */
  async disable(user: AuthUser, code: string): Promise<void> {
    this.sessionOnly(user);
    if (!(await this.verify(user.id, code))) throw wrongCode();
    await this.em.fork().nativeDelete(UserMfa, { userId: user.id });
  }

  /**
   * Whether `code` signs this account in now: a TOTP code of a step after the last one used (taken by a conditional
   * update, so two requests racing with one code cannot both win), or an unused recovery code (removed as it is used).
   */
  async verify(userId: string, code: string): Promise<boolean> {
    const row = await this.row(userId);
    if (!row?.enabledAt) return false;
    const given = code.trim();
    const step = matchingStep(this.box.open(row.secret), given, this.now(), row.lastStep);
    if (step !== null) {
      return (await this.em.fork().nativeUpdate(UserMfa, { userId, lastStep: { $lt: step } }, { lastStep: step })) > 0;
    }
    // SQL: the code is found and removed from the array in one statement, so two requests with it cannot both win.
    const used = await this.em
      .fork()
      .execute('update user_mfa set recovery_hashes = array_remove(recovery_hashes, ?) where user_id = ? and ? = any(recovery_hashes) returning 1', [hash(given), userId, hash(given)]);
    return used.length > 0;
  }

  private sessionOnly(user: AuthUser): void {
    if (user.via !== 'session') throw forbidden('two-step sign-in is managed by its owner, signed in, not with an API token');
  }
}
