// Once per test run: a real PostgreSQL and a real Temporal dev server on free loopback ports (or DATABASE_URL / TEMPORAL_ADDRESS), and one shared desk.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../platform/servers/postgres';
import { startTemporalDevServer } from '../../platform/servers/temporal';
import { startDesk } from './desk';

export default async function globalSetup(): Promise<void> {
  const root = path.resolve(import.meta.dirname, '..', '..');
  // Under the project, not /tmp alone: embedded PostgreSQL as root needs a path its postgres user can traverse.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-test-'));
  fs.chmodSync(dataDir, 0o755);
  const g = globalThis as Record<string, unknown>;
  g.__guichetDataDir = dataDir;
  const log = process.env.TEST_SERVER_LOGS ? (l: string) => process.stderr.write(l + '\n') : () => {};

  if (!process.env.DATABASE_URL) {
    const pg = await startEmbeddedPostgres(dataDir, undefined, log);
    g.__guichetPg = pg;
    process.env.DATABASE_URL = pg.url;
  }
  if (!process.env.TEMPORAL_ADDRESS) {
    const temporal = await startTemporalDevServer({ toolsDir: path.join(root, '.tools'), dataDir, namespace: 'default', log });
    g.__guichetTemporal = temporal;
    process.env.TEMPORAL_ADDRESS = temporal.address;
  }
  const desk = await startDesk({ taskQueue: 'guichet-test' });
  g.__guichetDesk = desk;
  process.env.GUICHET_TEST_URL = desk.url;
  process.env.GUICHET_TEST_TASK_QUEUE = 'guichet-test';
}
