// How a ticket reached the desk (portal, e-mail, phone, walk-in, API) and a phone number to call its requester back on.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261204000004TicketChannel extends Migration {
  override name = 'Migration20261204000004TicketChannel';

  override up(): void {
    this.addSql(`alter table tickets add column channel text`);
    this.addSql(`alter table users add column phone text`);
  }

  override down(): void {
    this.addSql(`alter table tickets drop column if exists channel`);
    this.addSql(`alter table users drop column if exists phone`);
  }
}
