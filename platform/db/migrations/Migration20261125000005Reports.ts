// Report facts (one row per ticket, derived from its timeline) and customer satisfaction ratings.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261125000005Reports extends Migration {
  override name = 'Migration20261125000005Reports';

  override up(): void {
    // Rebuilt from tickets + ticket_events by activities/report-facts.ts (a ticket-event listener and a backfill): never edited by hand.
    this.addSql(`create table ticket_facts (
      ticket_id uuid primary key references tickets(id) on delete cascade,
      type text not null,
      queue text,
      priority text not null,
      state_category text not null,
      assignee_id uuid,
      assigned_group text,
      organisation_id uuid,
      requester_id uuid not null,
      created_at timestamptz not null,
      -- UTC days of creation and resolution: reports group by these (a date groups far faster than a formatted timestamp).
      created_day date not null,
      resolved_day date,
      first_response_at timestamptz,
      resolved_at timestamptz,
      closed_at timestamptz,
      fr_status text not null check (fr_status in ('none', 'pending', 'met', 'breached')),
      res_status text not null check (res_status in ('none', 'pending', 'met', 'breached')),
      fr_business_ms bigint,
      res_business_ms bigint,
      reopen_count integer not null default 0,
      escalations text[] not null default '{}',
      last_seq integer not null
    )`);
    this.addSql(`create index ticket_facts_created_idx on ticket_facts (created_at)`);
    this.addSql(`create index ticket_facts_resolved_idx on ticket_facts (resolved_at) where resolved_at is not null`);
    this.addSql(`create index ticket_facts_assignee_idx on ticket_facts (assignee_id) where assignee_id is not null`);
    this.addSql(`create index ticket_facts_open_idx on ticket_facts (created_at, priority) where state_category not in ('resolved', 'closed')`);
    this.addSql(`create index ticket_facts_queue_idx on ticket_facts (queue, created_at)`);
    this.addSql(`create table ticket_ratings (
      ticket_id uuid primary key references tickets(id) on delete cascade,
      rater_id uuid not null references users(id),
      score smallint not null check (score between 1 and 5),
      comment text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
  }

  override down(): void {
    this.addSql('drop table if exists ticket_ratings, ticket_facts');
  }
}
