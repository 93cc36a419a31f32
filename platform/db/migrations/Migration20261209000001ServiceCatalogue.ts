// The service catalogue: offerings admins publish, each form version they designed (never changed once a request used
// it: a ticket is pinned to the version it was submitted with), and each ticket's answers.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261209000001ServiceCatalogue extends Migration {
  override name = 'Migration20261209000001ServiceCatalogue';

  override up(): void {
    this.addSql(`create table catalogue_offerings (
      id uuid primary key,
      key text not null unique check (key ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
      name jsonb not null,
      description jsonb not null,
      category jsonb not null,
      icon text not null,
      organisation_ids uuid[] not null default '{}',
      ticket_type text not null,
      queue text references queues (key) on delete set null,
      priority text not null,
      field_values jsonb not null default '{}',
      published boolean not null default false,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    this.addSql(`create table catalogue_form_versions (
      offering_id uuid not null references catalogue_offerings (id) on delete cascade,
      version integer not null,
      layout jsonb not null,
      created_by uuid references users (id) on delete set null,
      created_at timestamptz not null default now(),
      primary key (offering_id, version)
    )`);
    this.addSql(`create table ticket_request_forms (
      ticket_id uuid primary key,
      offering_id uuid not null,
      version integer not null,
      answers jsonb not null,
      created_at timestamptz not null default now(),
      foreign key (offering_id, version) references catalogue_form_versions (offering_id, version)
    )`);
    this.addSql(`create index ticket_request_forms_offering on ticket_request_forms (offering_id)`);
  }

  override down(): void {
    this.addSql(`drop table if exists ticket_request_forms`);
    this.addSql(`drop table if exists catalogue_form_versions`);
    this.addSql(`drop table if exists catalogue_offerings`);
  }
}
