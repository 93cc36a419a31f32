// Imports from CSV files and from older desks: which source record became which desk record (so a second run updates
// rather than duplicates), and the runs themselves (who imported what, with counts, never the rows' contents).
import { Migration } from '@mikro-orm/migrations';

export class Migration20261214000001Imports extends Migration {
  override name = 'Migration20261214000001Imports';

  override up(): void {
    this.addSql(`create table import_keys (
      source text not null,
      kind text not null check (kind in ('organisation', 'user', 'asset', 'ticket', 'queue')),
      external_id text not null,
      local_id text not null,
      digest text not null,
      imported_seq integer,
      live boolean not null default false,
      start_input jsonb,
      imported_at timestamptz not null default now(),
      primary key (source, kind, external_id)
    )`);
    this.addSql(`create index import_keys_local_idx on import_keys (kind, local_id)`);
    // Open tickets whose workflow is still to start (the run committed, Temporal did not answer): started by the next run.
    this.addSql(`create index import_keys_unstarted_idx on import_keys (source) where start_input is not null`);
    this.addSql(`create table import_runs (
      id uuid primary key,
      source text not null,
      kind text not null,
      dry_run boolean not null,
      started_by uuid references users(id) on delete set null,
      started_at timestamptz not null default now(),
      finished_at timestamptz,
      outcome text not null default 'running' check (outcome in ('running', 'done', 'refused', 'failed')),
      counts jsonb not null default '{}'
    )`);
    this.addSql(`create index import_runs_started_idx on import_runs (started_at desc)`);
  }

  override down(): void {
    this.addSql('drop table if exists import_runs, import_keys');
  }
}
