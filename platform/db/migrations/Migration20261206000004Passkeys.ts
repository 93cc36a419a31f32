// Passkeys (WebAuthn) as a second sign-in step: each account's credentials, and the one-time challenges of ceremonies under way.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261206000004Passkeys extends Migration {
  override name = 'Migration20261206000004Passkeys';

  override up(): void {
    this.addSql(`create table user_passkeys (
      id text primary key,
      user_id uuid not null references users(id) on delete cascade,
      public_key bytea not null,
      counter bigint not null default 0,
      transports text[] not null default '{}',
      name text not null check (length(name) between 1 and 80),
      created_at timestamptz not null default now(),
      last_used_at timestamptz
    )`);
    this.addSql('create index user_passkeys_user_idx on user_passkeys (user_id)');
    this.addSql(`create table webauthn_challenges (
      challenge text primary key,
      user_id uuid not null references users(id) on delete cascade,
      kind text not null check (kind in ('register', 'login')),
      expires_at timestamptz not null
    )`);
  }

  override down(): void {
    this.addSql('drop table if exists webauthn_challenges');
    this.addSql('drop table if exists user_passkeys');
  }
}
