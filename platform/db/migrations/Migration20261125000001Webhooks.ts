// Outbound webhook subscriptions and their delivery log; inbound endpoints, their request log, sender event ids and external references.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261125000001Webhooks extends Migration {
  override name = 'Migration20261125000001Webhooks';

  override up(): void {
    this.addSql(`create table webhook_subscriptions (
      id uuid primary key,
      name text not null,
      url text not null,
      event_types jsonb not null,
      include_internal boolean not null default false,
      allow_private_network boolean not null default false,
      enabled boolean not null default true,
      disabled_reason text,
      disabled_at timestamptz,
      secret text not null,
      previous_secret text,
      previous_secret_until timestamptz,
      consecutive_failures integer not null default 0,
      failing_since timestamptz,
      owner_id uuid references users(id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    this.addSql(`create table webhook_deliveries (
      id bigserial primary key,
      subscription_id uuid not null references webhook_subscriptions(id) on delete cascade,
      ticket_id uuid not null,
      seq integer not null,
      event_id text not null,
      event_type text not null,
      payload jsonb not null,
      status text not null default 'pending' check (status in ('pending', 'succeeded', 'failed')),
      attempts integer not null default 0,
      response_status integer,
      latency_ms integer,
      last_error text,
      created_at timestamptz not null default now(),
      last_attempt_at timestamptz,
      delivered_at timestamptz,
      unique (subscription_id, ticket_id, seq)
    )`);
    this.addSql('create index webhook_deliveries_log_idx on webhook_deliveries (subscription_id, created_at desc, id desc)');
    // The hook point for owner notifications (mail is built elsewhere): one row per automatic disabling, unsent until a notifier marks it.
    this.addSql(`create table webhook_disabled_notices (
      id bigserial primary key,
      subscription_id uuid not null references webhook_subscriptions(id) on delete cascade,
      owner_id uuid references users(id) on delete set null,
      reason text not null,
      created_at timestamptz not null default now(),
      notified_at timestamptz
    )`);
    this.addSql(`create table inbound_endpoints (
      id uuid primary key,
      slug text not null unique,
      name text not null,
      auth text not null check (auth in ('hmac', 'bearer')),
      secret text not null,
      mapping jsonb not null,
      actor_id uuid not null references users(id),
      enabled boolean not null default true,
      created_by uuid references users(id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    this.addSql(`create table inbound_requests (
      id bigserial primary key,
      endpoint_id uuid not null references inbound_endpoints(id) on delete cascade,
      event_id text,
      received_at timestamptz not null default now(),
      outcome text not null check (outcome in ('accepted', 'duplicate', 'rejected')),
      status integer not null,
      action text,
      ticket_id uuid,
      problem jsonb,
      headers jsonb not null default '{}',
      body text not null,
      body_truncated boolean not null default false,
      replay_of bigint
    )`);
    this.addSql('create index inbound_requests_log_idx on inbound_requests (endpoint_id, id desc)');
    // A sender's event id is claimed once per endpoint: the constraint, not a lookup, stops a retried alert opening a second ticket.
    this.addSql(`create table inbound_events (
      endpoint_id uuid not null references inbound_endpoints(id) on delete cascade,
      event_id text not null,
      result jsonb,
      created_at timestamptz not null default now(),
      primary key (endpoint_id, event_id)
    )`);
    this.addSql(`create table inbound_refs (
      endpoint_id uuid not null references inbound_endpoints(id) on delete cascade,
      external_ref text not null,
      ticket_id uuid not null,
      created_at timestamptz not null default now(),
      primary key (endpoint_id, external_ref)
    )`);
  }

  override down(): void {
    this.addSql('drop table if exists inbound_refs');
    this.addSql('drop table if exists inbound_events');
    this.addSql('drop table if exists inbound_requests');
    this.addSql('drop table if exists inbound_endpoints');
    this.addSql('drop table if exists webhook_disabled_notices');
    this.addSql('drop table if exists webhook_deliveries');
    this.addSql('drop table if exists webhook_subscriptions');
  }
}
