// The API process: migrates and seeds the database (once across replicas), then serves HTTP until SIGTERM/SIGINT.
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import path from 'node:path';
import pg from 'pg';
import { loadConfig, requireServers } from '../platform/config';
import { connectOrExplain, connectionOptions, replaceableConnection, temporalConnectionSettings, watchTlsFiles, type TemporalConnectionSettings } from '../platform/temporal-connection';
import { createLogger } from '../platform/logger';
import { migrate, openOrm } from '../platform/db/orm';
import { ObjectStore } from './modules/attachments/object-store';
import { createApp } from './app';
import { retryOf } from '../webhooks/enqueue';
import { createMailTransport } from '../mail/transport';
import { startSmtpEndpoint } from './modules/mail/smtp-endpoint';
import { backfillTicketFacts } from '../activities/report-facts';
import { startPendingImports } from './modules/imports/live-tickets';
import { importFilesFromDisk, sweepAbandonedUploads } from './modules/attachments/chunks';
import pkg from '../package.json' with { type: 'json' };
import { answerClientErrors } from './http/client-errors';
import { SecretBox } from '../platform/secret-box';
import { pluginErrorLog } from '../platform/plugins/errors';
import { findPlugins, migratePlugins, registerPlugins } from '../platform/plugins/loader';
import { runBackgrounds } from '../platform/plugins/background';

