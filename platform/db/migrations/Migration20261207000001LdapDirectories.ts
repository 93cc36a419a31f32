// LDAP / Active Directory: the configured directories (bind secret sealed), which desk account each directory entry
// is (its DN for password checks), and every sync's report.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261207000001LdapDirectories extends Migration {
  override name = 'Migration20261207000001LdapDirectories';

  override up(): void {
    this.addSql(`create table ldap_directories (
      id uuid primary key,
      name text not null unique,
      url text not null,
      start_tls boolean not null default false,
      ca_certificate text,
      bind_dn text not null,
      bind_secret_sealed text not null,
      user_base_dns jsonb not null,
      user_filter text not null,
      group_base_dns jsonb not null default '[]',
      group_filter text not null,
      attributes jsonb not null,
      group_mappings jsonb not null default '[]',
      default_role text not null default 'customer' check (default_role in ('agent', 'customer')),
      sync_interval_minutes integer not null default 60 check (sync_interval_minutes between 5 and 10080),
      enabled boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    this.addSql(`create table ldap_accounts (
      directory_id uuid not null references ldap_directories(id) on delete cascade,
      user_id uuid not null references users(id) on delete cascade,
      dn text not null,
      login text,
      missing_since timestamptz,
      synced_at timestamptz not null default now(),
      primary key (directory_id, user_id)
    )`);
    this.addSql(`create index ldap_accounts_user_idx on ldap_accounts (user_id)`);
    this.addSql(`create table ldap_sync_runs (
      id uuid primary key,
      directory_id uuid not null references ldap_directories(id) on delete cascade,
      trigger text not null,
      status text not null check (status in ('running', 'succeeded', 'failed')),
      started_at timestamptz not null default now(),
      finished_at timestamptz,
      entries integer not null default 0,
      created integer not null default 0,
      updated integer not null default 0,
      disabled integer not null default 0,
      unchanged integer not null default 0,
      skipped integer not null default 0,
      warnings jsonb not null default '[]',
      error_code text,
      error text
    )`);
    this.addSql(`create index ldap_sync_runs_directory_idx on ldap_sync_runs (directory_id, started_at desc)`);
  }

  override down(): void {
    this.addSql(`drop table if exists ldap_sync_runs`);
    this.addSql(`drop table if exists ldap_accounts`);
    this.addSql(`drop table if exists ldap_directories`);
  }
}
