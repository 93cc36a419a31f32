// Two-step sign-in for local accounts: a TOTP secret (sealed like webhook secrets), the last step used (no code twice)
// and the hashes of the one-time recovery codes.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261206000003TwoStepSignIn extends Migration {
  override name = 'Migration20261206000003TwoStepSignIn';

  override up(): void {
    this.addSql(`create table user_mfa (
      user_id uuid primary key references users(id) on delete cascade,
      secret text not null,
      enabled_at timestamptz,
      last_step bigint not null default 0,
      recovery_hashes text[] not null default '{}',
      created_at timestamptz not null default now()
    )`);
  }

  override down(): void {
    this.addSql('drop table if exists user_mfa');
  }
}
