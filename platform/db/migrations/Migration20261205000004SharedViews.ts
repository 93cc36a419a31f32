// Saved views shared with the team: with everyone on staff, or with one agent group; the owner alone changes them.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261205000004SharedViews extends Migration {
  override name = 'Migration20261205000004SharedViews';

  override up(): void {
    this.addSql(`alter table saved_views add column shared_with text not null default 'me' check (shared_with in ('me', 'group', 'everyone'))`);
    this.addSql(`alter table saved_views add column group_key text references groups(key) on delete cascade`);
    this.addSql(`alter table saved_views add constraint saved_views_group_check check ((shared_with = 'group') = (group_key is not null))`);
    this.addSql(`create index saved_views_shared_idx on saved_views (shared_with, group_key)`);
  }

  override down(): void {
    this.addSql(`alter table saved_views drop constraint if exists saved_views_group_check`);
    this.addSql(`alter table saved_views drop column if exists group_key`);
    this.addSql(`alter table saved_views drop column if exists shared_with`);
  }
}
