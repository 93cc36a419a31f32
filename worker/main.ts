// The worker process: runs the workflows and activities on the "guichet" task queue until SIGTERM/SIGINT, then drains.
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig, requireServers } from '../platform/config';
import { createLogger } from '../platform/logger';
import { openOrm } from '../platform/db/orm';
import { createActivities } from '../activities/index';
import { workerOptions } from './options';
import { createMailTransport } from '../mail/transport';
import { MailOutbox } from '../mail/outbox';
import { mailNotifier } from '../activities/mail-notifications';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('worker', config.logLevel);
  const { databaseUrl, temporalAddress } = requireServers(config);
  const orm = await openOrm(databaseUrl, { poolMax: 20 });
  const connection = await NativeConnection.connect({ address: temporalAddress });
  // Without SMTP nothing is queued at all: mail switched on later starts with the events that follow.
  const transport = createMailTransport(config.mail, log);
  const outbox = transport.enabled ? new MailOutbox(orm.em, transport, config.mail, log) : undefined;
  const ticketEventListeners = outbox ? [mailNotifier(orm.em, config.mail, () => outbox.wake())] : [];
  const worker = await Worker.create({
    ...workerOptions(),
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    activities: createActivities({ em: orm.em, ticketEventListeners }),
  });
  const stop = (signal: string) => {
    log.info({ signal }, 'worker draining');
    worker.shutdown();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  outbox?.start();
  log.info({ taskQueue: config.taskQueue }, 'worker running');
  process.send?.({ ready: true });
  await worker.run();
  await outbox?.stop();
  transport.close();
  await connection.close();
  await orm.close();
  log.info('worker stopped');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
