// Custom roles: a staff role's grants (areas of the desk, actions per queue) chosen by admins; users holding one are
// agents whose rights are those grants instead of the built-in agent's.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261207000004Roles extends Migration {
  override name = 'Migration20261207000004Roles';

  override up(): void {
    this.addSql(`create table roles (
      key text primary key check (key ~ '^[a-z][a-z0-9_]{0,62}$' and key not in ('admin', 'agent', 'customer')),
      name text not null,
      description text not null default '',
      grants jsonb not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    this.addSql(`alter table users add column custom_role text references roles(key) on delete restrict`);
    this.addSql(`alter table users add constraint users_custom_role_is_staff check (custom_role is null or role = 'agent')`);
  }

  override down(): void {
    this.addSql(`alter table users drop constraint if exists users_custom_role_is_staff`);
    this.addSql(`alter table users drop column if exists custom_role`);
    this.addSql(`drop table if exists roles`);
  }
}
