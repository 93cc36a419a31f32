// Agents' tags on tickets, written by the ticket's workflow with the rest of its row; a GIN index serves "tickets tagged x".
import { Migration } from '@mikro-orm/migrations';

export class Migration20261205000003TicketTags extends Migration {
  override name = 'Migration20261205000003TicketTags';

  override up(): void {
    this.addSql(`alter table tickets add column tags text[] not null default '{}'`);
    this.addSql(`create index tickets_tags_idx on tickets using gin (tags)`);
  }

  override down(): void {
    this.addSql(`drop index if exists tickets_tags_idx`);
    this.addSql(`alter table tickets drop column if exists tags`);
  }
}
