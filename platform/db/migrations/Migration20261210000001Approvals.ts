// Approvals: users get a manager (an approver by definition), and the read model of each ticket's approval rounds and
// their approvers' decisions (the "approvals for me" list), projected from the ticket's approval events.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261210000001Approvals extends Migration {
  override name = 'Migration20261210000001Approvals';

  override up(): void {
    this.addSql(`alter table users add column manager_id uuid references users(id) on delete set null`);
    this.addSql(`alter table users add constraint users_manager_not_self check (manager_id is null or manager_id <> id)`);
    this.addSql(`create table ticket_approvals (
      ticket_id uuid not null,
      round integer not null,
      state text not null,
      policy text not null check (policy in ('any', 'all', 'atLeast')),
      needed integer not null,
      status text not null default 'open' check (status in ('open', 'approved', 'rejected', 'withdrawn')),
      unresolved text,
      opened_at timestamptz not null,
      deadline timestamptz,
      closed_at timestamptz,
      closed_by text,
      primary key (ticket_id, round)
    )`);
    this.addSql(`create table ticket_approvers (
      ticket_id uuid not null,
      round integer not null,
      user_id uuid not null,
      decision text check (decision in ('approve', 'reject')),
      comment text,
      via text,
      decided_at timestamptz,
      primary key (ticket_id, round, user_id),
      foreign key (ticket_id, round) references ticket_approvals (ticket_id, round) on delete cascade
    )`);
    this.addSql(`create index ticket_approvers_user_idx on ticket_approvers (user_id, ticket_id)`);
    // Keys the desk makes for itself and shares between its processes (the approval links' signing key).
    this.addSql(`create table desk_secrets (name text primary key, value bytea not null, created_at timestamptz not null default now())`);
  }

  override down(): void {
    this.addSql(`drop table if exists desk_secrets`);
    this.addSql(`drop table if exists ticket_approvers`);
    this.addSql(`drop table if exists ticket_approvals`);
    this.addSql(`alter table users drop column if exists manager_id`);
  }
}
