// Runs the real Temporal server (built by scripts/build-temporal-server.sh) with PostgreSQL persistence and visibility:
// creates its two databases and schemas with its own SQL tool, writes its configuration with free loopback ports, starts
// it, then registers the namespace and the desk's search attributes. This is the topology production runs, on one host.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { findTemporalCli, SEARCH_ATTRIBUTES } from './temporal';
import { freePort, waitForPort } from './ports';
import { superviseServer, untilServerAnswers } from './server-process';

const run = promisify(execFile);

export interface TemporalServer {
  address: string;
  process: ChildProcess;
  stop(): Promise<void>;
  /** Stops the server and starts it again on the same ports and databases, reading its (TLS) files anew. */
  restart(): Promise<void>;
}

/** Mutual TLS on the frontend: clients must present a certificate from one of `clientCaFiles`. PEM file paths. */
export interface TemporalServerTls {
  certFile: string;
  keyFile: string;
  /** The CA that signed `certFile`, for the server's own clients (its system worker, the operator CLI). */
  caFile: string;
  /** The name `certFile` carries, when it is not the address. */
  serverName: string;
  clientCaFiles: string[];
  /** A client certificate the server's own clients present; from one of `clientCaFiles`. */
  internalCertFile: string;
  internalKeyFile: string;
}

export interface TemporalServerOptions {
  toolsDir: string;
  dataDir: string;
  /** A PostgreSQL role allowed to create databases, e.g. postgres://user:pw@127.0.0.1:5432/any. */
  postgresUrl: string;
  /** Prefix of the two databases created for the server (`<prefix>` and `<prefix>_visibility`). */
  databasePrefix: string;
  namespace: string;
  log?: (line: string) => void;
  /** Dynamic configuration beyond the defaults below (key → value). */
  dynamicConfig?: Record<string, unknown>;
  tls?: TemporalServerTls;
}

function binaries(toolsDir: string) {
  const dir = path.join(toolsDir, 'temporal-server');
  const server = path.join(dir, 'temporal-server');
  const sqlTool = path.join(dir, 'temporal-sql-tool');
  if (!fs.existsSync(server) || !fs.existsSync(sqlTool)) {
    throw new Error(`the Temporal server is not built: run 'bash scripts/build-temporal-server.sh' (builds it into ${dir})`);
  }
  return { server, sqlTool, schema: path.join(dir, 'schema', 'postgresql', 'v12') };
}

/**
 * Distinct free ports (asking one at a time could hand out the same port twice). The server records membership ports in a
 * smallint column, so all are taken below 32768, where Linux hands out no ephemeral ports by default.
 */
async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) {
    const candidate = 20_000 + Math.floor(Math.random() * 12_000);
    if (!ports.has(candidate) && (await freePort(candidate)) === candidate) ports.add(candidate);
  }
  return [...ports];
}

async function createSchemas(sqlTool: string, schemaDir: string, pg: URL, prefix: string, log: (l: string) => void): Promise<void> {
  const base = ['--plugin', 'postgres12', '--ep', pg.hostname, '-p', pg.port || '5432', '-u', decodeURIComponent(pg.username), '--pw', decodeURIComponent(pg.password)];
  for (const [db, versioned] of [[prefix, 'temporal'], [`${prefix}_visibility`, 'visibility']] as const) {
    const sql = async (...args: string[]) => {
      const { stdout, stderr } = await run(sqlTool, [...base, '--db', db, ...args]);
      log(`${stdout}${stderr}`.trim());
    };
    await sql('create-database');
    await sql('setup-schema', '-v', '0.0');
    await sql('update-schema', '-d', path.join(schemaDir, versioned, 'versioned'));
  }
}

function tlsConfigOf(tls: TemporalServerTls) {
  const client = { serverName: tls.serverName, rootCaFiles: [tls.caFile] };
  return {
    frontend: { server: { certFile: tls.certFile, keyFile: tls.keyFile, requireClientAuth: true, clientCaFiles: tls.clientCaFiles }, client },
    systemWorker: { certFile: tls.internalCertFile, keyFile: tls.internalKeyFile, client },
  };
}

