// Requests from Teams to the bot carry a JWT signed by the Bot Framework (Authorization: Bearer …). It is checked as
// Microsoft documents: a key from the Bot Framework's OpenID metadata (kept a day, fetched again for an unknown key id)
// endorsed for the activity's channel, RS256, issuer https://api.botframework.com, audience the bot's app id, not
// expired (five minutes of clock skew), and its serviceurl claim the activity's own.
import { importJWK, jwtVerify, decodeProtectedHeader, type JWK } from 'jose';
import type { TeamsSettings } from './settings';

const ISSUER = 'https://api.botframework.com';
const KEYS_FRESH_MS = 24 * 3600_000;
const TIMEOUT_MS = 5000;

type EndorsedKey = JWK & { kid?: string; endorsements?: string[] };
/** An unknown key id sends us to the metadata at most this often: a stream of forged ids must not make us hammer it. */
const REFETCH_MS = 5 * 60_000;
const cache = new Map<string, { at: number; keys: EndorsedKey[] }>();

/** The Bot Framework's keys could not be read: the request is neither accepted nor refused (503, Teams retries). */
export class KeysUnavailable extends Error {}

async function fetchJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return (await res.json()) as T;
}

async function keys(metadataUrl: string, refresh: boolean): Promise<EndorsedKey[]> {
  const kept = cache.get(metadataUrl);
  if (kept && Date.now() - kept.at < (refresh ? REFETCH_MS : KEYS_FRESH_MS)) return kept.keys;
  try {
    const { jwks_uri } = await fetchJson<{ jwks_uri: string }>(metadataUrl);
    const { keys: found } = await fetchJson<{ keys: EndorsedKey[] }>(jwks_uri);
    cache.set(metadataUrl, { at: Date.now(), keys: found });
    return found;
  } catch (err) {
    if (kept) return kept.keys;
    throw new KeysUnavailable(`the Bot Framework's signing keys could not be read: ${(err as Error).message}`);
  }
}

/** Why the request is refused, or null when Teams sent it for this bot. */
export async function verifyTeams(s: TeamsSettings, authorization: string | undefined, activity: { channelId?: string; serviceUrl?: string }): Promise<string | null> {
  const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
  if (!token) return 'no Bot Framework token (Authorization: Bearer …)';
  let kid: string | undefined;
  try {
    ({ kid } = decodeProtectedHeader(token));
  } catch {
    return 'the token is not a JWT';
  }
  const metadataUrl = s.openIdMetadataUrl ?? 'https://login.botframework.com/v1/.well-known/openidconfiguration';
  let key = (await keys(metadataUrl, false)).find((k) => k.kid === kid);
  // Keys roll over: an id not seen yet sends us to the metadata once more.
  key ??= (await keys(metadataUrl, true)).find((k) => k.kid === kid);
  if (!key) return 'the token is signed with a key the Bot Framework does not publish';
  if (!activity.channelId || !key.endorsements?.includes(activity.channelId)) return `the signing key is not endorsed for channel ${activity.channelId ?? '(none)'}`;
  try {
    const { payload } = await jwtVerify(token, await importJWK({ ...key, alg: 'RS256' }, 'RS256'), { issuer: ISSUER, audience: s.appId, algorithms: ['RS256'], clockTolerance: 300 });
    // The desk sends its own bot token to the activity's service URL: only one the Bot Framework vouched for.
    if (typeof payload.serviceurl !== 'string' || !activity.serviceUrl || payload.serviceurl.replace(/\/+$/, '') !== activity.serviceUrl.replace(/\/+$/, '')) {
      return "the token was not issued for the activity's service URL";
    }
  } catch (err) {
    return `the token does not hold: ${(err as Error).message}`;
  }
  return null;
}
