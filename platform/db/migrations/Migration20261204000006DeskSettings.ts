// Desk-wide settings an admin changes in the console (not deployment configuration): one row per setting.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261204000006DeskSettings extends Migration {
  override name = 'Migration20261204000006DeskSettings';

  override up(): void {
    this.addSql(`create table desk_settings (
      key text primary key,
      value jsonb not null,
      updated_by uuid references users(id) on delete set null,
      updated_at timestamptz not null default now()
    )`);
  }

  override down(): void {
    this.addSql(`drop table if exists desk_settings`);
  }
}
