// The worker process: runs the workflows and activities on the "guichet" task queue until SIGTERM/SIGINT, then drains.
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig, requireServers } from '../platform/config';
import { createLogger } from '../platform/logger';
import { openOrm } from '../platform/db/orm';
import { Client, Connection } from '@temporalio/client';
import { createActivities } from '../activities/index';
import { planCompletionListener } from '../activities/maintenance-plans';
import { planWorkflowId, workOrderFinishedSignal } from '../workflows/maintenance-plan-messages';
import { workerOptions } from './options';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('worker', config.logLevel);
  const { databaseUrl, temporalAddress } = requireServers(config);
  const orm = await openOrm(databaseUrl, { poolMax: 20 });
  const connection = await NativeConnection.connect({ address: temporalAddress });
  // A client for the listeners that message other workflows (a finished work order tells its plan).
  const clientConnection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection: clientConnection, namespace: config.temporalNamespace });
  const ticketEventListeners = [
    planCompletionListener((planId, ticketId, at) => client.workflow.getHandle(planWorkflowId(planId)).signal(workOrderFinishedSignal, { ticketId, at })),
  ];
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
  log.info({ taskQueue: config.taskQueue }, 'worker running');
  process.send?.({ ready: true });
  await worker.run();
  await connection.close();
  await clientConnection.close();
  await orm.close();
  log.info('worker stopped');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
