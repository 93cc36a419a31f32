// Backpressure now watches only the tickets each API process opened, by id (the primary key): the partial index that
// served a scan of every unrecorded ticket would cost every ticket write for nothing.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261208000003DropUnrecordedIndex extends Migration {
  override name = 'Migration20261208000003DropUnrecordedIndex';

  override up(): void {
    this.addSql(`drop index if exists tickets_unrecorded_idx`);
  }

  override down(): void {
    this.addSql(`create index if not exists tickets_unrecorded_idx on tickets (created_at) where last_seq = 0`);
  }
}
