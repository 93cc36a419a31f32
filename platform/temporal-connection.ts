// How every process reaches Temporal: plain (the dev server), TLS with a private CA and server name, mutual TLS with a
// client certificate, or an API key (Temporal Cloud). Settings are checked at start-up and a failed connection names the
// settings it used, so an operator knows what to fix.
import fs from 'node:fs';

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
