// `npm run worker:promote -- <build-id>`: after the workers of a new build are up, makes it the deployment's current
// build (new tickets start on it) and moves the running tickets and plans onto it; the older build's workers can stop
// once this says it has drained. Run it again with the older build id to roll back.
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../platform/config';
import { connectOrExplain, connectionOptions, temporalConnectionSettings } from '../platform/temporal-connection';
import { promoteBuild } from '../worker/deployment';

async function main(): Promise<number> {
  const buildId = process.argv[2] ?? process.env.TEMPORAL_WORKER_BUILD_ID;
  if (!buildId) {
    process.stderr.write('usage: npm run worker:promote -- <build-id>   (deployment: TEMPORAL_WORKER_DEPLOYMENT, default guichet; DRAIN_WAIT_SECONDS, default 300)\n');
    return 2;
  }
  const config = loadConfig({ ...process.env, TEMPORAL_WORKER_BUILD_ID: buildId, TEMPORAL_WORKER_PROMOTE: 'false' });
  const temporalAddress = config.temporalAddress;
  if (!temporalAddress) throw new Error('TEMPORAL_ADDRESS must be set: the Temporal frontend the workers poll');
  const settings = temporalConnectionSettings();
  const connection = await connectOrExplain(temporalAddress, settings, () => Connection.connect(connectionOptions(temporalAddress, settings)));
  try {
    const client = new Client({ connection, namespace: config.temporalNamespace });
    const wait = process.env.DRAIN_WAIT_SECONDS ?? '300';
    if (!/^\d+$/.test(wait)) throw new Error(`DRAIN_WAIT_SECONDS must be a whole number of seconds, got '${wait}'`);
    const drainMs = Number(wait) * 1000;
    const d = config.workerDeployment!;
    const p = await promoteBuild(client, d, { drainMs });
    process.stdout.write(`build '${d.buildId}' is current in worker deployment '${d.name}' (before: ${p.previous ?? 'none'}); ${p.nudged} running workflows nudged to move onto it\n`);
    if (p.remaining) {
      process.stdout.write(`${p.remaining} runs are still on an older build (tickets and plans move when nudged; webhook deliveries and syncs finish where they started): keep its workers running and run this again\n`);
      return 1;
    }
    process.stdout.write('no run is left on an older build: its workers can stop\n');
    return 0;
  } finally {
    await connection.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
