// API tokens for integrators: created by admins, shown once, stored as a hash, scoped, revocable at once, last use recorded.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound, unprocessable } from '../../http/problem';
import type { AuthUser, RequestAccountRow, TokenScope } from '../auth/types';
import { ApiToken, User } from '../../../platform/db/entities/index';

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
const PREFIX = 'gch_';

/** What `authenticate` reads: a token and its account in one statement that also records the use. */
type TokenUserRow = RequestAccountRow & { token_id: string; scope: TokenScope };

export class TokenService {
  constructor(private readonly em: EntityManager) {}

  /** Returns the secret once; only its hash is kept. The token acts as `userId` (default: its creator), limited by its scope. */
  async create(creator: AuthUser, body: { name: string; scope: TokenScope; userId?: string }) {
    const userId = body.userId ?? creator.id;
    const em = this.em.fork();
    const owner = await em.findOne(User, { id: userId, disabled: false }, { fields: ['role'] });
    if (!owner) throw unprocessable('unknown or disabled user', [{ pointer: '/userId', message: 'unknown user' }], 'unknown-user');
    // A SCIM token creates accounts and sets roles: only an admin may do that.
    if ((body.scope === 'admin' || body.scope === 'scim') && owner.role !== 'admin') {
      throw unprocessable(`an ${body.scope}-scope token must act as an admin`, [{ pointer: '/scope', message: 'the user is not an admin' }], 'invalid-scope');
    }
    const secret = randomBytes(32).toString('base64url');
    const token = `${PREFIX}${secret}`;
    const id = randomUUID();
    await em.insert(ApiToken, { id, name: body.name, tokenHash: hashOf(token), prefix: token.slice(0, 10), scope: body.scope, userId, createdBy: creator.id });
    return { id, name: body.name, scope: body.scope, userId, token };
  }

  async list() {
    const rows = await this.em.fork().findAll(ApiToken, { exclude: ['tokenHash'], orderBy: { createdAt: 'desc' } });
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      prefix: r.prefix,
      scope: r.scope as TokenScope,
      userId: r.userId,
      createdBy: r.createdBy,
      createdAt: r.createdAt.toISOString(),
      lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
      revokedAt: r.revokedAt?.toISOString() ?? null,
    }));
  }

  async revoke(id: string): Promise<void> {
    const revoked = await this.em.fork().nativeUpdate(ApiToken, { id, revokedAt: null }, { revokedAt: new Date() });
    if (!revoked) throw notFound(`no active token ${id}`);
  }

  /** Checked on every request, so a revoked token stops working at once. SQL: the look-up, the account and the use recorded in one round trip. */
  async authenticate(token: string): Promise<AuthUser | null> {
    if (!token.startsWith(PREFIX)) return null;
    const [row] = await this.em.fork().execute<TokenUserRow[]>(
      `update api_tokens t set last_used_at = now() from users u
       where t.token_hash = ? and t.revoked_at is null and u.id = t.user_id and not u.disabled
       returning t.id as token_id, t.scope, u.id, u.email, u.name, u.role, u.locale, u.organisation_id, u.custom_role,
         (select r.grants from roles r where r.key = u.custom_role) as grants`,
      [hashOf(token)],
    );
    if (!row) return null;
    return {
      id: row.id,
      email: row.email,
      name: row.name,
      role: row.role,
      locale: row.locale,
      organisationId: row.organisation_id,
      via: 'token',
      csrfToken: '',
      tokenScope: row.scope,
      tokenId: row.token_id,
      ...(row.custom_role && row.grants ? { customRole: row.custom_role, grants: row.grants } : {}),
    };
  }
}
