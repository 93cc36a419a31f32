// Plug-ins: each one's settings (secrets sealed, apart), the errors its loading, routes and listeners raised in any
// process (shown on the admin page), and which of its own migrations have run.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261212000001Plugins extends Migration {
  override name = 'Migration20261212000001Plugins';

  override up(): void {
    this.addSql(`create table plugin_settings (
      plugin text primary key,
      "values" jsonb not null,
      -- Secret settings (writeOnly in the plug-in's schema), each sealed; apart so the audit and exports never copy them.
      secrets jsonb not null default '{}',
      updated_by uuid references users(id) on delete set null,
      updated_at timestamptz not null default now()
    )`);
    this.addSql(`create table plugin_errors (
      id bigserial primary key,
      plugin text not null,
      process text not null check (process in ('api', 'worker')),
      phase text not null check (phase in ('load', 'migration', 'route', 'listener', 'action')),
      message text not null,
      at timestamptz not null default now()
    )`);
    this.addSql(`create index plugin_errors_plugin_idx on plugin_errors (plugin, id desc)`);
    this.addSql(`create table plugin_migrations (
      plugin text not null,
      name text not null,
      applied_at timestamptz not null default now(),
      primary key (plugin, name)
    )`);
  }

  override down(): void {
    this.addSql('drop table plugin_migrations');
    this.addSql('drop table plugin_errors');
    this.addSql('drop table plugin_settings');
  }
}
