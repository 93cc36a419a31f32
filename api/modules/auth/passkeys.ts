// Passkeys (WebAuthn) as the second sign-in step: register one while signed in, then prove it after the password. The
// relying party is the origin the console is served from (its host name is the RP ID); each challenge works once, within
// five minutes, for the account it was issued to.
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { UserPasskey, WebauthnChallenge } from '../../../platform/db/entities/index';
import { conflict, forbidden, notFound, unprocessable } from '../../http/problem';
import type { AuthUser } from './types';
import { unlessTaken } from '../../http/unique-conflict';

const CHALLENGE_MINUTES = 5;

export interface Passkey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** Where the console runs, as WebAuthn names it: the origin, and its host name as the relying party id. */
export interface RelyingParty {
  origin: string;
  rpID: string;
}

const refused = (why: string) => unprocessable(`the passkey was not accepted: ${why}`, [{ pointer: '/passkey', message: why }], 'passkey-refused');

/** The challenge a browser signed, read from its client data (verified again by the library against what we stored). */
function challengeOf(response: { response: { clientDataJSON: string } }): string {
  try {
    return (JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8')) as { challenge?: string }).challenge ?? '';
  } catch {
    return '';
  }
}

export class PasskeyService {
  constructor(private readonly em: EntityManager) {}

  async list(user: AuthUser): Promise<Passkey[]> {
    const rows = await this.em.fork().find(UserPasskey, { userId: user.id }, { orderBy: { createdAt: 'asc' } });
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.createdAt.toISOString(), lastUsedAt: r.lastUsedAt?.toISOString() ?? null }));
  }

  async has(userId: string): Promise<boolean> {
    return (await this.em.fork().count(UserPasskey, { userId })) > 0;
  }

  async registrationOptions(user: AuthUser, rp: RelyingParty) {
    this.sessionOnly(user);
    const existing = await this.credentials(user.id);
    const options = await generateRegistrationOptions({
      rpName: 'Guichet',
      rpID: rp.rpID,
      userName: user.email,
      userDisplayName: user.name,
      userID: new TextEncoder().encode(user.id),
      attestationType: 'none',
      excludeCredentials: existing.map((c) => ({ id: c.id, transports: c.transports })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
    });
    await this.remember(options.challenge, user.id, 'register');
    return options;
  }

  async register(user: AuthUser, response: RegistrationResponseJSON, name: string, rp: RelyingParty): Promise<Passkey> {
    this.sessionOnly(user);
    const challenge = await this.take(challengeOf(response), user.id, 'register');
    let verified;
    try {
      verified = await verifyRegistrationResponse({ response, expectedChallenge: challenge, expectedOrigin: rp.origin, expectedRPID: rp.rpID, requireUserVerification: false });
    } catch (err) {
      throw refused(err instanceof Error ? err.message : String(err));
    }
    if (!verified.verified) throw refused('the authenticator\'s answer did not verify');
    const c = verified.registrationInfo.credential;
    await unlessTaken(
      this.em.fork().insert(UserPasskey, { id: c.id, userId: user.id, publicKey: Buffer.from(c.publicKey), counter: c.counter, transports: c.transports ?? [], name: name.trim() }),
      () => conflict('this passkey is already registered', 'passkey-exists'),
    );
    return (await this.list(user)).find((p) => p.id === c.id)!;
  }

  async remove(user: AuthUser, id: string): Promise<void> {
    this.sessionOnly(user);
    if (!(await this.em.fork().nativeDelete(UserPasskey, { id, userId: user.id }))) throw notFound(`no passkey ${id}`);
  }

  /** The challenge for the sign-in under way, to be signed by one of the account's passkeys. */
  async loginOptions(userId: string, rp: RelyingParty) {
    const options = await generateAuthenticationOptions({ rpID: rp.rpID, allowCredentials: (await this.credentials(userId)).map((c) => ({ id: c.id, transports: c.transports })), userVerification: 'preferred' });
    await this.remember(options.challenge, userId, 'login');
    return options;
  }

  /** Whether the answer proves one of this account's passkeys, for a challenge issued to it and not used before. */
  async verifyLogin(userId: string, response: AuthenticationResponseJSON, rp: RelyingParty): Promise<boolean> {
    const credential = (await this.credentials(userId)).find((c) => c.id === response.id);
    if (!credential) return false;
    let challenge: string;
    try {
      challenge = await this.take(challengeOf(response), userId, 'login');
    } catch {
      return false;
    }
    try {
      const result = await verifyAuthenticationResponse({ response, expectedChallenge: challenge, expectedOrigin: rp.origin, expectedRPID: rp.rpID, credential, requireUserVerification: false });
      if (!result.verified) return false;
      await this.em.fork().nativeUpdate(UserPasskey, credential.id, { counter: result.authenticationInfo.newCounter, lastUsedAt: raw('now()') });
      return true;
    } catch {
      return false;
    }
  }

  private async credentials(userId: string) {
    const rows = await this.em.fork().find(UserPasskey, { userId });
    return rows.map((r) => ({ id: r.id, publicKey: new Uint8Array(r.publicKey as Buffer), counter: r.counter, transports: r.transports }));
  }

  private async remember(challenge: string, userId: string, kind: 'register' | 'login'): Promise<void> {
    const em = this.em.fork();
    // The database's clock, as take() judges expiry by it.
    await em.nativeDelete(WebauthnChallenge, { expiresAt: { $lt: raw('now()') } });
    await em.insert(WebauthnChallenge, { challenge, userId, kind, expiresAt: raw(`now() + interval '${CHALLENGE_MINUTES} minutes'`) });
  }

  /** Uses a challenge up: issued to this account for this ceremony, unexpired, and never again. */
  private async take(challenge: string, userId: string, kind: 'register' | 'login'): Promise<string> {
    const taken = await this.em.fork().nativeDelete(WebauthnChallenge, { challenge, userId, kind, expiresAt: { $gt: raw('now()') } });
    if (!taken) throw refused('its challenge is unknown, used or expired: start again');
    return challenge;
  }

  private sessionOnly(user: AuthUser): void {
    if (user.via !== 'session') throw forbidden('passkeys are managed by their owner, signed in, not with an API token');
  }
}

