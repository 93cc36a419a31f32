// Preventive maintenance: assets, maintenance plans (each run by its own workflow) and the work orders they opened, with their checklists.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261125000003Maintenance extends Migration {
  override name = 'Migration20261125000003Maintenance';

  override up(): void {
    this.addSql(`create table assets (
      id uuid primary key,
      name text not null,
      kind text not null check (kind in ('equipment', 'site', 'service')),
      category text not null default '',
      location text not null default '',
      owner_group text references groups(key) on delete set null,
      criticality text not null check (criticality in ('low', 'medium', 'high', 'critical')),
      fields jsonb not null default '{}'::jsonb,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    this.addSql(`create index assets_name_idx on assets (lower(name), id)`);
    this.addSql(`create table maintenance_plans (
      id uuid primary key,
      name text not null,
      asset_ids jsonb not null,
      schedule jsonb not null,
      start_local text not null,
      end_date text,
      time_zone text not null,
      lead_days integer not null,
      checklist jsonb not null,
      owner_group text references groups(key) on delete set null,
      priority text not null,
      definition_key text not null,
      requester_id uuid not null references users(id),
      status text not null default 'active' check (status in ('active', 'paused', 'ended')),
      next_due_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    this.addSql(`create table maintenance_work_orders (
      plan_id uuid not null references maintenance_plans(id) on delete cascade,
      occurrence text not null,
      ticket_id uuid not null unique,
      number text not null,
      due_at timestamptz not null,
      asset_ids jsonb not null,
      checklist jsonb not null,
      created_at timestamptz not null default now(),
      primary key (plan_id, occurrence)
    )`);
    this.addSql(`create index maintenance_work_orders_due_idx on maintenance_work_orders (due_at)`);
    // Incidents and requests name their asset in the "asset" custom field: find an asset's tickets by it.
    this.addSql(`create index tickets_asset_idx on tickets ((fields->>'asset')) where (fields->>'asset') is not null`);
  }

  override down(): void {
    this.addSql('drop index if exists tickets_asset_idx');
    this.addSql('drop table if exists maintenance_work_orders, maintenance_plans, assets');
  }
}
