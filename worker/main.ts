// The worker process: runs the workflows and activities on the "guichet" task queue until SIGTERM/SIGINT, then drains.
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig, requireServers } from '../platform/config';
import { createLogger } from '../platform/logger';
import { openOrm } from '../platform/db/orm';
import { createActivities } from '../activities/index';
import { workerOptions } from './options';
import { backfillTicketFacts, reportFactsListener } from '../api/modules/reports/facts';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('worker', config.logLevel);
  const { databaseUrl, temporalAddress } = requireServers(config);
  const orm = await openOrm(databaseUrl, { poolMax: 20 });
  const connection = await NativeConnection.connect({ address: temporalAddress });
  const worker = await Worker.create({
    ...workerOptions(),
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    activities: createActivities({ em: orm.em, ticketEventListeners: [reportFactsListener(orm.em, (err, ticketId) => log.error({ err, ticketId }, 'report facts refresh failed'))] }),
  });
  // Report facts a previous worker may have left stale when it died; in the background, the worker starts at once.
  void backfillTicketFacts(orm.em).then(
    (n) => n && log.info({ tickets: n }, 'report facts refreshed'),
    (err: unknown) => log.error({ err }, 'report facts sweep failed'),
  );
  const stop = (signal: string) => {
    log.info({ signal }, 'worker draining');
    worker.shutdown();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  log.info({ taskQueue: config.taskQueue }, 'worker running');
  process.send?.({ ready: true });
  await worker.run();
  await connection.close();
  await orm.close();
  log.info('worker stopped');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
