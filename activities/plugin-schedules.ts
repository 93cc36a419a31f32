// Plug-in schedules, on the worker: runs the plug-in's scheduled work and records the run (its report, or its error)
// where the admin page reads it. The run's row is keyed by the workflow run, so a retried activity records it once.
import type { PluginSet } from '../platform/plugins/loader';
import { withinTime } from '../platform/plugins/time-limit';
import type { PluginRunReport } from '../platform/plugins/v1';

export interface PluginScheduleRun {
  plugin: string;
  key: string;
  trigger: 'schedule' | 'admin';
  /** The workflow run: the run's id for the plug-in and its row. */
  runId: string;
}

/** A run longer than this counts as failed: a sync that needs longer splits its work across runs. */
export const SCHEDULE_RUN_LIMIT_MS = 15 * 60_000;
const MAX_NOTES = 50;
/** Runs kept per schedule. */
const KEPT_RUNS = 100;

/** Only counts and short notes are kept, whatever the plug-in returned. */
export function reportOf(value: unknown): Required<PluginRunReport> {
  const r = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const count = (x: unknown) => (Number.isSafeInteger(x) && (x as number) >= 0 ? (x as number) : 0);
  const notes = Array.isArray(r.notes) ? r.notes.filter((n): n is string => typeof n === 'string').slice(0, MAX_NOTES).map((n) => n.slice(0, 500)) : [];
  return { created: count(r.created), updated: count(r.updated), unchanged: count(r.unchanged), skipped: count(r.skipped), notes };
}

export function pluginScheduleActivitiesWith(set: PluginSet | undefined) {
  return {
    async runPluginSchedule(run: PluginScheduleRun): Promise<{ status: 'succeeded' | 'failed' }> {
      if (!set) throw new Error('this worker loads no plug-ins (PLUGINS is empty)');
      const pool = set.runtime.pool;
      const { rows: done } = await pool.query<{ status: 'succeeded' | 'failed' }>(`select status from plugin_schedule_runs where id = $1 and status <> 'running'`, [run.runId]);
      if (done[0]) return { status: done[0].status };
      await pool.query(
        `insert into plugin_schedule_runs (id, plugin, schedule, trigger, status) values ($1, $2, $3, $4, 'running') on conflict (id) do update set started_at = now()`,
        [run.runId, run.plugin, run.key, run.trigger],
      );
      const plugin = set.loaded().find((p) => p.name === run.plugin);
      const schedule = plugin?.schedules.find((s) => s.key === run.key);
      // Runs of one schedule never overlap, whoever started them (the schedule, an admin, a retry): a lock held on a
      // connection of its own for the run's length.
      const lock = await pool.connect();
      let locked = false;
      let outcome: { status: 'succeeded'; report: Required<PluginRunReport> } | { status: 'failed'; error: string };
      const limit = new AbortController();
      const timer = setTimeout(() => limit.abort(new Error('time limit')), SCHEDULE_RUN_LIMIT_MS);
      try {
        locked = (await lock.query<{ got: boolean }>('select pg_try_advisory_lock(hashtext($1)) as got', [`plugin-schedule:${run.plugin}:${run.key}`])).rows[0]!.got;
        if (!locked) throw new Error('another run of this schedule is still going on');
        if (!plugin || !schedule) throw new Error(`no loaded plug-in ${run.plugin} has a schedule ${run.key}`);
        // Runs are rare and may change many rows: they start from the settings as saved now, not as cached.
        set.settings.forget(plugin.name);
        const { problems } = await set.settings.current(plugin.manifest!);
        if (problems.length) throw new Error(`the plug-in is not configured: ${problems.map((p) => `${p.pointer || '/'} ${p.message}`).join('; ')}`);
        const report = await withinTime(
          () => schedule.run({ id: run.runId, trigger: run.trigger, signal: limit.signal }),
          SCHEDULE_RUN_LIMIT_MS,
          `the run did not finish within ${SCHEDULE_RUN_LIMIT_MS / 60_000} minutes`,
        );
        outcome = { status: 'succeeded', report: reportOf(report) };
      } catch (err) {
        outcome = { status: 'failed', error: (err instanceof Error ? err.message : String(err)).slice(0, 2000) };
        if (plugin) await set.report(plugin, 'schedule', new Error(`schedule ${run.key}: ${outcome.error}`));
      } finally {
        clearTimeout(timer);
        if (locked) await lock.query('select pg_advisory_unlock(hashtext($1))', [`plugin-schedule:${run.plugin}:${run.key}`]).catch(() => undefined);
        lock.release();
      }
      await pool.query(`update plugin_schedule_runs set status = $2, report = $3, error = $4, finished_at = now() where id = $1`, [
        run.runId,
        outcome.status,
        outcome.status === 'succeeded' ? JSON.stringify(outcome.report) : null,
        outcome.status === 'failed' ? outcome.error : null,
      ]);
      // The newest runs are what the admin reads; a schedule every minute must not grow the table for ever.
      await pool.query(
        `delete from plugin_schedule_runs where plugin = $1 and schedule = $2 and id not in (select id from plugin_schedule_runs where plugin = $1 and schedule = $2 order by started_at desc limit $3)`,
        [run.plugin, run.key, KEPT_RUNS],
      );
      return { status: outcome.status };
    },
  };
}

export type PluginScheduleActivities = ReturnType<typeof pluginScheduleActivitiesWith>;
