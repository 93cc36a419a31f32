// Reaching a secured Temporal: TLS, mutual TLS and API-key settings are checked at start-up, and a process that cannot
// connect stops with a message naming the settings it used.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectionOptions, temporalConnectionSettings, tlsReloadEveryMs } from '../../platform/temporal-connection';
import { spawnTs } from '../../platform/processes';
import { freePort } from '../../platform/servers/ports';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-tls-'));
const pem = (name: string) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `-----BEGIN CERTIFICATE-----\nMIIB${name}\n-----END CERTIFICATE-----\n`);
  return file;
};
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('Temporal connection settings', () => {
  it('should connect in clear by default, as to the dev server', () => {
    const s = temporalConnectionSettings({});
    expect(s).toEqual({ tls: null, apiKey: null, names: [] });
    expect(connectionOptions('127.0.0.1:7233', s)).toEqual({ address: '127.0.0.1:7233' });
  });

  it('should use TLS with a private CA and server name, mutual TLS with a client pair, and TLS whenever an API key is set', () => {
    const s = temporalConnectionSettings({ TEMPORAL_TLS_CA: pem('ca.pem'), TEMPORAL_TLS_SERVER_NAME: 'temporal.internal', TEMPORAL_TLS_CERT: pem('c.pem'), TEMPORAL_TLS_KEY: pem('k.pem') });
    expect(s.tls?.serverNameOverride).toBe('temporal.internal');
    expect(s.tls?.serverRootCACertificate?.toString()).toContain('BEGIN CERTIFICATE');
    expect(s.tls?.clientCertPair?.crt.toString()).toContain('MIIBc.pem');
    expect(s.names).toEqual(['TEMPORAL_TLS_CA', 'TEMPORAL_TLS_SERVER_NAME', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY']);
    const cloud = temporalConnectionSettings({ TEMPORAL_API_KEY: 'key-123' });
    expect(connectionOptions('ns.acct.tmprl.cloud:7233', cloud)).toEqual({ address: 'ns.acct.tmprl.cloud:7233', tls: { serverRootCACertificate: undefined, serverNameOverride: undefined, clientCertPair: undefined }, apiKey: 'key-123' });
  });

  it('should refuse at start-up a setting it cannot use, naming it', () => {
    expect(() => temporalConnectionSettings({ TEMPORAL_TLS_CA: path.join(dir, 'missing.pem') })).toThrow(/^TEMPORAL_TLS_CA: cannot use .*missing\.pem/);
    fs.writeFileSync(path.join(dir, 'junk.pem'), 'hello');
    expect(() => temporalConnectionSettings({ TEMPORAL_TLS_CERT: path.join(dir, 'junk.pem'), TEMPORAL_TLS_KEY: pem('k2.pem') })).toThrow(/^TEMPORAL_TLS_CERT: cannot use .*not a PEM file/);
    expect(() => temporalConnectionSettings({ TEMPORAL_TLS_CERT: pem('c2.pem') })).toThrow(/^TEMPORAL_TLS_KEY must be set too/);
    expect(() => temporalConnectionSettings({ TEMPORAL_TLS: 'yes' })).toThrow(/^TEMPORAL_TLS must be true or false/);
    expect(() => temporalConnectionSettings({ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'k' })).toThrow(/TEMPORAL_API_KEY need TLS/);
    expect(() => tlsReloadEveryMs({ TEMPORAL_TLS_RELOAD_SECONDS: '0' })).toThrow(/^TEMPORAL_TLS_RELOAD_SECONDS must be a positive integer/);
    expect(tlsReloadEveryMs({})).toBe(30_000);
  });

  it('should stop the API with the address and settings it tried when the server does not speak TLS', async () => {
    let output = '';
    const api = spawnTs('api', 'api/main.ts', { ...process.env, PORT: String(await freePort()), HOST: '127.0.0.1', MAIL_INBOUND_PORT: '0', LOG_LEVEL: 'warn', TEMPORAL_TLS: 'true' }, { stdio: 'pipe', onOutput: (line) => (output += line) });
    await expect(api.ready).rejects.toThrow(/exited \(code 1/);
    expect(output).toContain(`cannot connect to Temporal at ${process.env.TEMPORAL_ADDRESS} (settings used: TEMPORAL_ADDRESS, TEMPORAL_TLS)`);
  }, 60_000);
});
