// Backpressure reads how long the oldest ticket the API opened has waited for its workflow's first write (last_seq
// still 0) several times a second: a partial index keeps that read to the handful of rows concerned.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261208000001UnrecordedTickets extends Migration {
  override name = 'Migration20261208000001UnrecordedTickets';

  override up(): void {
    this.addSql(`create index tickets_unrecorded_idx on tickets (created_at) where last_seq = 0`);
  }

  override down(): void {
    this.addSql(`drop index tickets_unrecorded_idx`);
  }
}