const MIGRATION_LOCK = 727_001;

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('api', config.logLevel);
  const { databaseUrl, temporalAddress } = requireServers(config);
  // Temporal settings are checked before anything else starts, so a wrong path or a missing key stops the process at once.
  const temporalSettings = temporalConnectionSettings();
  const orm = await openOrm(databaseUrl, { poolMax: 20 });
  const em = orm.em;

  // Plug-ins' own queries, settings and errors go through a small pool of their own, so a busy plug-in cannot starve the desk's.
  const pluginPool = new pg.Pool({ connectionString: databaseUrl, max: 5 });
  const plugins = await findPlugins(config.plugins, {
    process: 'api',
    pool: pluginPool,
    box: new SecretBox(config.webhooks.secretsKey),
    log,
    errors: pluginErrorLog(pluginPool, 'api'),
    cwd: process.cwd(),
  });

  // Replicas starting together must not migrate twice: an advisory lock, held on a connection of its own, serialises them.
  const lock = new pg.Client({ connectionString: databaseUrl });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await migrate(orm);
    await migratePlugins(plugins, lock);
    // Report facts for tickets recorded before the reports existed, or left stale by a crashed worker. A repair, not a
    // precondition: if it fails, the replica serves all the same (every worker and the next start sweep again).
    const backfilled = await backfillTicketFacts(em).catch((err: unknown) => {
      log.error({ err }, 'report facts sweep failed; the workers and the next start sweep again');
      return 0;
    });
    if (backfilled) log.info({ tickets: backfilled }, 'report facts backfilled');
    // Attachments uploaded when their bytes were kept on this machine's disk move into the database (once).
    const imported = await importFilesFromDisk(em, path.join(config.dataDir, 'attachments'));
    if (imported) log.info({ attachments: imported }, 'attachment files imported into PostgreSQL');
    const swept = await sweepAbandonedUploads(em);
    if (swept) log.info({ attachments: swept }, 'abandoned uploads removed');
  } finally {
    await lock.end();
  }
  await registerPlugins(plugins);

  // Few quick retries: while Temporal is down the API must answer 503 promptly rather than hold requests for tens of seconds.
  const connect = (settings: TemporalConnectionSettings) =>
    Connection.connect({
      ...connectionOptions(temporalAddress, settings),
      interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 3 }))],
    });
  // A rotated client certificate (or CA) is picked up without a restart: new calls go over a connection made with it.
  const rotating = replaceableConnection(await connectOrExplain(temporalAddress, temporalSettings, () => connect(temporalSettings)));
  const connection = rotating.connection;
  const tlsWatch = watchTlsFiles(
    async (settings) => rotating.replace(await connect(settings)),
    log,
  );
  const temporal = new Client({ connection, namespace: config.temporalNamespace });
  const mailTransport = createMailTransport(config.mail, log);
  const objectStore = config.objectStore ? new ObjectStore(config.objectStore) : undefined;
  // Objects of deleted (or anonymised) files leave the store soon after their rows; every replica sweeps, skipping
  // rows another one holds.
  let sweeping = false;
  const objectSweep = objectStore
    ? setInterval(() => {
        // One sweep at a time: a slow store must not pile sweeps up.
        if (sweeping) return;
        sweeping = true;
        void objectStore
          .sweepDeleted(em)
          .then(
            ({ deleted, failed }) => {
              if (deleted) log.info({ objects: deleted }, 'deleted attachments removed from the object store');
              if (failed) log.error({ objects: failed }, 'some deleted attachments could not be removed from the object store; retried at the next sweep');
            },
            (err: unknown) => log.error({ err }, 'removing deleted attachments from the object store failed; retried at the next sweep'),
          )
          .finally(() => (sweeping = false));
      }, config.objectStore!.sweepSeconds * 1000)
    : undefined;
  objectSweep?.unref();
  const app = createApp({
    objectStore,
    em,
    temporal,
    namespace: config.temporalNamespace,
    temporalUiUrl: config.temporalUiUrl,
    trustProxy: config.trustProxy,
    backpressureMaxBacklogSeconds: config.backpressureMaxBacklogSeconds,
    backpressureMaxTimerLatenessMs: config.backpressureMaxTimerLatenessMs,
    backpressureMaxTimersPerSecond: config.backpressureMaxTimersPerSecond,
    taskQueue: config.taskQueue,
    log,
    webDist: config.webDist,
    publicRateLimit: config.publicRateLimitPerMinute,
    sessionTtlHours: config.sessionTtlHours,
    secureCookies: process.env.SECURE_COOKIES === 'true',
    version: pkg.version,
    oidc: config.oidc,
    webhooks: { secretsKey: config.webhooks.secretsKey, retry: retryOf(config.webhooks) },
    mail: config.mail,
    mailTransport,
    mailInboundPort: config.mail.inboundPort,
    databaseUrl,
    plugins,
  });
  const admin = await app.services.auth.ensureAdmin(config.adminEmail, config.adminPassword);
  const seeded = await app.services.definitions.seedDefaults();
  log.info({ admin: config.adminEmail, adminAccount: admin, seededDefinitions: seeded }, 'seeded');
  // Plug-in schedules follow the settings; a Temporal hiccup here must not keep the API from serving (the next save or start retries).
  await app.services.pluginSchedules.reconcile().catch((err: unknown) => log.error({ err }, 'plug-in schedules could not be set up'));
  // Imported open tickets whose workflow Temporal did not take then: in the background, the API serves meanwhile.
  void startPendingImports(em, temporal, config.taskQueue, log).then(
    (n) => n && log.info({ started: n }, 'imported tickets started'),
    (err: unknown) => log.error({ err }, 'imported tickets could not be started yet; the next start or import run tries again'),
  );

  const server = app.koa.listen(config.port, config.host);
  answerClientErrors(server);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  log.info({ url: `http://${config.host}:${config.port}` }, 'api listening');
  const smtp =
    config.mail.inboundPort !== undefined
      ? await startSmtpEndpoint(app.services.mailIntake, { host: config.mail.inboundHost, port: config.mail.inboundPort, log })
      : undefined;
  const mailPort = smtp ? (smtp.server.address() as { port: number }).port : undefined;
  // Plug-ins that fetch mail (IMAP) hand it to the same intake as SMTP; their background tasks run in one replica at a time.
  plugins.attachMailIntake(async (raw, mailbox) => {
    const result = await app.services.mailIntake.receive(raw, { from: false, to: [] }, mailbox);
    return { outcome: result.outcome, ticketId: result.ticketId ?? null, detail: result.detail ?? null };
  });
  const backgrounds = runBackgrounds(plugins, databaseUrl);
  process.send?.({ ready: true, port: config.port, mailPort });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // Readiness fails first and the process keeps serving for DRAIN_SECONDS, long enough for a proxy's health check to
    // take it out of rotation: requests routed here meanwhile are still answered instead of refused mid-deploy.
    app.drain();
    log.info({ signal, drainSeconds: config.drainSeconds }, 'api draining: readiness fails, requests are still served');
    await new Promise((resolve) => setTimeout(resolve, config.drainSeconds * 1000));
    log.info({ signal }, 'api stopping: finishing in-flight requests');
    // Event streams never finish on their own: end them first, or close() would wait for the forced cut.
    await app.stop();
    server.close();
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), 10_000);
    await new Promise<void>((resolve) => server.once('close', () => resolve()));
    clearTimeout(force);
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    await backgrounds.stop();
    mailTransport.close();
    tlsWatch.stop();
    clearInterval(objectSweep);
    objectStore?.destroy();
    await connection.close();
    plugins.close();
    await pluginPool.end();
    await orm.close();
    log.info('api stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
