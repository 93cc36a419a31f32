// Macros (shared by admins, or an agent's own) and the index the time report reads time_logged events by.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261206000001MacrosAndTime extends Migration {
  override name = 'Migration20261206000001MacrosAndTime';

  override up(): void {
    this.addSql(`create table macros (
      id uuid primary key,
      owner_id uuid references users(id) on delete cascade,
      name text not null check (length(name) between 1 and 80),
      body jsonb not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    // One name per owner, and one among the shared macros (owner null), whatever the case.
    this.addSql(`create unique index macros_owner_name_idx on macros (coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(name))`);
    this.addSql(`create index ticket_events_time_logged_idx on ticket_events (at) where type = 'time_logged'`);
  }

  override down(): void {
    this.addSql('drop index if exists ticket_events_time_logged_idx');
    this.addSql('drop table if exists macros');
  }
}
