// Backpressure reads how late the last seconds' SLA warnings and breaches were, four times a second on every API
// replica: a partial index keeps that a short range scan however many events the desk holds.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261215000001SlaTimerLateness extends Migration {
  override name = 'Migration20261215000001SlaTimerLateness';

  override up(): void {
    this.addSql(`create index ticket_events_sla_timers_idx on ticket_events (at) where type in ('sla_warning', 'sla_breached')`);
  }

  override down(): void {
    this.addSql('drop index if exists ticket_events_sla_timers_idx');
  }
}
