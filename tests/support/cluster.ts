// What the cluster suites share: a database of their own on the run's PostgreSQL, the real Temporal server on it, and
// the environment every API replica and worker of that cluster starts with.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ROOT } from '../../platform/processes';
import { startTemporalServer, type TemporalServer, type TemporalServerTls } from '../../platform/servers/temporal-server';
import { ADMIN } from './http';

export interface ClusterServers {
  suffix: string;
  dir: string;
  temporal: TemporalServer;
  databaseUrl: string;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export const serverLog = process.env.TEST_SERVER_LOGS ? (l: string) => process.stderr.write(`${l}\n`) : () => {};
export const childStdio = process.env.TEST_SERVER_LOGS ? 'inherit' : 'ignore';

export async function startClusterServers(name: string, taskQueue: string, opts: { tls?: TemporalServerTls } = {}): Promise<ClusterServers> {
  const suffix = crypto.randomBytes(4).toString('hex');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `guichet-${name}-`));
  fs.chmodSync(dir, 0o755);
  const database = `guichet_${name.replace(/-/g, '_')}_${suffix}`;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${database}`);
  await admin.end();
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${database}`;
  const temporal = await startTemporalServer({
    toolsDir: path.join(ROOT, '.tools'),
    dataDir: path.join(dir, 'temporal'),
    postgresUrl: process.env.DATABASE_URL!,
    databasePrefix: `temporal_${name.replace(/-/g, '_')}_${suffix}`,
    namespace: 'default',
    log: serverLog,
    tls: opts.tls,
  });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: url.toString(),
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_SERVER_LOGS ? 'info' : 'warn',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    PUBLIC_RATE_LIMIT_PER_MINUTE: '100000',
    // Restarts under load make timers late on purpose; the load must still be taken (backpressure has its own suite).
    BACKPRESSURE_MAX_BACKLOG_SECONDS: '600',
    BACKPRESSURE_MAX_TIMER_LATENESS_MS: '0',
    MAIL_INBOUND_PORT: '0',
  };
  return {
    suffix,
    dir,
    temporal,
    databaseUrl: url.toString(),
    env,
    async stop() {
      await temporal.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
