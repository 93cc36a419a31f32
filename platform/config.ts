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
  /** Worker versioning: the worker joins this deployment as this build (TEMPORAL_WORKER_BUILD_ID); unset: unversioned. */
  workerDeployment: { name: string; buildId: string } | undefined;
  /** The worker makes its build the deployment's current one once it polls, if none is yet (TEMPORAL_WORKER_PROMOTE). */
  promoteWorkerBuild: boolean;
  adminEmail: string;
  adminPassword: string;
  logLevel: string;
  toolsDir: string;
  webDist: string;
  sessionTtlHours: number;
  /** Requests per minute and client address on the public routes. */
  publicRateLimitPerMinute: number;
  /** Behind a reverse proxy: take the client address from its X-Forwarded-For (the address it saw), never otherwise. */
  trustProxy: boolean;
  /** Ticket creation answers 503 while the oldest waiting workflow task is older than this (0: never). */
  backpressureMaxBacklogSeconds: number;
  backpressureMaxTimerLatenessMs: number;
  backpressureMaxTimersPerSecond: number;
  /** Seconds the API keeps serving after SIGTERM with readiness failing, before it closes (0: close at once). */
  drainSeconds: number;
  /** Public URL of the Temporal Web UI, for links from the console. */
  temporalUiUrl: string | undefined;
  /** OpenID Connect single sign-on; undefined when OIDC_ISSUER is unset. */
  oidc?: OidcConfig;
  webhooks: WebhookConfig;
  mail: MailConfig;
  /** New attachments go to this S3-compatible store (ATTACHMENTS_STORE=s3); undefined: into PostgreSQL. */
  objectStore: ObjectStoreSettings | undefined;
  /** Plug-ins to load (PLUGINS, comma-separated): folders (absolute or relative to the working directory) or npm packages. */
  plugins: string[];
}

export interface ObjectStoreSettings {
  bucket: string;
  /** Key prefix of the desk's objects, e.g. `attachments/`. */
  prefix: string;
  region: string;
  /** Another S3-compatible service than AWS, addressed path-style; unset: AWS S3. */
  endpoint?: string;
  /** Both or neither; neither: the AWS SDK's own chain (environment, instance role). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** How often deleted files' objects are removed from the store. */
  sweepSeconds: number;
}

export interface WebhookConfig {
  /** AES-256-GCM key (32 bytes, base64) encrypting signing secrets at rest; unset stores them plainly (see README). */
  secretsKey: Buffer | undefined;
  /** First retry delay of a failed delivery; doubles up to maxIntervalMs. */
  initialIntervalMs: number;
  maxIntervalMs: number;
  /** How long one delivery keeps being retried before it is given up (at least 24 h in production). */
  retryWindowSeconds: number;
  /** A subscription is disabled after this many deliveries given up in a row... */
  disableAfterFailures: number;
  /** ...or when it has failed without a success for this long. */
  disableAfterHours: number;
}

export interface MailConfig {
  /** Outbound SMTP (smtp:// or smtps://, credentials in the URL); undefined: mail is off and the desk still runs. */
  smtpUrl: string | undefined;
  /** Sender of every message, e.g. `Guichet <support@desk.example>`. */
  from: string;
  /** Address replies go to; `local+<token>@domain` names the ticket (defaults to the From address). */
  replyAddress: string;
  /** Base of the links in mails (the console's public URL). */
  publicUrl: string;
  /** Port of the inbound SMTP endpoint on 127.0.0.1 (started with the API; 0: any free port); undefined: no inbound mail. */
  inboundPort: number | undefined;
  inboundHost: string;
  /** Unknown senders get a customer account (true) or are ignored and logged (false). */
  inboundCreateCustomers: boolean;
  /** Ticket type and priority of tickets opened by mail. */
  inboundTicketType: string;
  inboundPriority: string;
  /** Messages per sender and hour beyond which inbound mail is dropped (loop brake). */
  inboundPerSenderPerHour: number;
  /** How often agents' digests go out, and how often the outbox is polled for retries. */
  digestIntervalSeconds: number;
  pollIntervalMs: number;
}

