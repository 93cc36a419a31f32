// The compose deployment is valid as Docker Compose reads it: `docker compose config` only parses, interpolates
// and validates (no Docker engine, no network). Skipped, loudly, where there is no docker CLI to run it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const COMPOSE_FILE = 'docker-compose.yml';
const OVERRIDES = ['deploy/compose.external-postgres.yml', 'deploy/compose.external-temporal.yml', 'deploy/compose.external.yml'];
const SECRETS = {
  POSTGRES_PASSWORD: 'test-superuser-password',
  GUICHET_DB_PASSWORD: 'test-guichet-password',
  TEMPORAL_DB_PASSWORD: 'test-temporal-password',
  ADMIN_PASSWORD: 'test-admin-password',
};

// scripts/build-compose.sh puts a Compose plugin here when the machine has none; the docker CLI finds it through DOCKER_CONFIG.
const PROJECT_DOCKER_CONFIG = path.join(ROOT, '.tools', 'docker');
const dockerConfig = process.env.DOCKER_CONFIG ?? (fs.existsSync(path.join(PROJECT_DOCKER_CONFIG, 'cli-plugins', 'docker-compose')) ? PROJECT_DOCKER_CONFIG : undefined);

function composeAvailable(): { ok: true } | { ok: false; why: string } {
  const r = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...(dockerConfig ? { DOCKER_CONFIG: dockerConfig } : {}) } });
  if (r.error) return { ok: false, why: `docker CLI not runnable (${r.error.message})` };
  if (r.status !== 0) return { ok: false, why: `'docker compose version' failed: ${(r.stderr || r.stdout).trim()}` };
  return { ok: true };
}

const available = composeAvailable();
if (!available.ok) {
  console.warn(`[compose.test] SKIPPED: the docker CLI with its compose plugin is needed to validate ${COMPOSE_FILE}: ${available.why}`);
}
const composeIt = available.ok ? it : it.skip;

// Compose reads variables from the process environment and from a .env beside the file: give it only what the test
// chooses (the jest global setup exports TEMPORAL_ADDRESS / DATABASE_URL, which would otherwise be interpolated).
let envFile: string;
beforeAll(() => {
  envFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-compose-')), 'empty.env');
  fs.writeFileSync(envFile, '');
});
afterAll(() => fs.rmSync(path.dirname(envFile), { recursive: true, force: true }));

function compose(args: string[], vars: Record<string, string> = SECRETS, files: string[] = [COMPOSE_FILE]) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...vars };
  if (dockerConfig) env.DOCKER_CONFIG = dockerConfig;
  return spawnSync('docker', ['compose', '--env-file', envFile, ...files.flatMap((f) => ['-f', f]), ...args], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  ports?: Array<{ target: number; published: string; host_ip?: string }>;
  deploy?: { replicas?: number; resources?: { limits?: { cpus?: string; memory?: string | number } } };
  healthcheck?: { disable?: boolean; test?: string[] };
  volumes?: Array<{ type: string; source?: string; target: string; read_only?: boolean }>;
  profiles?: string[];
}

