// The fan-out outbox: each committed batch of ticket events waits here, written by the statement that records it, until every listener has heard it.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261125000007TicketEventFanout extends Migration {
  override name = 'Migration20261125000007TicketEventFanout';

  override up(): void {
    this.addSql(`create table ticket_event_fanout (
      id bigserial primary key,
      ticket_id uuid not null,
      task_queue text not null,
      batch jsonb not null,
      attempts int not null default 0,
      next_attempt_at timestamptz not null default now(),
      last_error text
    )`);
    // A ticket's batches are heard in order: the dispatcher takes a row only when no earlier one of its ticket is left.
    this.addSql(`create index ticket_event_fanout_ticket_idx on ticket_event_fanout (ticket_id, id)`);
    // Heard by the workers of the task queue that recorded them (their listeners and settings; separate desks may share a database).
    this.addSql(`create index ticket_event_fanout_queue_idx on ticket_event_fanout (task_queue, id)`);
  }

  override down(): void {
    this.addSql(`drop table if exists ticket_event_fanout`);
  }
}
