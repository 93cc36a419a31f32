// How every process reaches Temporal: plain (the dev server), TLS with a private CA and server name, mutual TLS with a
// client certificate, or an API key (Temporal Cloud). Settings are checked at start-up and a failed connection names the
// settings it used, so an operator knows what to fix.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Logger } from './logger';

export interface TemporalTls {
  /** The server's CA (PEM) when it is not publicly trusted. */
  serverRootCACertificate?: Buffer;
  serverNameOverride?: string;
  clientCertPair?: { crt: Buffer; key: Buffer };
}

export interface TemporalConnectionSettings {
  tls: TemporalTls | null;
  apiKey: string | null;
  /** The settings in use, for messages (never their values). */
  names: string[];
}

function readPem(env: NodeJS.ProcessEnv, name: string): Buffer | undefined {
  const file = env[name];
  if (!file) return undefined;
  try {
    const pem = fs.readFileSync(file);
    if (!pem.toString('utf8').includes('-----BEGIN')) throw new Error('not a PEM file');
    return pem;
  } catch (e) {
    throw new Error(`${name}: cannot use ${file}: ${(e as Error).message}`);
  }
}

/** Reads TEMPORAL_TLS, TEMPORAL_TLS_CA, TEMPORAL_TLS_SERVER_NAME, TEMPORAL_TLS_CERT / TEMPORAL_TLS_KEY and TEMPORAL_API_KEY. */
export function temporalConnectionSettings(env: NodeJS.ProcessEnv = process.env): TemporalConnectionSettings {
  const tlsFlag = env.TEMPORAL_TLS;
  if (tlsFlag !== undefined && tlsFlag !== '' && tlsFlag !== 'true' && tlsFlag !== 'false') throw new Error(`TEMPORAL_TLS must be true or false, not '${tlsFlag}'`);
  if (Boolean(env.TEMPORAL_TLS_CERT) !== Boolean(env.TEMPORAL_TLS_KEY)) {
    throw new Error(`${env.TEMPORAL_TLS_CERT ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT'} must be set too: mutual TLS needs both the client certificate and its key`);
  }
  const ca = readPem(env, 'TEMPORAL_TLS_CA');
  const crt = readPem(env, 'TEMPORAL_TLS_CERT');
  const key = readPem(env, 'TEMPORAL_TLS_KEY');
  const apiKey = env.TEMPORAL_API_KEY || null;
  const serverName = env.TEMPORAL_TLS_SERVER_NAME || undefined;
  const names = ['TEMPORAL_TLS', 'TEMPORAL_TLS_CA', 'TEMPORAL_TLS_SERVER_NAME', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'TEMPORAL_API_KEY'].filter((n) => env[n] && env[n] !== 'false');
  // Anything but an explicit "false" with none of the TLS settings means TLS: an API key never travels in clear.
  const tls = tlsFlag === 'true' || Boolean(ca || crt || serverName || apiKey);
  if (tlsFlag === 'false' && (ca || crt || serverName || apiKey)) throw new Error(`TEMPORAL_TLS is false but ${names.filter((n) => n !== 'TEMPORAL_TLS').join(', ')} need TLS`);
  return {
    tls: tls ? { serverRootCACertificate: ca, serverNameOverride: serverName, clientCertPair: crt && key ? { crt, key } : undefined } : null,
    apiKey,
    names,
  };
}

/** The options both Connection (client) and NativeConnection (worker) take. */
export function connectionOptions(address: string, s: TemporalConnectionSettings) {
  return { address, ...(s.tls ? { tls: s.tls } : {}), ...(s.apiKey ? { apiKey: s.apiKey } : {}) };
}

/** Runs a connect call; a failure says where it tried, with which settings, and what to check. */
export async function connectOrExplain<T>(address: string, s: TemporalConnectionSettings, connect: () => Promise<T>): Promise<T> {
  try {
    return await connect();
  } catch (e) {
    const using = ['TEMPORAL_ADDRESS', ...s.names].join(', ');
    throw new Error(`cannot connect to Temporal at ${address} (settings used: ${using}): ${(e as Error).message}`, { cause: e });
  }
}

/** The TLS files' contents, hashed: a rotation is noticed however the files were replaced (rewrite, rename, symlink swap). */
export function tlsFilesDigest(env: NodeJS.ProcessEnv = process.env): string {
  const hash = createHash('sha256');
  for (const name of TLS_FILES) {
    const file = env[name];
    if (!file) continue;
    try {
      hash.update(name).update(fs.readFileSync(file));
    } catch {
      hash.update(`${name}: unreadable`);
    }
  }
  return hash.digest('hex');
}

const TLS_FILES = ['TEMPORAL_TLS_CA', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY'] as const;

/** TEMPORAL_TLS_RELOAD_SECONDS: how often the TLS files are looked at (default 30). */
export function tlsReloadEveryMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.TEMPORAL_TLS_RELOAD_SECONDS;
  if (raw === undefined || raw === '') return 30_000;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`TEMPORAL_TLS_RELOAD_SECONDS must be a positive integer, got '${raw}'`);
  return seconds * 1000;
}

/**
 * Looks at the TLS files every `everyMs` and, when their contents have changed, hands the new settings to `apply`
 * (which reconnects). A set that cannot be used yet (a certificate written before its key, a half-written file) is
 * reported and tried again at the next look; the connection in use stays until one succeeds.
 */
export function watchTlsFiles(
  apply: (s: TemporalConnectionSettings) => Promise<void>,
  log: Pick<Logger, 'info' | 'error'>,
  opts: { env?: NodeJS.ProcessEnv; everyMs?: number } = {},
): { stop(): void } {
  const env = opts.env ?? process.env;
  const everyMs = opts.everyMs ?? tlsReloadEveryMs(env);
  if (!TLS_FILES.some((n) => env[n])) return { stop() {} };
  let applied = tlsFilesDigest(env);
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    const seen = tlsFilesDigest(env);
    if (seen === applied) return;
    busy = true;
    Promise.resolve()
      .then(() => apply(temporalConnectionSettings(env)))
      .then(
        () => {
          applied = seen;
          log.info('the Temporal TLS files changed: reconnected with them');
        },
        (err: Error) => log.error({ err }, 'the Temporal TLS files changed but cannot be used yet; still connected with the previous ones'),
      )
      .finally(() => (busy = false));
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/**
 * A client connection that can be replaced while in use: every call goes to the connection current at the time, and a
 * replaced one is closed once calls already on it have had time to finish.
 */
export function replaceableConnection<C extends object & { close(): Promise<void> }>(first: C, closeAfterMs = 30_000): { connection: C; replace(next: C): void } {
  let current = first;
  const connection = new Proxy(first, {
    get(_target, prop) {
      const value = Reflect.get(current, prop, current) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(current) : value;
    },
  });
  return {
    connection,
    replace(next) {
      const old = current;
      current = next;
      setTimeout(() => void old.close().catch(() => undefined), closeAfterMs).unref();
    },
  };
}
