// Starts an API and a worker as real child processes against the run's PostgreSQL and Temporal, on a free port and its own task queue.
import path from 'node:path';
import { freePort, waitForPort } from '../../platform/servers/ports';
import pg from 'pg';
import { spawnTs, type Child } from '../../platform/processes';
import { ADMIN, Session, unique } from './http';

export interface Desk {
  url: string;
  env: NodeJS.ProcessEnv;
  /** The API's inbound SMTP endpoint on 127.0.0.1. */
  mailPort: number;
  api: Child;
  worker: Child;
  /** Replaces the worker handle with a new worker process. */
  startWorker(): Promise<Child>;
  /** Another worker on the same task queue, stopped with the desk unless stopped before. */
  addWorker(): Promise<Child>;
  /** Replaces the API process (same port) with a new one. */
  startApi(): Promise<Child>;
  stop(): Promise<void>;
}

/** `env` adds to or overrides the desk's environment (e.g. single sign-on settings). */
export async function startDesk(opts: { taskQueue: string; env?: NodeJS.ProcessEnv }): Promise<Desk> {
  const port = opts.env?.PORT ? Number(opts.env.PORT) : await freePort();
  // The API binds its SMTP endpoint to any free port and says which in its ready message (no race for a chosen port).
  let mailPort = opts.env?.MAIL_INBOUND_PORT ? Number(opts.env.MAIL_INBOUND_PORT) : 0;
  const hearMailPort = (child: Child) => child.process.on('message', (m: { mailPort?: number }) => m?.mailPort && (mailPort = m.mailPort));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    TEMPORAL_TASK_QUEUE: opts.taskQueue,
    LOG_LEVEL: process.env.TEST_SERVER_LOGS ? 'info' : 'warn',
    ADMIN_EMAIL: 'admin@guichet.test',
    ADMIN_PASSWORD: 'admin-password-for-tests',
    // Every test logs in from 127.0.0.1; the limiter itself is unit-tested.
    PUBLIC_RATE_LIMIT_PER_MINUTE: '100000',
    // Suites stop workers on purpose (restarts, outages); backpressure has its own suite with its own bound.
    BACKPRESSURE_MAX_BACKLOG_SECONDS: '600',
    BACKPRESSURE_MAX_TIMER_LATENESS_MS: '0',
    MAIL_INBOUND_PORT: String(mailPort),
    ...opts.env,
  };
  const stdio = process.env.TEST_SERVER_LOGS ? 'inherit' : 'ignore';
  const api = spawnTs('api', 'api/main.ts', env, { stdio });
  hearMailPort(api);
  let worker = spawnTs('worker', 'worker/main.ts', env, { stdio });
  let api_ = api;
  const extra: Child[] = [];
  await Promise.all([api.ready, worker.ready]);
  await waitForPort(port, 10_000);
  const desk: Desk = {
    url: `http://127.0.0.1:${port}`,
    env,
    get mailPort() {
      return mailPort;
    },
    get api() {
      return api_;
    },
    get worker() {
      return worker;
    },
    async addWorker() {
      const w = spawnTs('worker', 'worker/main.ts', env, { stdio });
      extra.push(w);
      await w.ready;
      return w;
    },
    async startApi() {
      api_ = spawnTs('api', 'api/main.ts', env, { stdio });
      hearMailPort(api_);
      await api_.ready;
      await waitForPort(port, 10_000);
      return api_;
    },
    async startWorker() {
      worker = spawnTs('worker', 'worker/main.ts', env, { stdio });
      await worker.ready;
      return worker;
    },
    async stop() {
      await Promise.all([api_.stop(), worker.stop(), ...extra.map((w) => w.stop())]);
    },
  };
  return desk;
}

/**
 * One more API process on a free port against the run's PostgreSQL and Temporal (and the shared desk's task queue), with
 * `env` on top; for suites that need an API of their own (replicas, shutdown). Stopped by the caller.
 */
export async function startApiProcess(env: NodeJS.ProcessEnv = {}): Promise<{ url: string; port: number; child: Child }> {
  const port = await freePort();
  const child = spawnTs('api', 'api/main.ts', {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ADMIN_EMAIL: 'admin@guichet.test',
    ADMIN_PASSWORD: 'admin-password-for-tests',
    TEMPORAL_TASK_QUEUE: process.env.GUICHET_TEST_TASK_QUEUE,
    MAIL_INBOUND_PORT: '0',
    ...env,
  }, { stdio: process.env.TEST_SERVER_LOGS ? 'inherit' : 'ignore' });
  await child.ready;
  await waitForPort(port, 10_000);
  return { url: `http://127.0.0.1:${port}`, port, child };
}

/** A new, empty database on the run's PostgreSQL server, for a suite that needs a desk of its own: its URL. */
export async function freshDatabaseUrl(prefix: string): Promise<string> {
  const database = `${prefix}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  const root = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await root.connect();
  try {
    await root.query(`create database ${database}`);
  } finally {
    await root.end();
  }
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A first-party plug-in's folder (plugins/{name}), as PLUGINS names it. */
export const firstPartyPlugin = (name: string): string => path.resolve(import.meta.dirname, '..', '..', 'plugins', name);

export interface PluginDesk {
  desk: Desk;
  /** The seeded admin, signed in. */
  admin: Session;
  databaseUrl: string;
  taskQueue: string;
}

/** A desk of its own on a fresh database (named after `name`) loading the plug-in folders `plugins`, its admin signed in. */
export async function startPluginDesk(name: string, plugins: string[], env: NodeJS.ProcessEnv = {}): Promise<PluginDesk> {
  const databaseUrl = await freshDatabaseUrl(name);
  const taskQueue = unique(`guichet-${name}`);
  const desk = await startDesk({ taskQueue, env: { DATABASE_URL: databaseUrl, PLUGINS: plugins.join(','), ...env } });
  return { desk, admin: await Session.login(ADMIN.email, ADMIN.password, desk.url), databaseUrl, taskQueue };
}

/**
 * Registers startPluginDesk for the whole test file (call it once, at the top level): started before all tests,
 * stopped after all, and read through getters inside tests and hooks.
 */
export function usePluginDesk(name: string, plugins: string[], env: NodeJS.ProcessEnv = {}): PluginDesk {
  let started: PluginDesk | undefined;
  beforeAll(async () => {
    started = await startPluginDesk(name, plugins, env);
  }, 120_000);
  afterAll(async () => {
    await started?.desk.stop();
  });
  const get = (): PluginDesk => {
    if (!started) throw new Error('the desk is not started yet: use it inside a test or hook');
    return started;
  };
  return {
    get desk() {
      return get().desk;
    },
    get admin() {
      return get().admin;
    },
    get databaseUrl() {
      return get().databaseUrl;
    },
    get taskQueue() {
      return get().taskQueue;
    },
  };
}
