// Identity and access: organisations, agent groups and the queues they may work, API tokens, audit log, ticket search.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261124000003Access extends Migration {
  override name = 'Migration20261124000003Access';

  override up(): void {
    this.addSql(`create table organisations (
      id uuid primary key,
      name text not null unique,
      share_tickets boolean not null default false,
      created_at timestamptz not null default now()
    )`);
    this.addSql(`alter table users add constraint users_organisation_fk foreign key (organisation_id) references organisations(id)`);
    this.addSql(`create table groups (
      key text primary key,
      name text not null,
      created_at timestamptz not null default now()
    )`);
    this.addSql(`create table group_members (
      group_key text not null references groups(key) on delete cascade,
      user_id uuid not null references users(id) on delete cascade,
      primary key (group_key, user_id)
    )`);
    this.addSql(`create index group_members_user_idx on group_members (user_id)`);
    this.addSql(`create table queue_groups (
      queue text not null references queues(key) on delete cascade,
      group_key text not null references groups(key) on delete cascade,
      primary key (queue, group_key)
    )`);
    this.addSql(`alter table tickets add column organisation_id uuid`);
    this.addSql(`create index tickets_organisation_idx on tickets (organisation_id, created_at desc)`);
    this.addSql(`create index tickets_assignee_idx on tickets (assignee_id, priority_order, created_at, id)`);
    // French and English stemming both, so "imprimante" and "printers" each find their tickets.
    this.addSql(`alter table tickets add column search tsvector generated always as (
      setweight(to_tsvector('english', coalesce(title, '')), 'A') || setweight(to_tsvector('french', coalesce(title, '')), 'A') ||
      setweight(to_tsvector('english', coalesce(description, '')), 'B') || setweight(to_tsvector('french', coalesce(description, '')), 'B')
    ) stored`);
    this.addSql(`create index tickets_search_idx on tickets using gin (search)`);
    this.addSql(`create table api_tokens (
      id uuid primary key,
      name text not null,
      token_hash text not null unique,
      prefix text not null,
      scope text not null check (scope in ('read', 'write', 'admin')),
      user_id uuid not null references users(id) on delete cascade,
      created_by uuid not null references users(id),
      created_at timestamptz not null default now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    )`);
    this.addSql(`create table audit_log (
      id bigserial primary key,
      at timestamptz not null default now(),
      actor_id uuid,
      actor_role text,
      via text,
      action text not null,
      target text,
      outcome text not null check (outcome in ('allowed', 'denied')),
      status integer,
      ip text,
      request_id text,
      detail jsonb not null default '{}'
    )`);
    this.addSql(`create index audit_log_at_idx on audit_log (at desc)`);
  }

  override down(): void {
    this.addSql('drop table if exists audit_log, api_tokens, queue_groups, group_members, groups cascade');
    this.addSql('alter table tickets drop column if exists search, drop column if exists organisation_id');
    this.addSql('alter table users drop constraint if exists users_organisation_fk');
    this.addSql('drop table if exists organisations');
  }
}
