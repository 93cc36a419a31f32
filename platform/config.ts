// Reads the desk's configuration from the environment once, with defaults that work out of the box.
import path from 'node:path';

export interface Config {
  /** Port of the API and the web console. */
  port: number;
  host: string;
  dataDir: string;
  /** External PostgreSQL; when absent the launcher starts an embedded one. */
  databaseUrl: string | undefined;
  /** External Temporal frontend (host:port); when absent the launcher starts the Temporal dev server. */
  temporalAddress: string | undefined;
  temporalNamespace: string;
  taskQueue: string;
  adminEmail: string;
  adminPassword: string;
  logLevel: string;
  toolsDir: string;
  webDist: string;
  sessionTtlHours: number;
  /** Public URL of the Temporal Web UI, for links from the console. */
  temporalUiUrl: string | undefined;
}

export const DEFAULT_ADMIN_EMAIL = 'admin@guichet.local';
export const DEFAULT_ADMIN_PASSWORD = 'guichet-admin';

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got '${value}'`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const root = path.resolve(import.meta.dirname, '..');
  return {
    port: int(env.PORT, 8080, 'PORT'),
    host: env.HOST || '127.0.0.1',
    dataDir: path.resolve(env.DATA_DIR || path.join(root, '.data')),
    databaseUrl: env.DATABASE_URL || undefined,
    temporalAddress: env.TEMPORAL_ADDRESS || undefined,
    temporalNamespace: env.TEMPORAL_NAMESPACE || 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE || 'guichet',
    adminEmail: env.ADMIN_EMAIL || DEFAULT_ADMIN_EMAIL,
    adminPassword: env.ADMIN_PASSWORD || DEFAULT_ADMIN_PASSWORD,
    logLevel: env.LOG_LEVEL || 'info',
    toolsDir: path.resolve(env.GUICHET_TOOLS_DIR || path.join(root, '.tools')),
    webDist: path.resolve(env.WEB_DIST || path.join(root, 'web', 'dist')),
    sessionTtlHours: int(env.SESSION_TTL_HOURS, 12, 'SESSION_TTL_HOURS'),
    temporalUiUrl: env.TEMPORAL_UI_URL || undefined,
  };
}

/** Fails fast with the names of what is missing, for processes that need external servers. */
export function requireServers(config: Config): { databaseUrl: string; temporalAddress: string } {
  const missing = [!config.databaseUrl && 'DATABASE_URL', !config.temporalAddress && 'TEMPORAL_ADDRESS'].filter(Boolean);
  if (missing.length) throw new Error(`${missing.join(' and ')} must be set (npm start sets them for embedded servers)`);
  return { databaseUrl: config.databaseUrl!, temporalAddress: config.temporalAddress! };
}
