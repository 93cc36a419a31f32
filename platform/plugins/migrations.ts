// Applies a plug-in's own SQL migrations once each, in name order, each in a transaction with its bookkeeping row.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';

/**
 * Runs the files of `folder` not yet applied for `plugin`, the caller holding the desk's migration lock (replicas
 * starting together apply each file once). Stops at the first failing file, which is rolled back and named.
 * Answers the files applied now.
 */
export async function applyPluginMigrations(client: pg.ClientBase, plugin: string, folder: string): Promise<string[]> {
  const files = (await readdir(folder)).filter((f) => f.endsWith('.sql')).sort();
  const { rows } = await client.query<{ name: string }>('select name from plugin_migrations where plugin = $1', [plugin]);
  const done = new Set(rows.map((r) => r.name));
  const applied: string[] = [];
  for (const file of files.filter((f) => !done.has(f))) {
    const sql = await readFile(path.join(folder, file), 'utf8');
    await client.query('begin');
    try {
      await client.query(sql);
      await client.query('insert into plugin_migrations (plugin, name) values ($1, $2)', [plugin, file]);
      await client.query('commit');
    } catch (err) {
      await client.query('rollback');
      throw new Error(`migration ${file} failed: ${(err as Error).message}`);
    }
    applied.push(file);
  }
  return applied;
}
