// Keeps the errors a plug-in raised (loading, migrations, routes, listeners) where the admin page shows them.
import type pg from 'pg';

export type PluginPhase = 'load' | 'migration' | 'route' | 'listener' | 'action' | 'schedule' | 'background';

/** Errors kept per plug-in: enough to see a pattern, never a table that grows with a listener failing on every event. */
const KEPT = 50;

export interface PluginErrorLog {
  record(plugin: string, phase: PluginPhase, message: string): Promise<void>;
}

export function pluginErrorLog(pool: pg.Pool, process: 'api' | 'worker'): PluginErrorLog {
  return {
    async record(plugin, phase, message) {
      await pool.query(
        // One statement: the delete sees the rows before the insert, so it keeps the newest KEPT - 1 beside the new one.
        `with added as (insert into plugin_errors (plugin, process, phase, message) values ($1, $2, $3, $4))
         delete from plugin_errors where plugin = $1 and id not in (select id from plugin_errors where plugin = $1 order by id desc limit $5)`,
        [plugin, process, phase, message.slice(0, 2000), KEPT - 1],
      );
    },
  };
}
