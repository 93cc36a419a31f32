// Initial schema: users, sessions, versioned definitions, the ticket read model and its timeline.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261124000001Initial extends Migration {
  override name = 'Migration20261124000001Initial';

  override up(): void {
    this.addSql(`create table users (
      id uuid primary key,
      email text not null unique,
      name text not null,
      role text not null check (role in ('admin', 'agent', 'customer')),
      password_hash text,
      locale text not null default 'en',
      organisation_id uuid,
      disabled boolean not null default false,
      created_at timestamptz not null default now()
    )`);
    this.addSql(`create table sessions (
      id text primary key,
      user_id uuid not null references users(id) on delete cascade,
      csrf_token text not null,
      expires_at timestamptz not null,
      created_at timestamptz not null default now()
    )`);
    this.addSql(`create index sessions_user_idx on sessions (user_id)`);
    this.addSql(`create table definitions (
      key text not null,
      version integer not null,
      status text not null check (status in ('draft', 'published')),
      body jsonb not null,
      created_at timestamptz not null default now(),
      published_at timestamptz,
      primary key (key, version)
    )`);
    this.addSql(`create sequence ticket_number_seq`);
    this.addSql(`create table tickets (
      id uuid primary key,
      number text not null unique,
      type text not null,
      title text not null,
      description text not null default '',
      priority text not null,
      priority_order smallint not null,
      state text not null,
      state_category text not null,
      queue text,
      assignee_id uuid,
      requester_id uuid not null,
      definition_key text not null,
      definition_version integer not null,
      fields jsonb not null default '{}',
      sla jsonb not null default '[]',
      sla_status text not null default 'ok',
      sla_due_at timestamptz,
      last_seq integer not null default 0,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      resolved_at timestamptz,
      closed_at timestamptz
    )`);
    // Queues read "priority then creation date" by keyset; priority_order (1 = critical .. 4 = low) keeps every key ascending so a row comparison range-scans these indexes.
    this.addSql(`create index tickets_queue_order_idx on tickets (priority_order, created_at, id)`);
    this.addSql(`create index tickets_by_queue_idx on tickets (queue, priority_order, created_at, id)`);
    this.addSql(`create index tickets_requester_idx on tickets (requester_id, created_at desc)`);
    this.addSql(`create index tickets_state_category_idx on tickets (state_category)`);
    this.addSql(`create table ticket_events (
      ticket_id uuid not null references tickets(id) on delete cascade,
      seq integer not null,
      type text not null,
      actor_id uuid,
      actor_role text not null,
      visibility text not null default 'public' check (visibility in ('public', 'internal')),
      at timestamptz not null,
      data jsonb not null default '{}',
      primary key (ticket_id, seq)
    )`);
  }

  override down(): void {
    this.addSql('drop table if exists ticket_events, tickets, definitions, sessions, users cascade');
    this.addSql('drop sequence if exists ticket_number_seq');
  }
}
