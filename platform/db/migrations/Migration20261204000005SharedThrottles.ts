// Rate limits and login throttling live in PostgreSQL, so every API replica counts the same requests and failures.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261204000005SharedThrottles extends Migration {
  override name = 'Migration20261204000005SharedThrottles';

  override up(): void {
    // One row per counted key (a client address, an account and address pair); times are the API's clock in milliseconds.
    this.addSql(`create table throttle_counters (
      key text primary key,
      count integer not null,
      first_at bigint not null,
      locked_until bigint not null default 0
    )`);
    this.addSql(`create index throttle_counters_first_at_idx on throttle_counters (first_at)`);
  }

  override down(): void {
    this.addSql(`drop table if exists throttle_counters`);
  }
}