function configJson(vars: Record<string, string> = SECRETS, files: string[] = [COMPOSE_FILE]): { services: Record<string, Service>; volumes?: Record<string, unknown> } {
  const r = compose(['config', '--format', 'json'], vars, files);
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

describe(`${COMPOSE_FILE}`, () => {
  composeIt('should pass docker compose config --quiet', () => {
    const r = compose(['config', '--quiet']);
    expect(r.stderr.trim()).toBe('');
    expect(r.status).toBe(0);
  });

  composeIt('should refuse to render while a required secret is missing', () => {
    for (const missing of Object.keys(SECRETS)) {
      const vars: Record<string, string> = { ...SECRETS };
      delete vars[missing];
      const r = compose(['config', '--quiet'], vars);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(missing);
    }
  });

  composeIt('should define the desk, its PostgreSQL, Temporal and the Temporal UI, wired by health conditions', () => {
    const { services, volumes } = configJson();
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['api', 'api-2', 'proxy', 'worker', 'postgres', 'temporal', 'temporal-ui', 'temporal-schema', 'temporal-namespace']));

    const { api, worker, postgres, temporal, proxy } = services;
    const api2 = services['api-2'];
    expect(api.depends_on).toMatchObject({
      postgres: { condition: 'service_healthy' },
      temporal: { condition: 'service_healthy' },
      'temporal-namespace': { condition: 'service_completed_successfully' },
    });
    expect(worker.depends_on).toMatchObject({
      postgres: { condition: 'service_healthy' },
      'temporal-namespace': { condition: 'service_completed_successfully' },
      api: { condition: 'service_healthy' },
    });
    expect(temporal.depends_on).toMatchObject({ 'temporal-schema': { condition: 'service_completed_successfully' } });
    expect(services['temporal-namespace'].depends_on).toMatchObject({ temporal: { condition: 'service_healthy' } });

    // One image, two commands; the worker runs two replicas and has no HTTP health check.
    expect(worker.image).toBe(api.image);
    expect(api.command).toEqual(['node', '--import', 'tsx', 'api/main.ts']);
    expect(worker.command).toEqual(['node', '--import', 'tsx', 'worker/main.ts']);
    expect(worker.deploy?.replicas).toBe(2);
    expect(worker.healthcheck?.disable).toBe(true);
    // Two API replicas behind the proxy, which alone is published, with the proxy file the cluster tests run.
    expect(api2.image).toBe(api.image);
    expect(api2.command).toEqual(api.command);
    expect(api2.environment).toEqual(api.environment);
    expect(api2.depends_on).toEqual({ api: expect.objectContaining({ condition: 'service_healthy' }) });
    expect(api.ports ?? []).toEqual([]);
    expect(api2.ports ?? []).toEqual([]);
    expect(proxy.image).toMatch(/^haproxy:/);
    expect(proxy.ports).toEqual([expect.objectContaining({ target: 8080, published: '8080' })]);
    expect(proxy.environment).toMatchObject({ API_1: 'api:8080', API_2: 'api-2:8080' });
    expect(proxy.volumes).toEqual([expect.objectContaining({ type: 'bind', target: '/usr/local/etc/haproxy/haproxy.cfg', read_only: true })]);
    expect(proxy.volumes![0]!.source).toBe(path.join(ROOT, 'deploy', 'haproxy.cfg'));
    for (const service of [api, api2, worker, proxy]) expect(service.deploy?.resources?.limits?.memory).toBeTruthy();
    expect(api.environment).toMatchObject({
      TRUST_PROXY: 'true',
      DRAIN_SECONDS: '3',
      BACKPRESSURE_MAX_TIMERS_PER_SECOND: '0',
      HOST: '0.0.0.0',
      DATABASE_URL: `postgres://guichet:${SECRETS.GUICHET_DB_PASSWORD}@postgres:5432/guichet`,
      TEMPORAL_ADDRESS: 'temporal:7233',
      ADMIN_PASSWORD: SECRETS.ADMIN_PASSWORD,
    });
    expect(worker.environment?.DATABASE_URL).toBe(api.environment?.DATABASE_URL);

    expect(postgres.image).toMatch(/^postgres:16/);
    expect(postgres.healthcheck?.test?.join(' ')).toContain('pg_isready');
    expect(postgres.volumes).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'volume', target: '/var/lib/postgresql/data' })]));
    expect(Object.keys(volumes ?? {})).toContain('postgres-data');
    expect(temporal.image).toMatch(/^temporalio\/server:/);
    expect(services['temporal-schema'].image).toMatch(/^temporalio\/admin-tools:/);
    expect(services['temporal-ui'].image).toMatch(/^temporalio\/ui:/);
  });

  composeIt('should take the worker count and the API port from the environment', () => {
    const { services } = configJson({ ...SECRETS, WORKER_REPLICAS: '5', GUICHET_PORT: '18080' });
    expect(services.worker.deploy?.replicas).toBe(5);
    expect(services.proxy.ports).toEqual([expect.objectContaining({ target: 8080, published: '18080' })]);
  });

  it('should have the helper files it mounts', () => {
    for (const file of ['deploy/haproxy.cfg', 'deploy/temporal/setup-schema.sh', 'deploy/temporal/setup-namespace.sh', 'deploy/temporal/dynamicconfig/guichet.yaml', 'deploy/postgres/initdb.d/10-guichet-roles.sh']) {
      expect(fs.existsSync(path.join(ROOT, file))).toBe(true);
    }
    const namespaceScript = fs.readFileSync(path.join(ROOT, 'deploy/temporal/setup-namespace.sh'), 'utf8');
    for (const attribute of ['GuichetTicketType', 'GuichetDefinition', 'GuichetTicketNumber']) expect(namespaceScript).toContain(attribute);
  });

  describe.each(OVERRIDES)('with the override %s', (override) => {
    composeIt('should render, and no service should depend on a disabled one', () => {
      const files = [COMPOSE_FILE, override];
      const quiet = compose(['config', '--quiet'], { ...SECRETS, GUICHET_DATABASE_URL: 'postgres://u:p@db.example.test:5432/guichet', TEMPORAL_ADDRESS: 'temporal.example.test:7233' }, files);
      expect(quiet.stderr.trim()).toBe('');
      expect(quiet.status).toBe(0);
      const { services } = configJson({ ...SECRETS, GUICHET_DATABASE_URL: 'postgres://u:p@db.example.test:5432/guichet', TEMPORAL_ADDRESS: 'temporal.example.test:7233' }, files);
      expect(Object.keys(services)).toEqual(expect.arrayContaining(['api', 'worker', 'temporal-namespace']));
      for (const [name, service] of Object.entries(services)) {
        for (const dependency of Object.keys(service.depends_on ?? {})) expect([name, Object.keys(services)]).toEqual([name, expect.arrayContaining([dependency])]);
      }
    });
  });
});
