// SCIM provisioning: what an identity provider says about accounts and groups beside what the desk itself needs, and a
// last-modified time every change moves (triggers, so changes made from the console move it too).
import { Migration } from '@mikro-orm/migrations';

export class Migration20261207000002Scim extends Migration {
  override name = 'Migration20261207000002Scim';

  override up(): void {
    this.addSql(`alter table users
      add column external_id text,
      add column scim_user_name text,
      add column scim_name jsonb,
      add column updated_at timestamptz not null default now(),
      add column scim_deleted_at timestamptz`);
    this.addSql(`create unique index users_scim_user_name_idx on users (lower(scim_user_name)) where scim_user_name is not null and scim_deleted_at is null`);
    this.addSql(`alter table groups add column external_id text, add column updated_at timestamptz not null default now()`);
    this.addSql(`create function touch_updated_at() returns trigger language plpgsql as $$
      begin new.updated_at := now(); return new; end $$`);
    this.addSql(`create trigger users_touch before update on users for each row when (old.* is distinct from new.*) execute function touch_updated_at()`);
    this.addSql(`create trigger groups_touch before update on groups for each row when (old.* is distinct from new.*) execute function touch_updated_at()`);
    // A membership change is a change of the group as SCIM sees it.
    this.addSql(`create function touch_group_of_member() returns trigger language plpgsql as $$
      begin
        update groups set updated_at = now() where key = coalesce(new.group_key, old.group_key);
        return null;
      end $$`);
    this.addSql(`create trigger group_members_touch after insert or delete on group_members for each row execute function touch_group_of_member()`);
    this.addSql(`alter table api_tokens drop constraint if exists api_tokens_scope_check`);
    this.addSql(`alter table api_tokens add constraint api_tokens_scope_check check (scope in ('read', 'write', 'admin', 'scim'))`);
  }

  override down(): void {
    this.addSql(`delete from api_tokens where scope = 'scim'`);
    this.addSql(`alter table api_tokens drop constraint if exists api_tokens_scope_check`);
    this.addSql(`alter table api_tokens add constraint api_tokens_scope_check check (scope in ('read', 'write', 'admin'))`);
    this.addSql(`drop trigger if exists group_members_touch on group_members`);
    this.addSql(`drop function if exists touch_group_of_member()`);
    this.addSql(`drop trigger if exists groups_touch on groups`);
    this.addSql(`drop trigger if exists users_touch on users`);
    this.addSql(`drop function if exists touch_updated_at()`);
    this.addSql(`alter table groups drop column if exists external_id, drop column if exists updated_at`);
    this.addSql(`drop index if exists users_scim_user_name_idx`);
    this.addSql(`alter table users drop column if exists external_id, drop column if exists scim_user_name, drop column if exists scim_name, drop column if exists updated_at, drop column if exists scim_deleted_at`);
  }
}
