// Recorded workflow histories for replay tests: written when RECORD_HISTORIES=1, committed, and replayed on every run.
import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON, type History } from '@temporalio/common/lib/proto-utils';

export const HISTORIES_DIR = path.resolve(import.meta.dirname, 'histories');

export async function saveHistory(name: string, history: History): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  fs.writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), historyToJSON(history));
}

export function loadHistories(): Array<{ name: string; history: unknown }> {
  if (!fs.existsSync(HISTORIES_DIR)) return [];
  return fs
    .readdirSync(HISTORIES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f.replace(/\.json$/, ''), history: JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, f), 'utf8')) }));
}