export type OidcRole = 'admin' | 'agent' | 'customer';

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  redirectUri: string;
  scopes: string;
  /** Claim holding role names (a string or an array), mapped through roleMap; unmapped users are customers. */
  roleClaim: string;
  roleMap: Record<string, OidcRole>;
  /** Claim whose value is an organisation name (created when missing); unset: organisations are left alone. */
  organisationClaim: string | undefined;
  /** Allow http:// to the issuer (tests against a loopback provider only). */
  allowInsecure: boolean;
}

export const DEFAULT_ADMIN_EMAIL = 'admin@guichet.local';
export const DEFAULT_ADMIN_PASSWORD = 'guichet-admin';

function int(value: string | undefined, fallback: number, name: string, min = 1): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be ${min === 0 ? 'a whole number of 0 or more' : 'a positive integer'}, got '${value}'`);
  return n;
}

function workerDeployment(env: NodeJS.ProcessEnv): Config['workerDeployment'] {
  const buildId = env.TEMPORAL_WORKER_BUILD_ID?.trim();
  if (!buildId) {
    if (env.TEMPORAL_WORKER_PROMOTE === 'true') throw new Error('TEMPORAL_WORKER_PROMOTE needs TEMPORAL_WORKER_BUILD_ID: only a versioned build can be promoted');
    return undefined;
  }
  // Temporal joins deployment and build into one name with a dot; neither may hold one.
  for (const [name, value] of [['TEMPORAL_WORKER_BUILD_ID', buildId], ['TEMPORAL_WORKER_DEPLOYMENT', env.TEMPORAL_WORKER_DEPLOYMENT ?? '']]) {
    if (!/^[A-Za-z0-9_-]*$/.test(value) || value.length > 100) throw new Error(`${name} may hold letters, digits, '-' and '_' only (at most 100), got '${value}'`);
  }
  return { name: env.TEMPORAL_WORKER_DEPLOYMENT || 'guichet', buildId };
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
    workerDeployment: workerDeployment(env),
    promoteWorkerBuild: flag(env.TEMPORAL_WORKER_PROMOTE, 'TEMPORAL_WORKER_PROMOTE'),
    adminEmail: env.ADMIN_EMAIL || DEFAULT_ADMIN_EMAIL,
    adminPassword: env.ADMIN_PASSWORD || DEFAULT_ADMIN_PASSWORD,
    logLevel: env.LOG_LEVEL || 'info',
    toolsDir: path.resolve(env.GUICHET_TOOLS_DIR || path.join(root, '.tools')),
    webDist: path.resolve(env.WEB_DIST || path.join(root, 'web', 'dist')),
    sessionTtlHours: int(env.SESSION_TTL_HOURS, 12, 'SESSION_TTL_HOURS'),
    publicRateLimitPerMinute: int(env.PUBLIC_RATE_LIMIT_PER_MINUTE, 120, 'PUBLIC_RATE_LIMIT_PER_MINUTE'),
    temporalUiUrl: env.TEMPORAL_UI_URL || undefined,
    trustProxy: flag(env.TRUST_PROXY, 'TRUST_PROXY'),
    backpressureMaxBacklogSeconds: int(env.BACKPRESSURE_MAX_BACKLOG_SECONDS, 30, 'BACKPRESSURE_MAX_BACKLOG_SECONDS', 0),
    backpressureMaxTimerLatenessMs: int(env.BACKPRESSURE_MAX_TIMER_LATENESS_MS, 30_000, 'BACKPRESSURE_MAX_TIMER_LATENESS_MS', 0),
    backpressureMaxTimersPerSecond: int(env.BACKPRESSURE_MAX_TIMERS_PER_SECOND, 0, 'BACKPRESSURE_MAX_TIMERS_PER_SECOND', 0),
    drainSeconds: int(env.DRAIN_SECONDS, 0, 'DRAIN_SECONDS', 0),
    oidc: loadOidc(env, env.HOST || '127.0.0.1', int(env.PORT, 8080, 'PORT')),
    webhooks: {
      secretsKey: secretsKey(env.WEBHOOK_SECRETS_KEY),
      initialIntervalMs: int(env.WEBHOOK_RETRY_INITIAL_MS, 10_000, 'WEBHOOK_RETRY_INITIAL_MS'),
      maxIntervalMs: int(env.WEBHOOK_RETRY_MAX_MS, 3_600_000, 'WEBHOOK_RETRY_MAX_MS'),
      retryWindowSeconds: int(env.WEBHOOK_RETRY_WINDOW_SECONDS, 25 * 3600, 'WEBHOOK_RETRY_WINDOW_SECONDS'),
      disableAfterFailures: int(env.WEBHOOK_DISABLE_AFTER_FAILURES, 20, 'WEBHOOK_DISABLE_AFTER_FAILURES'),
      disableAfterHours: int(env.WEBHOOK_DISABLE_AFTER_HOURS, 72, 'WEBHOOK_DISABLE_AFTER_HOURS'),
    },
    mail: loadMail(env, env.HOST || '127.0.0.1', int(env.PORT, 8080, 'PORT')),
    objectStore: loadObjectStore(env),
    plugins: (env.PLUGINS ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
  };
}

function loadObjectStore(env: NodeJS.ProcessEnv): ObjectStoreSettings | undefined {
  const store = env.ATTACHMENTS_STORE || 'postgres';
  if (store !== 'postgres' && store !== 's3') throw new Error(`ATTACHMENTS_STORE must be postgres or s3, not '${store}'`);
  if (store === 'postgres') return undefined;
  if (!env.S3_BUCKET) throw new Error('S3_BUCKET must be set when ATTACHMENTS_STORE is s3');
  if (Boolean(env.S3_ACCESS_KEY_ID) !== Boolean(env.S3_SECRET_ACCESS_KEY)) {
    throw new Error(`${env.S3_ACCESS_KEY_ID ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID'} must be set too: the key id and its secret go together`);
  }
  if (env.S3_ENDPOINT && !/^https?:\/\/[^/]+/.test(env.S3_ENDPOINT)) throw new Error(`S3_ENDPOINT must be an http(s) URL, got '${env.S3_ENDPOINT}'`);
  return {
    bucket: env.S3_BUCKET,
    prefix: env.S3_PREFIX ?? 'attachments/',
    region: env.S3_REGION || 'us-east-1',
    endpoint: env.S3_ENDPOINT || undefined,
    accessKeyId: env.S3_ACCESS_KEY_ID || undefined,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY || undefined,
    sweepSeconds: int(env.S3_SWEEP_SECONDS, 60, 'S3_SWEEP_SECONDS'),
  };
}

