// The agent group a ticket is assigned to, beside its agent and queue.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261124000006AssignedGroup extends Migration {
  override name = 'Migration20261124000006AssignedGroup';

  override up(): void {
    this.addSql(`alter table tickets add column assigned_group text`);
    this.addSql(`create index tickets_assigned_group_idx on tickets (assigned_group, priority_order, created_at, id)`);
  }

  override down(): void {
    this.addSql('alter table tickets drop column if exists assigned_group');
  }
}
