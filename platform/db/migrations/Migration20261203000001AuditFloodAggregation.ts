// Refused anonymous requests are counted per address, route and minute in one row, so a flood cannot fill the audit log.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261203000001AuditFloodAggregation extends Migration {
  override name = 'Migration20261203000001AuditFloodAggregation';

  override up(): void {
    this.addSql(`alter table audit_log add column count integer not null default 1, add column bucket timestamptz`);
    this.addSql(`create unique index audit_log_anonymous_bucket_idx on audit_log (ip, action, bucket) where bucket is not null`);
  }

  override down(): void {
    this.addSql(`drop index if exists audit_log_anonymous_bucket_idx`);
    this.addSql(`alter table audit_log drop column if exists bucket, drop column if exists count`);
  }
}
