// The worker process: runs the workflows and activities on the "guichet" task queue until SIGTERM/SIGINT, then drains.
import { NativeConnection, Worker } from '@temporalio/worker';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { loadConfig, requireServers } from '../platform/config';
import { connectOrExplain, connectionOptions, replaceableConnection, temporalConnectionSettings, watchTlsFiles } from '../platform/temporal-connection';
import { createLogger } from '../platform/logger';
import { openOrm } from '../platform/db/orm';
import { createActivities } from '../activities/index';
import { notifyTicketChanges } from '../activities/notify-ticket-changes';
import { planCompletionListener } from '../activities/maintenance-plans';
import { planWorkflowId, workOrderFinishedSignal } from '../workflows/maintenance-plan-messages';
import { assignUpdate, rulesChangedSignal, ticketWorkflowId } from '../workflows/ticket-messages';
import { autoAssignListener } from '../activities/auto-assignment';
import { workerOptions } from './options';
import { deploymentOptions, promoteBuild } from './deployment';
import { webhookEventListener } from '../activities/webhook-delivery';
import { SecretBox } from '../platform/secret-box';
import { deliveryEnqueuer, retryOf, webhookActivityQueue } from '../webhooks/enqueue';
import { createMailTransport } from '../mail/transport';
import { MailOutbox } from '../mail/outbox';
import { mailNotifier } from '../activities/mail-notifications';
import { TicketEventFanout } from '../activities/ticket-event-fanout';
import { backfillTicketFacts, reportFactsListener } from '../activities/report-facts';
import { ensureRetentionSchedule } from './retention-schedule';
import { tellWorkflows } from '../platform/privacy/tell-workflows';
import pg from 'pg';
import { pluginErrorLog } from '../platform/plugins/errors';
import { findPlugins, registerPlugins } from '../platform/plugins/loader';
import { pluginListeners } from '../activities/plugin-listeners';
import { pluginActionListener, startPluginAction } from '../activities/plugin-actions';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('worker', config.logLevel);
  const { databaseUrl, temporalAddress } = requireServers(config);
  const temporalSettings = temporalConnectionSettings();
  const orm = await openOrm(databaseUrl, { poolMax: 20 });
  const options = connectionOptions(temporalAddress, temporalSettings);
  let connection = await connectOrExplain(temporalAddress, temporalSettings, () => NativeConnection.connect(options));
  // Activities and listeners that message other workflows (webhook deliveries; a finished work order tells its plan).
  const rotating = replaceableConnection(await connectOrExplain(temporalAddress, temporalSettings, () => Connection.connect(options)));
  const clientConnection = rotating.connection;
  const client = new Client({ connection: clientConnection, namespace: config.temporalNamespace });
  const hooks = config.webhooks;
  const enqueue = deliveryEnqueuer(client, config.taskQueue, retryOf(hooks));
  // Without SMTP nothing is queued at all: mail switched on later starts with the events that follow.
  const transport = createMailTransport(config.mail, log);
  const outbox = transport.enabled ? new MailOutbox(orm.em, transport, config.mail, log) : undefined;
  const pluginPool = new pg.Pool({ connectionString: databaseUrl, max: 5 });
  const plugins = await findPlugins(config.plugins, {
    process: 'worker',
    pool: pluginPool,
    box: new SecretBox(hooks.secretsKey),
    log,
    errors: pluginErrorLog(pluginPool, 'worker'),
    cwd: process.cwd(),
  });
  await registerPlugins(plugins);
  const fanout = new TicketEventFanout(
    config.taskQueue,
    orm.em,
    {
      each: [
        webhookEventListener(orm.em, enqueue),
        ...(outbox ? [mailNotifier(orm.em, config.mail, () => outbox.wake())] : []),
        planCompletionListener((planId, ticketId, at) => client.workflow.getHandle(planWorkflowId(planId)).signal(workOrderFinishedSignal, { ticketId, at })),
        autoAssignListener(orm.em, async (ticketId, request, updateId) => {
          await client.workflow.getHandle(ticketWorkflowId(ticketId)).executeUpdate(assignUpdate, { args: [request], updateId });
        }),
        pluginActionListener(startPluginAction(client, config.taskQueue)),
        // After the desk's own: a plug-in's fault is fenced off and reported, never retried into theirs.
        ...pluginListeners(plugins),
      ],
      all: [reportFactsListener(orm.em), notifyTicketChanges(orm.em)],
    },
    log,
  );
  const activities = createActivities({
    em: orm.em,
    fanout,
    tellWorkflows: tellWorkflows(client, (message, err) => log.warn({ err }, message)),
    plugins,
    tellRulesChanged: async (ticketId, generation) => {
      await client.workflow
        .getHandle(ticketWorkflowId(ticketId))
        .signal(rulesChangedSignal, { generation })
        .catch((err: unknown) => {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        });
    },
    webhooks: { box: new SecretBox(hooks.secretsKey), disableAfterFailures: hooks.disableAfterFailures, disableAfterHours: hooks.disableAfterHours },
  });
  // Report facts a previous worker may have left stale when it died; in the background, the worker starts at once.
  void backfillTicketFacts(orm.em).then(
    (n) => n && log.info({ tickets: n }, 'report facts refreshed'),
    (err: unknown) => log.error({ err }, 'report facts sweep failed'),
  );
  const worker = await Worker.create({
    ...workerOptions(),
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    activities,
    ...deploymentOptions(config.workerDeployment),
  });
  // Webhook deliveries wait on receivers (up to 10 s each): they get their own queue and slots so a slow or dead
  // receiver can never hold up the activities that record ticket events.
  const hookWorker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: webhookActivityQueue(config.taskQueue),
    activities: { deliverWebhook: activities.deliverWebhook },
    maxConcurrentActivityTaskExecutions: 100,
    // Its queue belongs to the same build, so a promotion finds every task queue of the build polled.
    ...deploymentOptions(config.workerDeployment),
  });
  let tlsWatch: { stop(): void } = { stop() {} };
  const stop = (signal: string) => {
    log.info({ signal }, 'worker draining');
    // No reconnection while the workers wind down.
    tlsWatch.stop();
    worker.shutdown();
    hookWorker.shutdown();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await ensureRetentionSchedule(client, config.taskQueue);
  outbox?.start();
  fanout.start();
  // A rotated client certificate (or CA) is picked up without a restart: both workers and the client move to new
  // connections made with it, keeping their cached tickets and in-flight tasks.
  tlsWatch = watchTlsFiles(
    async (settings) => {
      const next = await NativeConnection.connect(connectionOptions(temporalAddress, settings));
      const nextClient = await Connection.connect(connectionOptions(temporalAddress, settings)).catch(async (err: unknown) => {
        await next.close();
        throw err;
      });
      try {
        worker.connection = next;
      } catch (err) {
        // A worker already stopping takes no new connection: nothing switched, nothing to keep.
        await Promise.all([next.close(), nextClient.close()]).catch(() => undefined);
        throw err;
      }
      hookWorker.connection = next;
      const old = connection;
      connection = next;
      rotating.replace(nextClient);
      setTimeout(() => void old.close().catch(() => undefined), 30_000).unref();
    },
    log,
  );
  const running = Promise.all([worker.run(), hookWorker.run()]);
  if (config.workerDeployment && config.promoteWorkerBuild) {
    const promotion = await promoteBuild(client, config.workerDeployment, { drainMs: 0, onlyIfNoneIsCurrent: true });
    if (promotion.promoted) log.info({ ...config.workerDeployment, ...promotion }, 'worker build promoted');
    else log.warn({ ...config.workerDeployment, current: promotion.previous }, 'another build is current: this one serves only the runs pinned to it (npm run worker:promote makes it current)');
  }
  log.info({ taskQueue: config.taskQueue, ...config.workerDeployment }, 'worker running');
  process.send?.({ ready: true });
  await running;
  await fanout.stop();
  await outbox?.stop();
  transport.close();
  tlsWatch.stop();
  await connection.close();
  await clientConnection.close();
  plugins.close();
  await pluginPool.end();
  await orm.close();
  log.info('worker stopped');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
