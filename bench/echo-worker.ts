// A worker process hosting only the baseline workflows, with the desk worker's cache settings: the memory baseline of bench/worker-memory.ts.
import path from 'node:path';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { workerOptions } from '../worker/options';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const { maxCachedWorkflows } = workerOptions();
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE || 'default',
    taskQueue: process.env.BENCH_TASK_QUEUE!,
    workflowsPath: path.resolve(import.meta.dirname, 'empty-workflow.ts'),
    maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: 200,
  });
  process.on('SIGTERM', () => worker.shutdown());
  process.on('SIGINT', () => worker.shutdown());
  process.send?.({ ready: true });
  await worker.run();
  await connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
