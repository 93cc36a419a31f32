// Custom ticket types: admins add kinds of work beyond the built-in four, each run by a definition of their choice.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261210000002TicketTypes extends Migration {
  override name = 'Migration20261210000002TicketTypes';

  override up(): void {
    this.addSql(`create table ticket_types (
      key text primary key check (key ~ '^[a-z][a-z0-9_]{0,62}$' and key not in ('incident', 'service_request', 'problem', 'maintenance')),
      name_en text not null,
      name_fr text not null,
      definition_key text not null,
      customers_may_open boolean not null default false,
      created_at timestamptz not null default now()
    )`);
  }

  override down(): void {
    this.addSql(`drop table if exists ticket_types`);
  }
}
