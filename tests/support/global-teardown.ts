// Stops what global setup started, by handle (never by name), and removes the run's data directory.
import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as Record<string, any>;
  await g.__guichetDesk?.stop();
  await g.__guichetTemporal?.stop();
  await g.__guichetPg?.stop();
  if (g.__guichetDataDir) fs.rmSync(g.__guichetDataDir, { recursive: true, force: true });
}
