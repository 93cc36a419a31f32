// Agents' skills (words such as "network" or "printers"), and queues that assign by them: a ticket whose tags or field
// values name a skill goes to an agent who has it.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261209000004AgentSkills extends Migration {
  override name = 'Migration20261209000004AgentSkills';

  override up(): void {
    this.addSql(`alter table users add column skills text[] not null default '{}'`);
    this.addSql(`alter table queues drop constraint queues_assignment_check`);
    this.addSql(`alter table queues add constraint queues_assignment_check check (assignment in ('off', 'round_robin', 'least_open', 'skills'))`);
  }

  override down(): void {
    this.addSql(`update queues set assignment = 'round_robin' where assignment = 'skills'`);
    this.addSql(`alter table queues drop constraint queues_assignment_check`);
    this.addSql(`alter table queues add constraint queues_assignment_check check (assignment in ('off', 'round_robin', 'least_open'))`);
    this.addSql(`alter table users drop column if exists skills`);
  }
}
