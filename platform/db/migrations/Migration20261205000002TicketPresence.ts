// Who has a ticket open and who is typing a reply on it, shared by every API replica (rows older than a minute are stale).
import { Migration } from '@mikro-orm/migrations';

export class Migration20261205000002TicketPresence extends Migration {
  override name = 'Migration20261205000002TicketPresence';

  override up(): void {
    this.addSql(`create table ticket_presence (
      ticket_id uuid not null references tickets(id) on delete cascade,
      user_id uuid not null references users(id) on delete cascade,
      typing boolean not null default false,
      seen_at timestamptz not null default now(),
      primary key (ticket_id, user_id)
    )`);
    this.addSql(`create index ticket_presence_seen_idx on ticket_presence (seen_at)`);
  }

  override down(): void {
    this.addSql(`drop table if exists ticket_presence`);
  }
}
