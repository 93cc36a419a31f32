// Personal data: erased accounts and anonymised tickets are marked (so nothing writes their text back), and retention
// policies say which closed tickets are anonymised how long after closing.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261207000003PersonalData extends Migration {
  override name = 'Migration20261207000003PersonalData';

  override up(): void {
    this.addSql(`alter table users add column erased_at timestamptz`);
    this.addSql(`alter table tickets add column anonymised_at timestamptz`);
    this.addSql(`create table retention_policies (
      id uuid primary key,
      name text not null,
      organisation_id uuid references organisations(id) on delete cascade,
      ticket_type text,
      after_days integer not null check (after_days between 0 and 36500),
      enabled boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    this.addSql(`create table retention_runs (
      id bigserial primary key,
      policy_id uuid not null references retention_policies(id) on delete cascade,
      at timestamptz not null default now(),
      trigger text not null check (trigger in ('schedule', 'manual')),
      anonymised integer not null
    )`);
    this.addSql(`create index retention_runs_policy_idx on retention_runs (policy_id, at desc)`);
    // Retention looks for closed, not yet anonymised tickets closed before a cut-off.
    this.addSql(`create index tickets_retention_idx on tickets (closed_at) where anonymised_at is null and closed_at is not null`);
  }

  override down(): void {
    this.addSql(`drop index if exists tickets_retention_idx`);
    this.addSql(`drop table if exists retention_runs`);
    this.addSql(`drop table if exists retention_policies`);
    this.addSql(`alter table tickets drop column if exists anonymised_at`);
    this.addSql(`alter table users drop column if exists erased_at`);
  }
}
