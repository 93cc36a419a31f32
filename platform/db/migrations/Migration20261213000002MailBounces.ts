// Addresses mail bounced from for good (a delivery status notification said so): the outbox no longer mails them until
// an admin clears one. And background tasks among the plug-ins' error phases.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261213000002MailBounces extends Migration {
  override name = 'Migration20261213000002MailBounces';

  override up(): void {
    this.addSql(`create table mail_undeliverable (
      email text primary key,
      status text not null,
      diagnostic text,
      ticket_id uuid references tickets(id) on delete set null,
      bounced_at timestamptz not null default now()
    )`);
    this.addSql(`alter table plugin_errors drop constraint plugin_errors_phase_check`);
    this.addSql(`alter table plugin_errors add constraint plugin_errors_phase_check check (phase in ('load', 'migration', 'route', 'listener', 'action', 'schedule', 'background'))`);
  }

  override down(): void {
    this.addSql(`delete from plugin_errors where phase = 'background'`);
    this.addSql(`alter table plugin_errors drop constraint plugin_errors_phase_check`);
    this.addSql(`alter table plugin_errors add constraint plugin_errors_phase_check check (phase in ('load', 'migration', 'route', 'listener', 'action', 'schedule'))`);
    this.addSql('drop table mail_undeliverable');
  }
}
