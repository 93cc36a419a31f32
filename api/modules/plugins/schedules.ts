// Plug-ins' schedules as Temporal Schedules: made or updated from the plug-in's settings when the API starts and when
// the settings are saved (paused while they say not to run), run now on an admin's request, and their recent runs.
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { LoadedPlugin, PluginSet } from '../../../platform/plugins/loader';
import type { PluginSchedule } from '../../../platform/plugins/v1';
import { PLUGIN_SCHEDULE_WORKFLOW, pluginScheduleId, pluginScheduleWorkflowId } from '../../../workflows/plugin-schedule';
import type { PluginScheduleRun } from '../../../activities/plugin-schedules';
import { ProblemError } from '../../http/problem';
import { titleIn } from './content';

const MAX_MINUTES = 7 * 24 * 60;
/** The interval a paused schedule keeps (it never fires while paused). */
const IDLE_MINUTES = 60;

export interface ScheduleRunView {
  id: string;
  trigger: 'schedule' | 'admin';
  status: 'running' | 'succeeded' | 'failed';
  report: { created: number; updated: number; unchanged: number; skipped: number; notes: string[] } | null;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export class PluginSchedules {
  constructor(
    private readonly set: PluginSet | null,
    private readonly temporal: Client,
    private readonly taskQueue: string,
  ) {}

  private find(name: string, key: string): { plugin: LoadedPlugin; schedule: PluginSchedule } {
    const plugin = this.set?.loaded().find((p) => p.name === name);
    const schedule = plugin?.schedules.find((s) => s.key === key);
    if (!plugin || !schedule) throw new ProblemError(404, 'not-found', 'Not found', `no running plug-in named '${name}' has a schedule '${key}'`);
    return { plugin, schedule };
  }

  /** Minutes between runs under the current settings; null: it should not run (settings missing, or the plug-in says so). */
  async interval(plugin: LoadedPlugin, schedule: PluginSchedule, report = true): Promise<number | null> {
    const { values, problems } = await this.set!.settings.current(plugin.manifest!);
    if (problems.length) return null;
    try {
      const every = schedule.everyMinutes(structuredClone(values));
      if (every === null) return null;
      if (!Number.isInteger(every) || every < 1 || every > MAX_MINUTES) throw new Error(`everyMinutes gave ${String(every)}: expected a whole number of minutes from 1 to ${MAX_MINUTES}, or null`);
      return every;
    } catch (err) {
      if (report) await this.set!.report(plugin, 'schedule', new Error(`schedule ${schedule.key}: ${(err as Error).message}`));
      return null;
    }
  }

  /**
   * Makes or updates the Temporal Schedules of one plug-in (or all): run every N minutes, or paused. With all, the
   * schedules of this desk no loaded plug-in declares any more (a plug-in removed from PLUGINS) are deleted.
   */
  async reconcile(name?: string): Promise<void> {
    if (!name) await this.removeOrphans();
    for (const plugin of this.set?.loaded() ?? []) {
      if (name && plugin.name !== name) continue;
      for (const schedule of plugin.schedules) {
        const every = await this.interval(plugin, schedule);
        const id = pluginScheduleId(this.taskQueue, plugin.name, schedule.key);
        const spec = { intervals: [{ every: `${every ?? IDLE_MINUTES}m` as const }] };
        const action = {
          type: 'startWorkflow' as const,
          workflowType: PLUGIN_SCHEDULE_WORKFLOW,
          workflowId: pluginScheduleWorkflowId(this.taskQueue, plugin.name, schedule.key),
          taskQueue: this.taskQueue,
          args: [{ plugin: plugin.name, key: schedule.key, trigger: 'schedule' } satisfies Omit<PluginScheduleRun, 'runId'>],
        };
        const note = every === null ? 'off under the current settings' : undefined;
        try {
          await this.temporal.schedule.create({ scheduleId: id, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10 minutes' }, state: { paused: every === null, note } });
        } catch (err) {
          if (!(err instanceof ScheduleAlreadyRunning)) throw err;
          await this.temporal.schedule.getHandle(id).update((prev) => ({ ...prev, spec, action, state: { ...prev.state, paused: every === null, note } }));
        }
      }
    }
  }

  private async removeOrphans(): Promise<void> {
    const declared = new Set((this.set?.loaded() ?? []).flatMap((p) => p.schedules.map((s) => pluginScheduleId(this.taskQueue, p.name, s.key))));
    // A plug-in that failed to load this time keeps its schedules: it may be back at the next start.
    const failed = (this.set?.plugins ?? []).filter((p) => p.status === 'failed').map((p) => pluginScheduleId(this.taskQueue, p.name, ''));
    for await (const summary of this.temporal.schedule.list()) {
      const id = summary.scheduleId;
      if (!id.startsWith('plugin-schedule-') || declared.has(id) || failed.some((f) => id.startsWith(f))) continue;
      // Desks may share a namespace, and one task queue's name may begin another's: only this desk's are touched.
      const handle = this.temporal.schedule.getHandle(id);
      const found = await handle.describe().catch((err: unknown) => {
        if (err instanceof ScheduleNotFoundError) return null;
        throw err;
      });
      if (found?.action.type !== 'startWorkflow' || found.action.workflowType !== PLUGIN_SCHEDULE_WORKFLOW || found.action.taskQueue !== this.taskQueue) continue;
      await handle.delete().catch((err: unknown) => {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      });
    }
  }

  /** Starts a run now; refused while one is running (runs of a schedule never overlap). */
  async runNow(name: string, key: string): Promise<{ id: string }> {
    const { plugin, schedule } = this.find(name, key);
    const { problems } = await this.set!.settings.current(plugin.manifest!);
    if (problems.length) throw new ProblemError(409, 'plugin-not-configured', 'Conflict', `the plug-in ${name} is not configured yet: fill in its settings first`);
    try {
      const handle = await this.temporal.workflow.start(PLUGIN_SCHEDULE_WORKFLOW, {
        taskQueue: this.taskQueue,
        workflowId: pluginScheduleWorkflowId(this.taskQueue, name, schedule.key),
        args: [{ plugin: name, key: schedule.key, trigger: 'admin' } satisfies Omit<PluginScheduleRun, 'runId'>],
      });
      return { id: handle.firstExecutionRunId };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw new ProblemError(409, 'schedule-running', 'Conflict', `a run of ${name}'s ${key} is already going on: wait for it to finish`);
      throw err;
    }
  }

  /** Each schedule of a plug-in: its interval, whether it is paused, its next run and its last ten runs. */
  async of(plugin: LoadedPlugin, locale: string) {
    if (plugin.status !== 'loaded' || !plugin.schedules.length) return [];
    const { rows } = await this.set!.runtime.pool.query<{ id: string; schedule: string; trigger: 'schedule' | 'admin'; status: ScheduleRunView['status']; report: ScheduleRunView['report']; error: string | null; started_at: Date; finished_at: Date | null }>(
      // A run whose worker died never records its end: past the run's limit it is shown failed, not running for ever.
      `select id, schedule, trigger, case when stale then 'failed' else status end as status, report,
              case when stale then 'the run stopped without an outcome (its worker stopped?)' else error end as error, started_at, finished_at from (
         select r.*, row_number() over (partition by schedule order by started_at desc) as n,
                (r.status = 'running' and r.started_at < now() - interval '20 minutes') as stale
           from plugin_schedule_runs r where plugin = $1) recent
       where n <= 10 order by schedule, started_at desc`,
      [plugin.name],
    );
    return Promise.all(
      plugin.schedules.map(async (s) => {
        const next = await this.temporal.schedule
          .getHandle(pluginScheduleId(this.taskQueue, plugin.name, s.key))
          .describe()
          .then((d) => ({ paused: d.state.paused as boolean | null, nextRunAt: d.state.paused ? null : (d.info.nextActionTimes[0]?.toISOString() ?? null) }))
          // Temporal out of reach must not take the admin page with it: the schedule's state is then unknown (null).
          .catch((err: unknown) => (err instanceof ScheduleNotFoundError ? { paused: true, nextRunAt: null } : { paused: null, nextRunAt: null }));
        return {
          key: s.key,
          title: titleIn(s.title, locale),
          // Reported when the schedule was last set up; reading the page does not report it again.
          everyMinutes: await this.interval(plugin, s, false),
          ...next,
          runs: rows
            .filter((r) => r.schedule === s.key)
            .map((r): ScheduleRunView => ({ id: r.id, trigger: r.trigger, status: r.status, report: r.report, error: r.error, startedAt: r.started_at.toISOString(), finishedAt: r.finished_at?.toISOString() ?? null })),
        };
      }),
    );
  }
}
