// Mutual TLS with the real Temporal server, and a client certificate rotated under a running desk: the API and the worker
// notice the new files and reconnect with them, without a restart. Once the server trusts only the new CA (and has
// dropped every connection by restarting), the desk still opens and records tickets, while the old certificate is refused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { spawnTs, type Child } from '../../platform/processes';
import { freePort, waitForPort } from '../../platform/servers/ports';
import { makeCa, makeLeaf, type Pem } from '../support/certs';
import { startClusterServers, type ClusterServers } from '../support/cluster';
import { ADMIN, Session, eventually, unique } from '../support/http';

let servers: ClusterServers;
let api: Child;
let worker: Child;
let url: string;
let dir: string;
let serverCa: Pem;
let oldClient: Pem;
let newClient: Pem;
const output = { api: '', worker: '' };
const files = { cert: '', key: '', trusted: '' };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-mtls-'));
  fs.chmodSync(dir, 0o755);
  serverCa = makeCa(dir, 'server-ca');
  const serverLeaf = makeLeaf(dir, 'temporal-frontend', serverCa, 'server');
  const internalCa = makeCa(dir, 'internal-ca');
  const internal = makeLeaf(dir, 'temporal-system-worker', internalCa, 'client');
  const oldCa = makeCa(dir, 'desk-ca-2025');
  const newCa = makeCa(dir, 'desk-ca-2026');
  oldClient = makeLeaf(dir, 'desk-2025', oldCa, 'client');
  newClient = makeLeaf(dir, 'desk-2026', newCa, 'client');
  // What the desk reads (TEMPORAL_TLS_CERT / _KEY), and which desk CAs the server trusts: as in a real rotation, the
  // new CA is trusted beside the old one before any client presents a certificate from it.
  files.cert = path.join(dir, 'desk-client.pem');
  files.key = path.join(dir, 'desk-client.key');
  files.trusted = path.join(dir, 'trusted-desk-ca.pem');
  fs.copyFileSync(oldClient.cert, files.cert);
  fs.copyFileSync(oldClient.key, files.key);
  fs.writeFileSync(files.trusted, fs.readFileSync(oldCa.cert, 'utf8') + fs.readFileSync(newCa.cert, 'utf8'));

  servers = await startClusterServers('mtls', 'guichet-mtls', {
    tls: { certFile: serverLeaf.cert, keyFile: serverLeaf.key, caFile: serverCa.cert, serverName: 'localhost', clientCaFiles: [files.trusted, internalCa.cert], internalCertFile: internal.cert, internalKeyFile: internal.key },
  });
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const env = {
    ...servers.env,
    PORT: String(port),
    LOG_LEVEL: 'info',
    TEMPORAL_TLS_CA: serverCa.cert,
    TEMPORAL_TLS_SERVER_NAME: 'localhost',
    TEMPORAL_TLS_CERT: files.cert,
    TEMPORAL_TLS_KEY: files.key,
    TEMPORAL_TLS_RELOAD_SECONDS: '1',
  };
  api = spawnTs('api', 'api/main.ts', env, { stdio: 'pipe', onOutput: (l) => (output.api += l) });
  worker = spawnTs('worker', 'worker/main.ts', env, { stdio: 'pipe', onOutput: (l) => (output.worker += l) });
  await Promise.all([api.ready, worker.ready]);
  await waitForPort(port, 10_000);
}, 240_000);

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop()]);
  await servers?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const connectWith = (client: Pem) =>
  Connection.connect({
    address: servers.temporal.address,
    tls: { serverRootCACertificate: fs.readFileSync(serverCa.cert), serverNameOverride: 'localhost', clientCertPair: { crt: fs.readFileSync(client.cert), key: fs.readFileSync(client.key) } },
    connectTimeout: '5 seconds',
  });

/** Until the API and the worker have each logged `text` (what they say when they look at the rotated files). */
async function bothSay(text: string): Promise<void> {
  await eventually(async () => (output.api.includes(text) && output.worker.includes(text) ? true : undefined), 20_000, 200).catch((err: Error) => {
    throw new Error(`${err.message}: waiting for both to say '${text}'\napi: ${output.api.slice(-3000)}\nworker: ${output.worker.slice(-3000)}`);
  });
}

async function openAndRecord(admin: Session): Promise<void> {
  const res = await admin.post('/api/tickets', { type: 'incident', title: unique('over mutual TLS'), priority: 'low' });
  expect(res.status).toBe(201);
  await eventually(async () => ((await admin.get(`/api/tickets/${res.body.id}/timeline`)).body.items?.some((e: { type: string }) => e.type === 'created') ? true : undefined), 30_000);
}

it('should work over mutual TLS and move to a rotated client certificate without a restart', async () => {
  const admin = await Session.login(ADMIN.email, ADMIN.password, url);
  await openAndRecord(admin);

  // A rotation written file by file: the new certificate before its key is a pair that cannot be used yet.
  fs.copyFileSync(newClient.cert, files.cert);
  await bothSay('cannot be used yet');
  fs.copyFileSync(newClient.key, files.key);
  await bothSay('reconnected with them');

  // The server now trusts only the new CA, and its restart drops every connection made before.
  fs.copyFileSync(path.join(dir, 'desk-ca-2026.pem'), files.trusted);
  await servers.temporal.restart();
  await expect(connectWith(oldClient).then((c) => c.close())).rejects.toThrow();
  const fresh = await connectWith(newClient);
  await fresh.close();

  // The same API and worker processes, on their new connections.
  await eventually(async () => ((await admin.post('/api/tickets', { type: 'incident', title: unique('probe'), priority: 'low' })).status === 201 ? true : undefined), 60_000, 500);
  await openAndRecord(admin);
  expect(api.process.exitCode).toBeNull();
  expect(worker.process.exitCode).toBeNull();
}, 240_000);
