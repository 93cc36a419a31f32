// Single sign-on identities: the provider's (issuer, subject) names the account, so an e-mail address alone never does.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261203000002OidcIdentities extends Migration {
  override name = 'Migration20261203000002OidcIdentities';

  override up(): void {
    this.addSql(`create table user_identities (
      issuer text not null,
      subject text not null,
      user_id uuid not null references users(id) on delete cascade,
      created_at timestamptz not null default now(),
      primary key (issuer, subject)
    )`);
    this.addSql(`create unique index user_identities_user_issuer_idx on user_identities (user_id, issuer)`);
  }

  override down(): void {
    this.addSql(`drop table if exists user_identities`);
  }
}