function configOf(pg: URL, prefix: string, ports: number[], dynamicConfigFile: string, tls: TemporalServerTls | undefined) {
  const [frontend, frontendHttp, frontendMembership, history, historyMembership, matching, matchingMembership, worker, workerMembership, metrics] = ports;
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${pg.hostname}:${pg.port || '5432'}`,
      connectProtocol: 'tcp',
      user: decodeURIComponent(pg.username),
      password: decodeURIComponent(pg.password),
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const service = (grpcPort: number, membershipPort: number, extra: Record<string, unknown> = {}) => ({ rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra } });
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'default',
      visibilityStore: 'visibility',
      numHistoryShards: 4,
      datastores: { default: store(prefix, 20), visibility: store(`${prefix}_visibility`, 4) },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      metrics: { prometheus: { framework: 'tally', timerType: 'histogram', listenAddress: `127.0.0.1:${metrics}` } },
      ...(tls ? { tls: tlsConfigOf(tls) } : {}),
    },
    services: {
      frontend: service(frontend!, frontendMembership!, { httpPort: frontendHttp }),
      history: service(history!, historyMembership!),
      matching: service(matching!, matchingMembership!),
      worker: service(worker!, workerMembership!),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${frontend}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '10s' },
  };
}

export async function startTemporalServer(opts: TemporalServerOptions): Promise<TemporalServer> {
  const { server, sqlTool, schema } = binaries(opts.toolsDir);
  const log = opts.log ?? (() => {});
  const pg = new URL(opts.postgresUrl);
  fs.mkdirSync(opts.dataDir, { recursive: true });
  await createSchemas(sqlTool, schema, pg, opts.databasePrefix, log);

  const ports = await freePorts(10);
  const dynamicConfigFile = path.join(opts.dataDir, 'dynamic-config.yaml');
  // JSON is YAML: both files are written as JSON so no YAML library is needed to produce them.
  const dynamicConfig = {
    'frontend.enableUpdateWorkflowExecution': true,
    ...opts.dynamicConfig,
  };
  fs.writeFileSync(dynamicConfigFile, JSON.stringify(Object.fromEntries(Object.entries(dynamicConfig).map(([k, v]) => [k, [{ value: v }]])), null, 2));
  const configFile = path.join(opts.dataDir, 'temporal-server.yaml');
  fs.writeFileSync(configFile, JSON.stringify(configOf(pg, opts.databasePrefix, ports, dynamicConfigFile, opts.tls), null, 2));

  const launch = () => {
    const child = spawn(server, ['--config-file', configFile, '--allow-no-auth', 'start'], { stdio: ['ignore', 'pipe', 'pipe'] });
    return { child, ...superviseServer('temporal server', child, log, 15_000) };
  };
  let current = launch();
  const { exited, stop } = current;

  const address = `127.0.0.1:${ports[0]}`;
  const tlsFlags = opts.tls
    ? ['--tls-ca-path', opts.tls.caFile, '--tls-cert-path', opts.tls.internalCertFile, '--tls-key-path', opts.tls.internalKeyFile, '--tls-server-name', opts.tls.serverName]
    : [];
  try {
    await Promise.race([waitForPort(ports[0]!, 60_000), exited]);
    const cli = findTemporalCli(opts.toolsDir);
    // A first attempt may have taken effect before its answer was lost: "already exists" is then success.
    const operator = (...args: string[]) =>
      run(cli, ['operator', ...args, '--address', address, ...tlsFlags]).catch((err: Error & { stderr?: string }) => {
        if (!/already (exists|registered)/i.test(`${err.message} ${err.stderr ?? ''}`)) throw err;
      });
    await Promise.race([untilServerAnswers('Temporal server, creating the namespace', () => operator('namespace', 'create', '--namespace', opts.namespace, '--retention', '72h')), exited]);
    for (const attribute of SEARCH_ATTRIBUTES) {
      const [name, type] = attribute.split('=');
      await untilServerAnswers(`Temporal server, registering ${name}`, () => operator('search-attribute', 'create', '--namespace', opts.namespace, '--name', name!, '--type', type!));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    address,
    get process() {
      return current.child;
    },
    stop: () => current.stop(),
    async restart() {
      await current.stop();
      current = launch();
      await Promise.race([waitForPort(ports[0]!, 60_000), current.exited]);
    },
  };
}