function loadMail(env: NodeJS.ProcessEnv, host: string, port: number): MailConfig {
  const smtpUrl = env.SMTP_URL?.trim() || undefined;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) throw new Error(`SMTP_URL must start with smtp:// or smtps://, got '${smtpUrl.replace(/\/\/[^@]*@/, '//…@')}'`);
  const from = env.MAIL_FROM?.trim() || 'Guichet <support@guichet.local>';
  const fromAddress = /<([^>]+)>/.exec(from)?.[1] ?? from;
  if (!/^[^@\s<>]+@[^@\s<>]+$/.test(fromAddress)) throw new Error(`MAIL_FROM must hold an email address, got '${from}'`);
  const replyAddress = env.MAIL_REPLY_ADDRESS?.trim() || fromAddress;
  if (!/^[^@\s+<>]+@[^@\s<>]+$/.test(replyAddress)) throw new Error(`MAIL_REPLY_ADDRESS must be a plain address without '+', got '${replyAddress}'`);
  return {
    smtpUrl,
    from,
    replyAddress,
    publicUrl: (env.PUBLIC_URL?.trim() || `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`).replace(/\/+$/, ''),
    // 0 binds any free port (tests learn it from the API's ready message, so no other process can take it in between).
    inboundPort: env.MAIL_INBOUND_PORT === '0' ? 0 : env.MAIL_INBOUND_PORT ? int(env.MAIL_INBOUND_PORT, 0, 'MAIL_INBOUND_PORT') : undefined,
    inboundHost: env.MAIL_INBOUND_HOST || '127.0.0.1',
    inboundCreateCustomers: env.MAIL_INBOUND_CREATE_CUSTOMERS === 'true',
    inboundTicketType: env.MAIL_INBOUND_TICKET_TYPE || 'incident',
    inboundPriority: env.MAIL_INBOUND_PRIORITY || 'medium',
    inboundPerSenderPerHour: int(env.MAIL_INBOUND_PER_SENDER_PER_HOUR, 30, 'MAIL_INBOUND_PER_SENDER_PER_HOUR'),
    digestIntervalSeconds: int(env.MAIL_DIGEST_INTERVAL_SECONDS, 3600, 'MAIL_DIGEST_INTERVAL_SECONDS'),
    pollIntervalMs: int(env.MAIL_POLL_INTERVAL_MS, 5000, 'MAIL_POLL_INTERVAL_MS'),
  };
}

