// Automation rules: admins' "when … if … then …" rules, run for each ticket event by the ticket's workflow. Every change
// is kept as a numbered version (who, when, the whole rule), and the highest change number is the rule set's
// generation: a worker reloads its rules when it moves.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261211000001AutomationRules extends Migration {
  override name = 'Migration20261211000001AutomationRules';

  override up(): void {
    this.addSql(`create table automation_rules (
      id uuid primary key,
      name text not null check (length(name) between 1 and 120),
      position integer not null,
      enabled boolean not null default false,
      body jsonb not null,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    this.addSql(`create unique index automation_rules_name_idx on automation_rules (lower(name))`);
    this.addSql(`create table automation_rule_changes (
      id bigserial primary key,
      rule_id uuid not null,
      version integer not null,
      change text not null check (change in ('created', 'updated', 'deleted')),
      rule jsonb not null,
      changed_by uuid references users(id) on delete set null,
      changed_at timestamptz not null default now(),
      unique (rule_id, version)
    )`);
  }

  override down(): void {
    this.addSql(`drop table if exists automation_rule_changes`);
    this.addSql(`drop table if exists automation_rules`);
  }
}
