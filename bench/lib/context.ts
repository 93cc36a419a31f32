// What every benchmark shares: embedded PostgreSQL and the Temporal dev server in a temp dir (BENCH_TEMPORAL=server: the real
// Temporal server on that PostgreSQL; or DATABASE_URL / TEMPORAL_ADDRESS),
// a desk (real API + worker child processes), an admin session, a pg pool, a Temporal client and an in-process worker for the baseline workflows.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../platform/servers/postgres';
import { startTemporalDevServer, type TemporalDevServer } from '../../platform/servers/temporal';
import { startTemporalServer, type TemporalServer } from '../../platform/servers/temporal-server';
import { ROOT } from '../../platform/processes';
import { startDesk, type Desk } from '../../tests/support/desk';
import { ADMIN, Session } from '../../tests/support/http';
import { log } from './load';
import type { CpuRoots } from './cpu';

export type Scale = 'default' | 'full';

export interface BenchContext {
  scale: Scale;
  full: boolean;
  startedAt: Date;
  desk: Desk;
  admin: Session;
  databaseUrl: string;
  temporalAddress: string;
  namespace: string;
  /** Started by the bench (false when DATABASE_URL / TEMPORAL_ADDRESS pointed elsewhere). */
  ownServers: { postgres: boolean; temporal: boolean };
  pool: pg.Pool;
  temporal: Client;
  /** Task queue of the in-process worker that runs bench/empty-workflow.ts. */
  baselineTaskQueue: string;
  machine: Record<string, unknown>;
  /** Root pids of the API, worker, Temporal and PostgreSQL process trees and of the bench itself, for the CPU split (lib/cpu.ts). */
  cpuRoots(): CpuRoots;
  stop(): Promise<void>;
}

export const DESK_TASK_QUEUE = 'guichet-bench';

export async function startContext(scale: Scale): Promise<BenchContext> {
  const startedAt = new Date();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        log(`teardown step failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };
  try {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-bench-'));
    // As root, embedded PostgreSQL runs as the postgres user, which must traverse the data dir.
    fs.chmodSync(dataDir, 0o755);
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const serverLog = process.env.BENCH_SERVER_LOGS ? (l: string) => process.stderr.write(l + '\n') : () => {};

    const ownServers = { postgres: !process.env.DATABASE_URL, temporal: !process.env.TEMPORAL_ADDRESS };
    if (ownServers.postgres) {
      log(`starting embedded PostgreSQL in ${dataDir}`);
      const pgServer: EmbeddedPostgresHandle = await startEmbeddedPostgres(dataDir, undefined, serverLog);
      cleanups.push(() => pgServer.stop());
      process.env.DATABASE_URL = pgServer.url;
    }
    let temporalPid: number | undefined;
    let postmasterPid: number | undefined;
    if (ownServers.postgres) {
      const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
      if (fs.existsSync(pidFile)) postmasterPid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    }
    if (ownServers.temporal && process.env.BENCH_TEMPORAL === 'server') {
      // The real server (scripts/build-temporal-server.sh) on the same PostgreSQL, as production runs it.
      log('starting the Temporal server (PostgreSQL persistence)');
      const temporalServer: TemporalServer = await startTemporalServer({
        toolsDir: process.env.GUICHET_TOOLS_DIR || path.join(ROOT, '.tools'),
        dataDir: path.join(dataDir, 'temporal-server'),
        postgresUrl: process.env.DATABASE_URL!,
        databasePrefix: 'temporal_bench',
        namespace: process.env.TEMPORAL_NAMESPACE || 'default',
        log: serverLog,
      });
      cleanups.push(() => temporalServer.stop());
      temporalPid = temporalServer.process.pid;
      process.env.TEMPORAL_ADDRESS = temporalServer.address;
    } else if (ownServers.temporal) {
      log('starting the Temporal dev server');
      const temporalServer: TemporalDevServer = await startTemporalDevServer({
        toolsDir: process.env.GUICHET_TOOLS_DIR || path.join(ROOT, '.tools'),
        dataDir,
        namespace: process.env.TEMPORAL_NAMESPACE || 'default',
        log: serverLog,
      });
      cleanups.push(() => temporalServer.stop());
      temporalPid = temporalServer.process.pid;
      process.env.TEMPORAL_ADDRESS = temporalServer.address;
    }
    const databaseUrl = process.env.DATABASE_URL!;
    const temporalAddress = process.env.TEMPORAL_ADDRESS!;
    const namespace = process.env.TEMPORAL_NAMESPACE || 'default';

    log('starting the desk (API + worker child processes)');
    // The CRM connector and the IMAP fetch are loaded for their benchmarks; until they are configured they do nothing.
    // Mail from unknown senders opens tickets (the mail intake benchmark sends from new customers).
    const desk = await startDesk({
      taskQueue: DESK_TASK_QUEUE,
      env: { PLUGINS: [path.join(ROOT, 'plugins', 'crm'), path.join(ROOT, 'plugins', 'imap')].join(','), MAIL_INBOUND_CREATE_CUSTOMERS: 'true', MAIL_INBOUND_PER_SENDER_PER_HOUR: '100000' },
    });
    cleanups.push(() => desk.stop());
    const admin = await Session.login(ADMIN.email, ADMIN.password, desk.url);

    const pool = new pg.Pool({ connectionString: databaseUrl, max: 40 });
    cleanups.push(() => pool.end());

    const connection = await Connection.connect({ address: temporalAddress });
    cleanups.push(() => connection.close());
    const temporal = new Client({ connection, namespace });

    const baselineTaskQueue = `bench-baseline-${process.pid}`;
    log('bundling the baseline workflows and starting their in-process worker');
    const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
    cleanups.push(() => nativeConnection.close());
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace,
      taskQueue: baselineTaskQueue,
      workflowsPath: path.resolve(import.meta.dirname, '..', 'empty-workflow.ts'),
      maxConcurrentWorkflowTaskExecutions: 200,
      maxCachedWorkflows: 10_000,
    });
    const running = worker.run();
    cleanups.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });

    const cpus = os.cpus();
    const machine = {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model,
      totalMemMiB: Math.round(os.totalmem() / 2 ** 20),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      postgres: ownServers.postgres ? 'embedded' : 'external (DATABASE_URL)',
      temporal: !ownServers.temporal
        ? 'external (TEMPORAL_ADDRESS)'
        : process.env.BENCH_TEMPORAL === 'server'
          ? 'Temporal server (PostgreSQL persistence and visibility)'
          : 'temporal CLI dev server (SQLite)',
    };
    return { scale, full: scale === 'full', startedAt, desk, admin, databaseUrl, temporalAddress, namespace, ownServers, pool, temporal, baselineTaskQueue, machine, stop,
      cpuRoots: () => ({ api: desk.api.process.pid, worker: desk.worker.process.pid, temporal: temporalPid, postgres: postmasterPid, bench: process.pid }),
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
