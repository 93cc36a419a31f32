// `npm start`: brings up the whole desk on embedded defaults (PostgreSQL, Temporal dev server, worker, API + console) and stops it all on Ctrl-C.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../platform/servers/postgres';
import { startTemporalDevServer, type TemporalDevServer } from '../platform/servers/temporal';
import { spawnTs, type Child } from '../platform/processes';
import { freePort } from '../platform/servers/ports';
import { seedDemo } from './demo-seed';

const config = loadConfig();
const log = createLogger('launcher', config.logLevel);
let pg: EmbeddedPostgresHandle | undefined;
let temporal: TemporalDevServer | undefined;
const children = new Map<string, Child>();
let stopping = false;

function logFile(name: string): (line: string) => void {
  const dir = path.join(config.dataDir, 'logs');
  fs.mkdirSync(dir, { recursive: true });
  const stream = fs.createWriteStream(path.join(dir, `${name}.log`), { flags: 'a' });
  return (line) => stream.write(line.endsWith('\n') ? line : line + '\n');
}

/** Keeps a desk process running: an unexpected exit is restarted with back-off, so a crashed worker comes back on its own. */
function supervise(name: string, entry: string, env: NodeJS.ProcessEnv, attempt = 0): Child {
  const child = spawnTs(name, entry, env);
  children.set(name, child);
  child.process.once('exit', (code, signal) => {
    if (stopping) return;
    const delay = Math.min(30_000, 500 * 2 ** attempt);
    log.error({ process: name, code, signal, restartInMs: delay }, 'process exited unexpectedly');
    setTimeout(() => !stopping && supervise(name, entry, env, attempt + 1), delay);
  });
  child.ready.then(() => {
    attempt = 0;
  });
  return child;
}

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping the desk');
  await Promise.all([...children.values()].map((c) => c.stop()));
  await temporal?.stop();
  await pg?.stop();
  log.info('stopped');
  process.exit(0);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  fs.mkdirSync(config.dataDir, { recursive: true });

  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    pg = await startEmbeddedPostgres(config.dataDir, config.port + 1, logFile('postgres'));
    databaseUrl = pg.url;
    log.info({ port: pg.port }, 'embedded PostgreSQL started');
  }
  let temporalAddress = config.temporalAddress;
  let temporalUi = config.temporalUiUrl;
  if (!temporalAddress) {
    temporal = await startTemporalDevServer({
      toolsDir: config.toolsDir,
      dataDir: config.dataDir,
      namespace: config.temporalNamespace,
      preferredPort: config.port + 2,
      preferredUiPort: config.port + 3,
      log: logFile('temporal'),
    });
    temporalAddress = temporal.address;
    temporalUi = temporal.uiUrl;
    log.info({ address: temporalAddress }, 'Temporal dev server started');
  }

  // The inbound SMTP endpoint runs inside the API (so a crashed API restarts it too), on PORT+4 unless set.
  const mailPort = config.mail.inboundPort ?? (await freePort(config.port + 4));
  const env = { ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_UI_URL: temporalUi ?? '', MAIL_INBOUND_PORT: String(mailPort) };
  const api = supervise('api', 'api/main.ts', env);
  const worker = supervise('worker', 'worker/main.ts', env);
  await Promise.all([api.ready, worker.ready]);

  const base = `http://${config.host}:${config.port}`;
  const usingDefaultPassword = !process.env.ADMIN_PASSWORD;
  // The demo switch: a realistic desk to try, seeded through the API; a desk that already has tickets is left alone.
  if (process.argv.includes('--demo') || process.env.DEMO === '1') {
    const demo = await seedDemo(base, { email: config.adminEmail, password: config.adminPassword }, (m) => log.info(m));
    log.info(demo.seeded ? { tickets: demo.tickets } : { reason: demo.reason }, demo.seeded ? 'demo desk seeded' : 'demo not seeded');
  }
  console.log(
    [
      '',
      'Guichet is up.',
      `  Console      ${base}/`,
      `  API          ${base}/api   (OpenAPI: ${base}/api/openapi.json, docs: ${base}/api/docs)`,
      `  Health       ${base}/healthz  ${base}/readyz`,
      `  Temporal     ${temporalAddress}${temporalUi ? `   (Web UI: ${temporalUi})` : ''}`,
      `  PostgreSQL   ${databaseUrl.replace(/:[^:@/]+@/, ':***@')}`,
      `  Mail in      smtp://${config.mail.inboundHost}:${mailPort}  (replies to ${config.mail.replyAddress.replace('@', '+<token>@')}); mail out: ${config.mail.smtpUrl ? 'SMTP_URL' : 'off (set SMTP_URL)'}`,
      `  Admin        ${config.adminEmail}${usingDefaultPassword ? ` / ${config.adminPassword}  (default: set ADMIN_PASSWORD)` : ' (password from ADMIN_PASSWORD)'}`,
      `  Data         ${config.dataDir}`,
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

main().catch(async (err) => {
  log.error({ err: err instanceof Error ? err.message : err }, 'the desk could not start');
  await shutdown('startup-failure');
  process.exit(1);
});
