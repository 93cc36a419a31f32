// Email: admin-edited templates, per-user notification preferences, the outbound outbox, reply tokens and the inbound log.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261125000002Email extends Migration {
  override name = 'Migration20261125000002Email';

  override up(): void {
    // Only admins' overrides; the shipped defaults live in code (api/modules/mail/templates.ts).
    this.addSql(`create table mail_templates (
      kind text not null,
      locale text not null check (locale in ('en', 'fr')),
      subject text not null,
      body text not null,
      updated_by uuid references users(id) on delete set null,
      updated_at timestamptz not null default now(),
      primary key (kind, locale)
    )`);
    // A missing row means "immediate": everyone is notified until they say otherwise.
    this.addSql(`create table notification_preferences (
      user_id uuid not null references users(id) on delete cascade,
      kind text not null,
      mode text not null check (mode in ('immediate', 'digest', 'off')),
      primary key (user_id, kind)
    )`);
    // One row per (ticket, seq, recipient, kind): a listener hearing a batch twice enqueues nothing new.
    this.addSql(`create table mail_outbox (
      id uuid primary key,
      dedupe_key text not null unique,
      message_id text not null unique,
      ticket_id uuid references tickets(id) on delete cascade,
      seq integer,
      recipient_id uuid references users(id) on delete cascade,
      to_address text not null,
      kind text not null,
      locale text not null,
      mode text not null check (mode in ('immediate', 'digest')),
      subject text not null,
      body text not null,
      reply_to text,
      status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
      attempts integer not null default 0,
      next_attempt_at timestamptz not null default now(),
      last_error text,
      digest_message_id text,
      created_at timestamptz not null default now(),
      sent_at timestamptz
    )`);
    this.addSql(`create index mail_outbox_due_idx on mail_outbox (mode, next_attempt_at) where status = 'pending'`);
    this.addSql(`create index mail_outbox_ticket_idx on mail_outbox (ticket_id)`);
    // support+<token>@domain names one ticket and one recipient; a reply to it threads back.
    this.addSql(`create table mail_reply_tokens (
      token text primary key,
      ticket_id uuid not null references tickets(id) on delete cascade,
      user_id uuid not null references users(id) on delete cascade,
      created_at timestamptz not null default now(),
      unique (ticket_id, user_id)
    )`);
    // Every message the SMTP endpoint accepted and what became of it: redelivery de-duplication and the per-sender cap.
    this.addSql(`create table mail_inbound (
      message_id text primary key,
      sender text not null,
      outcome text not null,
      ticket_id uuid references tickets(id) on delete set null,
      detail text,
      received_at timestamptz not null default now()
    )`);
    this.addSql(`create index mail_inbound_sender_idx on mail_inbound (sender, received_at desc)`);
  }

  override down(): void {
    this.addSql('drop table if exists mail_inbound, mail_reply_tokens, mail_outbox, notification_preferences, mail_templates');
  }
}
