// One-time password reset tokens (only their hash is stored).
import { Migration } from '@mikro-orm/migrations';

export class Migration20261124000004Passwords extends Migration {
  override name = 'Migration20261124000004Passwords';

  override up(): void {
    this.addSql(`create table password_resets (
      token_hash text primary key,
      user_id uuid not null references users(id) on delete cascade,
      expires_at timestamptz not null,
      used_at timestamptz,
      created_by uuid references users(id),
      created_at timestamptz not null default now()
    )`);
  }

  override down(): void {
    this.addSql('drop table if exists password_resets');
  }
}
