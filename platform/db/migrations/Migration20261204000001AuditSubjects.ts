// Audit entries name what they changed (entity and id), so an admin can follow one queue, user or webhook through time.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261204000001AuditSubjects extends Migration {
  override name = 'Migration20261204000001AuditSubjects';

  override up(): void {
    this.addSql(`alter table audit_log add column entity text, add column entity_id text`);
    this.addSql(`create index audit_log_entity_idx on audit_log (entity, entity_id, id desc) where entity is not null`);
  }

  override down(): void {
    this.addSql(`drop index if exists audit_log_entity_idx`);
    this.addSql(`alter table audit_log drop column if exists entity, drop column if exists entity_id`);
  }
}