function secretsKey(value: string | undefined): Buffer | undefined {
  if (!value) return undefined;
  const key = Buffer.from(value, 'base64');
  if (key.length !== 32) throw new Error('WEBHOOK_SECRETS_KEY must be 32 bytes in base64 (openssl rand -base64 32)');
  return key;
}

const ROLES = new Set<string>(['admin', 'agent', 'customer']);

function loadOidc(env: NodeJS.ProcessEnv, host: string, port: number): OidcConfig | undefined {
  const issuer = env.OIDC_ISSUER?.trim();
  if (!issuer) return undefined;
  let issuerUrl: URL;
  try {
    issuerUrl = new URL(issuer);
  } catch {
    throw new Error(`OIDC_ISSUER must be a URL, got '${issuer}'`);
  }
  if (!env.OIDC_CLIENT_ID) throw new Error('OIDC_CLIENT_ID must be set when OIDC_ISSUER is set');
  const allowInsecure = env.OIDC_ALLOW_INSECURE === 'true';
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(issuerUrl.hostname);
  if (issuerUrl.protocol !== 'https:' && !(allowInsecure && loopback)) {
    throw new Error(`OIDC_ISSUER must be https (OIDC_ALLOW_INSECURE=true allows http on a loopback issuer, for tests), got '${issuer}'`);
  }
  let roleMap: Record<string, OidcRole> = {};
  if (env.OIDC_ROLE_MAP) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(env.OIDC_ROLE_MAP);
    } catch {
      throw new Error(`OIDC_ROLE_MAP must be a JSON object, got '${env.OIDC_ROLE_MAP}'`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('OIDC_ROLE_MAP must be a JSON object of claim value to role');
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v !== 'string' || !ROLES.has(v)) throw new Error(`OIDC_ROLE_MAP maps '${k}' to '${String(v)}'; roles are admin, agent, customer`);
    }
    roleMap = parsed as Record<string, OidcRole>;
  }
  return {
    issuer,
    clientId: env.OIDC_CLIENT_ID,
    clientSecret: env.OIDC_CLIENT_SECRET || undefined,
    redirectUri: env.OIDC_REDIRECT_URI || `http://${host}:${port}/api/auth/oidc/callback`,
    scopes: env.OIDC_SCOPES || 'openid email profile',
    roleClaim: env.OIDC_ROLE_CLAIM || 'roles',
    roleMap,
    organisationClaim: env.OIDC_ORGANISATION_CLAIM || undefined,
    allowInsecure,
  };
}

/** Fails fast with the names of what is missing, for processes that need external servers. */
export function requireServers(config: Config): { databaseUrl: string; temporalAddress: string } {
  const missing = [!config.databaseUrl && 'DATABASE_URL', !config.temporalAddress && 'TEMPORAL_ADDRESS'].filter(Boolean);
  if (missing.length) throw new Error(`${missing.join(' and ')} must be set (npm start sets them for embedded servers)`);
  return { databaseUrl: config.databaseUrl!, temporalAddress: config.temporalAddress! };
}

/** A yes/no setting: unset is no; anything but true or false is a start-up error naming the setting. */
function flag(value: string | undefined, name: string): boolean {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new Error(`${name} must be true or false, not '${value}'`);
}
