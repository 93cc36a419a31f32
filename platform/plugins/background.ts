// Plug-ins' background tasks in the API: each runs in one process at a time (a PostgreSQL advisory lock held on a
// connection of its own; replicas that do not hold it wait their turn), only while its plug-in's settings are complete,
// and starts again when it ends, fails, loses the lock or the settings change.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { LoadedPlugin, PluginSet } from './loader';
import type { PluginBackground } from './v1';

/** How often a waiting replica tries the lock, and a running task's settings are compared with the saved ones. */
const CHECK_MS = 5000;
const FIRST_RETRY_MS = 10_000;
const MAX_RETRY_MS = 5 * 60_000;
const STOP_WAIT_MS = 10_000;

const fingerprint = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex');

export interface BackgroundRunner {
  /** Tasks running in this process now, as `plugin/key`. */
  running(): string[];
  stop(): Promise<void>;
}

export function runBackgrounds(set: PluginSet, databaseUrl: string): BackgroundRunner {
  const stopping = new AbortController();
  const active = new Set<string>();
  const pause = (ms: number) => sleep(ms, undefined, { signal: stopping.signal }).catch(() => undefined);

  async function once(plugin: LoadedPlugin, task: PluginBackground): Promise<'waiting' | 'ended' | 'failed'> {
    const { values, problems } = await set.settings.current(plugin.manifest!);
    if (problems.length) return 'waiting';
    // Keepalive, and a query at each check below: a connection dropped in silence (a firewall, idle_session_timeout)
    // released the lock, and another replica may hold it now.
    const client = new pg.Client({ connectionString: databaseUrl, keepAlive: true });
    const lost = new AbortController();
    client.on('error', () => lost.abort());
    client.on('end', () => lost.abort());
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    try {
      const { rows } = await client.query<{ got: boolean }>('select pg_try_advisory_lock(hashtext($1)) as got', [`plugin-background:${plugin.name}:${task.key}`]);
      if (!rows[0]!.got) return 'waiting';
      const signal = AbortSignal.any([stopping.signal, lost.signal]);
      const changed = new AbortController();
      const saved = fingerprint(values);
      const watch = setInterval(() => {
        set.settings.current(plugin.manifest!).then(
          (now) => (now.problems.length || fingerprint(now.values) !== saved) && changed.abort(),
          () => undefined,
        );
        const alive = client.query('select 1');
        const late = sleep(CHECK_MS, 'late' as const, { ref: false });
        void Promise.race([alive.then(() => 'alive' as const), late]).then(
          (answer) => answer === 'late' && lost.abort(),
          () => lost.abort(),
        );
      }, CHECK_MS);
      const name = `${plugin.name}/${task.key}`;
      active.add(name);
      try {
        await task.run({ signal: AbortSignal.any([signal, changed.signal]), settings: structuredClone(values) });
        if (stopping.signal.aborted || changed.signal.aborted) return 'ended';
        throw new Error('it returned before it was asked to stop');
      } catch (err) {
        if (stopping.signal.aborted || changed.signal.aborted) return 'ended';
        await set.report(plugin, 'background', new Error(`background task ${task.key}: ${(err as Error)?.message ?? String(err)}`));
        return 'failed';
      } finally {
        active.delete(name);
        clearInterval(watch);
      }
    } finally {
      // Ending the connection releases the lock: another replica may take the task over.
      await client.end().catch(() => undefined);
    }
  }

  async function supervise(plugin: LoadedPlugin, task: PluginBackground): Promise<void> {
    let failures = 0;
    while (!stopping.signal.aborted) {
      const outcome = await once(plugin, task).catch(async (err: unknown) => {
        await set.report(plugin, 'background', new Error(`background task ${task.key} could not start: ${(err as Error)?.message ?? String(err)}`));
        return 'failed' as const;
      });
      failures = outcome === 'failed' ? failures + 1 : 0;
      if (stopping.signal.aborted) break;
      await pause(outcome === 'waiting' ? CHECK_MS : outcome === 'ended' ? 0 : Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (failures - 1)));
    }
  }

  const loops = set.loaded().flatMap((plugin) => plugin.backgrounds.map((task) => supervise(plugin, task)));
  return {
    running: () => [...active],
    async stop() {
      stopping.abort();
      // A task that ignores its signal must not hold the process up.
      await Promise.race([Promise.all(loops), sleep(STOP_WAIT_MS, undefined, { ref: false })]);
    },
  };
}
