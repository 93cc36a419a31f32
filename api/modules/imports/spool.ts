// A source read over the network is first spooled to a temporary file, one batch per line, and only then written in
// the run's transaction: a slow or large Request Tracker must not hold the desk's rows locked while it answers.
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { ImportBatch } from './service';

// File contents travel as base64 (JSON would spell a Buffer out byte by byte).
const replacer = (_key: string, value: unknown) =>
  value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)
    ? { $bytes: Buffer.from((value as { data: number[] }).data).toString('base64') }
    : value;
const reviver = (_key: string, value: unknown) => (value && typeof value === 'object' && typeof (value as { $bytes?: unknown }).$bytes === 'string' ? Buffer.from((value as { $bytes: string }).$bytes, 'base64') : value);

export interface Spool {
  batches(): AsyncGenerator<ImportBatch>;
  remove(): void;
}

export async function spool(source: AsyncIterable<ImportBatch>): Promise<Spool> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-import-'));
  const file = path.join(dir, 'batches.jsonl');
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  const out = fs.createWriteStream(file);
  try {
    await once(out, 'open');
    for await (const batch of source) {
      if (!out.write(`${JSON.stringify(batch, replacer)}\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  } catch (err) {
    // Closed before the directory goes, so no late write error is left without a listener.
    out.destroy();
    await once(out, 'close').catch(() => undefined);
    remove();
    throw err;
  }
  return {
    async *batches() {
      const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
      for await (const line of lines) if (line) yield JSON.parse(line, reviver) as ImportBatch;
    },
    remove,
  };
}
