// What the admin page shows of each plug-in (status, settings, what it adds, its recent errors), and saving settings.
import { ProblemError } from '../../http/problem';
import type { LoadedPlugin, PluginSet } from '../../../platform/plugins/loader';
import type { PluginPhase } from '../../../platform/plugins/errors';
import type { PluginSchedules } from './schedules';
import { titleIn } from './content';

export class PluginAdmin {
  /** `set` null: the process loads no plug-ins (PLUGINS unset), so there is nothing to list. */
  constructor(
    private readonly set: PluginSet | null,
    private readonly schedules: PluginSchedules,
  ) {}

  private find(name: string): LoadedPlugin & { manifest: NonNullable<LoadedPlugin['manifest']> } {
    const plugin = this.set?.plugins.find((p) => p.name === name);
    if (!plugin?.manifest) throw new ProblemError(404, 'not-found', 'Not found', `no plug-in named '${name}' is loaded`);
    return plugin as LoadedPlugin & { manifest: NonNullable<LoadedPlugin['manifest']> };
  }

  async list(locale = 'en') {
    if (!this.set?.plugins.length) return { items: [] };
    const set = this.set;
    const { rows } = await set.runtime.pool.query<{ plugin: string; at: Date; process: 'api' | 'worker'; phase: PluginPhase; message: string }>(
      `select plugin, at, process, phase, message from (
         select e.*, row_number() over (partition by plugin order by id desc) as n from plugin_errors e where plugin = any($1)) recent
       where n <= 10 order by plugin, id desc`,
      [set.plugins.map((p) => p.name)],
    );
    const items = await Promise.all(
      set.plugins.map(async (p) => {
        const settings = p.manifest ? await set.settings.view(p.manifest) : { values: {}, secretsSet: [], problems: [], updatedAt: null };
        return {
          name: p.name,
          entry: p.entry,
          version: p.manifest?.version ?? null,
          description: titleIn(p.manifest?.description ?? null, locale),
          status: p.status === 'failed' ? ('failed' as const) : settings.problems.length ? ('not_configured' as const) : ('running' as const),
          error: p.error,
          settingsSchema: p.manifest?.settings ?? null,
          settings,
          routes: p.routes.map((r) => ({ method: r.method.toUpperCase(), path: `/api/plugins/${p.name}${r.path}`, summary: r.summary, access: r.access })),
          listeners: p.listeners.length,
          panels: p.panels.map((panel) => panel.key),
          actions: p.actions.map((action) => action.name),
          pages: p.pages.map((page) => page.key),
          schedules: await this.schedules.of(p, locale),
          backgrounds: p.backgrounds.map((b) => titleIn(b.title, locale)),
          migrations: p.migrations,
          recentErrors: rows.filter((r) => r.plugin === p.name).map((r) => ({ at: r.at.toISOString(), process: r.process, phase: r.phase, message: r.message })),
        };
      }),
    );
    return { items };
  }

  /** Actions of loaded plug-ins that definitions and rules may name, titled in `locale`, with their schemas. */
  actions(locale: string) {
    return {
      items: (this.set?.loaded() ?? []).flatMap((p) =>
        p.actions.map((a) => ({ plugin: p.name, name: a.name, title: titleIn(a.title, locale), schema: a.schema ?? null })),
      ),
    };
  }

  async saveSettings(name: string, input: Record<string, unknown>, userId: string, locale: string) {
    const plugin = this.find(name);
    const problems = await this.set!.settings.save(plugin.manifest, input, userId);
    if (problems.length) {
      throw new ProblemError(
        422,
        'invalid-settings',
        'Unprocessable content',
        `the settings of ${name} do not match its schema; nothing was saved`,
        problems.map((p) => ({ pointer: p.pointer || '/', message: p.message })),
      );
    }
    // The schedules follow the settings at once (interval, or paused); every API replica also does so when it starts.
    // The settings are saved either way: a schedule Temporal could not take now is reported, and set at the next save or start.
    await this.schedules.reconcile(name).catch((err: unknown) => this.set!.report(plugin, 'schedule', new Error(`its schedules could not be updated: ${(err as Error).message}`)));
    return (await this.list(locale)).items.find((p) => p.name === name)!;
  }
}
