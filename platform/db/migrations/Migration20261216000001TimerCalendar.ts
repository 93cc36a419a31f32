// The desk's timer calendar: for each second ahead, how many workflow wake-ups (SLA warnings, breaches, escalations,
// automations) the tickets accepted so far will bring. Admission reserves a new ticket's wake-ups here, so every API
// replica sees the same future load; rows of seconds gone by are pruned.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261216000001TimerCalendar extends Migration {
  override name = 'Migration20261216000001TimerCalendar';

  override up(): void {
    this.addSql(`create table timer_calendar (second bigint primary key, wakeups integer not null check (wakeups >= 0))`);
  }

  override down(): void {
    this.addSql('drop table if exists timer_calendar');
  }
}
