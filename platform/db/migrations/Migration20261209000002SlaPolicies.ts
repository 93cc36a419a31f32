// SLA policies of customer organisations: targets per priority and a calendar. An organisation is in one policy at most
// (its key here); each ticket keeps the policy it opened under, as it was, whatever happens to the policy later.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261209000002SlaPolicies extends Migration {
  override name = 'Migration20261209000002SlaPolicies';

  override up(): void {
    this.addSql(`create table sla_policies (
      id uuid primary key,
      name text not null unique,
      calendar jsonb not null,
      targets jsonb not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    this.addSql(`create table sla_policy_organisations (
      organisation_id uuid primary key references organisations (id) on delete cascade,
      policy_id uuid not null references sla_policies (id) on delete cascade
    )`);
    this.addSql(`create index sla_policy_organisations_policy on sla_policy_organisations (policy_id)`);
    this.addSql(`create table ticket_sla_policies (
      ticket_id uuid primary key,
      policy_id uuid references sla_policies (id) on delete set null,
      name text not null,
      policy jsonb not null,
      created_at timestamptz not null default now()
    )`);
    this.addSql(`create index ticket_sla_policies_policy on ticket_sla_policies (policy_id)`);
  }

  override down(): void {
    this.addSql(`drop table if exists ticket_sla_policies`);
    this.addSql(`drop table if exists sla_policy_organisations`);
    this.addSql(`drop table if exists sla_policies`);
  }
}
