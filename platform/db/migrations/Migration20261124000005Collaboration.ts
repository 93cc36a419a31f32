// Saved ticket views per user, ticket watchers, and attachment metadata (the bytes live on disk, content-addressed).
import { Migration } from '@mikro-orm/migrations';

export class Migration20261124000005Collaboration extends Migration {
  override name = 'Migration20261124000005Collaboration';

  override up(): void {
    this.addSql(`create table saved_views (
      id uuid primary key,
      user_id uuid not null references users(id) on delete cascade,
      name text not null,
      query jsonb not null,
      created_at timestamptz not null default now(),
      unique (user_id, name)
    )`);
    this.addSql(`create table ticket_watchers (
      ticket_id uuid not null references tickets(id) on delete cascade,
      user_id uuid not null references users(id) on delete cascade,
      created_at timestamptz not null default now(),
      primary key (ticket_id, user_id)
    )`);
    this.addSql(`create index ticket_watchers_user_idx on ticket_watchers (user_id)`);
    this.addSql(`create table attachments (
      id uuid primary key,
      ticket_id uuid not null references tickets(id) on delete cascade,
      filename text not null,
      content_type text not null,
      size integer not null,
      sha256 text not null,
      visibility text not null check (visibility in ('public', 'internal')),
      uploaded_by uuid not null references users(id),
      created_at timestamptz not null default now()
    )`);
    this.addSql(`create index attachments_ticket_idx on attachments (ticket_id, created_at)`);
  }

  override down(): void {
    this.addSql('drop table if exists attachments, ticket_watchers, saved_views');
  }
}
