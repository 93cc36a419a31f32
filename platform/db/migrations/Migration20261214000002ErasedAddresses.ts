// People erased from the desk, by a digest of their address only: imports and syncs must not make them again.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261214000002ErasedAddresses extends Migration {
  override name = 'Migration20261214000002ErasedAddresses';

  override up(): void {
    this.addSql(`create table erased_addresses (
      digest text primary key,
      erased_at timestamptz not null default now()
    )`);
  }

  override down(): void {
    this.addSql('drop table if exists erased_addresses');
  }
}
