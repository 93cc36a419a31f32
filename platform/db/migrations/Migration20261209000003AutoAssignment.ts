// Auto-assignment: each queue's policy (off, round-robin, least open load) and the most open tickets an agent takes
// from it; agents' availability (away, with an optional return date); and when each agent last got a ticket of a
// queue, which is what round-robin turns on.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261209000003AutoAssignment extends Migration {
  override name = 'Migration20261209000003AutoAssignment';

  override up(): void {
    this.addSql(`alter table queues add column assignment text not null default 'off' check (assignment in ('off', 'round_robin', 'least_open'))`);
    this.addSql(`alter table queues add column max_open_per_agent integer check (max_open_per_agent > 0)`);
    this.addSql(`alter table users add column away_since timestamptz`);
    this.addSql(`alter table users add column away_until timestamptz`);
    this.addSql(`create table queue_assignees (
      queue text not null references queues (key) on delete cascade,
      user_id uuid not null references users (id) on delete cascade,
      last_assigned_at timestamptz not null,
      primary key (queue, user_id)
    )`);
  }

  override down(): void {
    this.addSql(`drop table if exists queue_assignees`);
    this.addSql(`alter table users drop column if exists away_until`);
    this.addSql(`alter table users drop column if exists away_since`);
    this.addSql(`alter table queues drop column if exists max_open_per_agent`);
    this.addSql(`alter table queues drop column if exists assignment`);
  }
}
