// Plug-in schedules: every run (by the schedule or an admin) with what it reported or why it failed, and schedule
// errors among the plug-in's errors.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261213000001PluginSchedules extends Migration {
  override name = 'Migration20261213000001PluginSchedules';

  override up(): void {
    this.addSql(`create table plugin_schedule_runs (
      -- The Temporal workflow run: a retried activity records one row.
      id text primary key,
      plugin text not null,
      schedule text not null,
      trigger text not null check (trigger in ('schedule', 'admin')),
      status text not null check (status in ('running', 'succeeded', 'failed')),
      report jsonb,
      error text,
      started_at timestamptz not null default now(),
      finished_at timestamptz
    )`);
    this.addSql(`create index plugin_schedule_runs_recent_idx on plugin_schedule_runs (plugin, schedule, started_at desc)`);
    this.addSql(`alter table plugin_errors drop constraint plugin_errors_phase_check`);
    this.addSql(`alter table plugin_errors add constraint plugin_errors_phase_check check (phase in ('load', 'migration', 'route', 'listener', 'action', 'schedule'))`);
  }

  override down(): void {
    this.addSql(`delete from plugin_errors where phase = 'schedule'`);
    this.addSql(`alter table plugin_errors drop constraint plugin_errors_phase_check`);
    this.addSql(`alter table plugin_errors add constraint plugin_errors_phase_check check (phase in ('load', 'migration', 'route', 'listener', 'action'))`);
    this.addSql('drop table plugin_schedule_runs');
  }
}
