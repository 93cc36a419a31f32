// One LDAP connection as the desk uses it: plain ldap:// (optionally upgraded with StartTLS) or ldaps://, bounded by
// timeouts, and every failure classified into a stable problem code (unreachable, TLS, bind refused, search refused).
import { isIP } from 'node:net';
import { Client, InvalidCredentialsError, ResultCodeError } from 'ldapts';
import type { ConnectionOptions } from 'node:tls';

export interface ConnectionSettings {
  url: string;
  startTls: boolean;
  /** PEM of the CA (or the self-signed certificate) the server's certificate must chain to; the system CAs otherwise. */
  caCertificate: string | null;
  timeoutMs?: number;
}

export type DirectoryErrorCode = 'directory-sync-refused' | 'directory-unreachable' | 'directory-tls-failed' | 'directory-bind-failed' | 'directory-search-failed' | 'directory-misconfigured';

/** A directory said no or could not be reached; `code` is the problem type the API answers with. */
export class DirectoryError extends Error {
  constructor(
    readonly code: DirectoryErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const NETWORK = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|socket hang up|Connection closed|timeout|timed out|closed|not connected/i;

export function classify(err: unknown, stage: 'connect' | 'tls' | 'bind' | 'search'): DirectoryError {
  if (err instanceof DirectoryError) return err;
  const e = err as { code?: unknown; message?: string };
  const message = e?.message?.trim() || String(err);
  if (err instanceof InvalidCredentialsError) return new DirectoryError('directory-bind-failed', 'the directory refused the bind: wrong DN or secret');
  if (stage === 'tls' || /certificate|self[- ]signed|SSL|TLS|handshake|altnames/i.test(message)) {
    return new DirectoryError('directory-tls-failed', `TLS with the directory failed: ${message}`);
  }
  if (err instanceof ResultCodeError) {
    const what = stage === 'bind' ? 'directory-bind-failed' : 'directory-search-failed';
    return new DirectoryError(what, `the directory answered ${err.constructor.name} (LDAP result ${err.code})${message ? `: ${message}` : ''}`);
  }
  if (typeof e?.code === 'string' || NETWORK.test(message)) return new DirectoryError('directory-unreachable', `the directory cannot be reached: ${message}`);
  return new DirectoryError(stage === 'search' ? 'directory-search-failed' : 'directory-unreachable', message);
}

function tlsOptions(s: ConnectionSettings): ConnectionOptions {
  const host = new URL(s.url).hostname.replace(/^\[|\]$/g, '');
  return { ...(s.caCertificate ? { ca: s.caCertificate } : {}), ...(isIP(host) ? {} : { servername: host }), minVersion: 'TLSv1.2' };
}

/** A connected client (TLS upgraded when asked) bound as `dn`; the caller unbinds. */
export async function openBound(s: ConnectionSettings, dn: string, password: string): Promise<Client> {
  const timeout = s.timeoutMs ?? 10_000;
  let url: URL;
  try {
    url = new URL(s.url);
  } catch {
    throw new DirectoryError('directory-misconfigured', `'${s.url}' is not an LDAP URL`);
  }
  const secure = url.protocol === 'ldaps:';
  const client = new Client({ url: s.url, connectTimeout: timeout, timeout, tlsOptions: secure ? tlsOptions(s) : undefined, strictDN: false });
  try {
    if (s.startTls && !secure) {
      try {
        await client.startTLS(tlsOptions(s));
      } catch (err) {
        throw NETWORK.test((err as Error)?.message ?? '') && !/certificate|TLS|SSL/i.test((err as Error)?.message ?? '') ? classify(err, 'connect') : classify(err, 'tls');
      }
    }
    // An empty password would be an anonymous "unauthenticated bind" that servers accept: never a proof of anything.
    if (!password) throw new DirectoryError('directory-bind-failed', 'the directory refused the bind: empty secret');
    try {
      await client.bind(dn, password);
    } catch (err) {
      throw classify(err, 'bind');
    }
    return client;
  } catch (err) {
    await client.unbind().catch(() => {});
    throw err;
  }
}

/** The first value of an attribute as text (binary GUIDs formatted the way Active Directory shows them). */
export function attributeText(value: unknown, attribute?: string): string | null {
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === null) return null;
  if (Buffer.isBuffer(first)) {
    if (attribute?.toLowerCase() === 'objectguid' && first.length === 16) return guid(first);
    return first.toString('hex');
  }
  const text = String(first).trim();
  return text === '' ? null : text;
}

/** Every value of an attribute as text. */
export function attributeTexts(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v))).filter((v) => v !== '');
}

/** Active Directory's objectGUID bytes as its usual text form (the first three parts little-endian). */
function guid(b: Buffer): string {
  const hex = (from: number, to: number, reverse: boolean) => {
    const part = [...b.subarray(from, to)];
    return (reverse ? part.reverse() : part).map((x) => x.toString(16).padStart(2, '0')).join('');
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`;
}

/** A DN compared the way directories compare them, near enough: case and spaces around separators do not matter. */
export const normaliseDn = (dn: string) => dn.split(',').map((p) => p.trim().replace(/\s*=\s*/, '=')).join(',').toLowerCase();
