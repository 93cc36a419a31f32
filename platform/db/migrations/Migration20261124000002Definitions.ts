// Ticket links in the read model; one draft per definition and published versions immutable; queues and routing rules.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261124000002Definitions extends Migration {
  override name = 'Migration20261124000002Definitions';

  override up(): void {
    this.addSql(`alter table tickets add column links jsonb not null default '[]'`);
    this.addSql(`create unique index definitions_one_draft_idx on definitions (key) where status = 'draft'`);
    // Defence in depth behind the service: a published version can never change or disappear.
    this.addSql(`create function definitions_published_immutable() returns trigger language plpgsql as $$
      begin
        if old.status = 'published' then
          raise exception 'definition %@% is published and immutable', old.key, old.version;
        end if;
        return case when tg_op = 'DELETE' then old else new end;
      end $$`);
    this.addSql(`create trigger definitions_published_immutable before update or delete on definitions
      for each row execute function definitions_published_immutable()`);
    this.addSql(`create table queues (
      key text primary key,
      name text not null,
      description text not null default '',
      created_at timestamptz not null default now()
    )`);
    this.addSql(`insert into queues (key, name) values
      ('service_desk', 'Service desk'), ('problem_management', 'Problem management'), ('maintenance', 'Maintenance')`);
    this.addSql(`create table routing_rules (
      id uuid primary key,
      position integer not null,
      name text not null,
      conditions jsonb not null,
      queue text not null references queues(key),
      created_at timestamptz not null default now()
    )`);
    this.addSql(`create index routing_rules_position_idx on routing_rules (position)`);
  }

  override down(): void {
    this.addSql('drop table if exists routing_rules, queues');
    this.addSql('drop trigger if exists definitions_published_immutable on definitions');
    this.addSql('drop function if exists definitions_published_immutable');
    this.addSql('drop index if exists definitions_one_draft_idx');
    this.addSql('alter table tickets drop column if exists links');
  }
}
