// Writes a batch of ticket events and the ticket's row in one statement; replays of the same (ticket, seq) change nothing.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { TicketEvent, TicketProjection } from '../workflows/ticket-messages';
import type { RulesOutcome } from '../workflow-definitions/ticket-machine/contract';
import { INSERT_TICKET_ROW, ticketRowParams } from './ticket-row';
import { hasApprovalEvents, projectApprovals } from './approval-rows';

export interface RecordTicketEventsInput {
  ticketId: string;
  events: TicketEvent[];
  row: TicketProjection;
  /** The automation rules' generation the ticket knows (0 or absent: none yet). */
  rulesGeneration?: number;
}

/** What the automation rules decide about a recorded batch (see automation-rules.ts); undefined: nothing. */
export type RulesForBatch = (input: RecordTicketEventsInput) => Promise<RulesOutcome | undefined>;

/**
 * Hears every batch once it is committed (report facts, live consoles, webhooks, mail). The batch is queued in
 * ticket_event_fanout by the same statement that writes the events, and TicketEventFanout (ticket-event-fanout.ts) hands it to
 * each listener after the commit, retrying until all of them succeed: delivery is at-least-once, in order per ticket,
 * so listeners must be idempotent by (ticketId, seq). The ticket's workflow never waits on a listener.
 */
export type TicketEventListener = (batch: RecordTicketEventsInput) => Promise<void>;

/** Where recorded batches go to be heard: `kick` says a new one was committed. Without it, batches are not queued. */
export interface FanoutQueue {
  /** The worker's task queue: its dispatchers hear the batches its activities recorded. */
  readonly taskQueue: string;
  kick(): void;
}

export function recordTicketEventsWith(em: EntityManager, fanout?: FanoutQueue, rules?: RulesForBatch) {
  /** Returns what the automation rules decided about the batch, for the ticket's workflow to run (after the write, so a retry decides alike). */
  return async function recordTicketEvents(input: RecordTicketEventsInput): Promise<RulesOutcome | undefined> {
    const values = input.events.map(() => '(?, ?, ?, ?, ?, ?, ?, ?::jsonb)').join(', ');
    const eventParams = input.events.flatMap((e) => [input.ticketId, e.seq, e.type, e.actor.id, e.actor.role, e.visibility, e.at, JSON.stringify(e.data)]);
    // A retried write whose events are all there already queues nothing: that batch was queued by the first attempt.
    const queue = fanout ? `insert into ticket_event_fanout (ticket_id, task_queue, batch) select ?, ?, ?::jsonb where exists (select 1 from ins)` : 'select count(*) from ins';
    // SQL, one statement, so one round trip and atomic without an explicit transaction: the row, the events and the fan-out
    // entry all land or none does. The row only moves forward: a late retry carrying an older projection changes nothing.
    // An anonymised ticket keeps its anonymised title and description: the workflow's state still holds the originals.
    await em.fork().execute(
      `with row as (
         ${INSERT_TICKET_ROW}
         on conflict (id) do update set
           title = case when tickets.anonymised_at is null then excluded.title else tickets.title end,
           description = case when tickets.anonymised_at is null then excluded.description else tickets.description end, priority = excluded.priority,
           priority_order = excluded.priority_order, state = excluded.state, state_category = excluded.state_category, queue = excluded.queue,
           assignee_id = excluded.assignee_id, assigned_group = excluded.assigned_group, definition_version = excluded.definition_version, fields = excluded.fields, links = excluded.links, tags = excluded.tags, sla = excluded.sla,
           sla_status = excluded.sla_status, sla_due_at = excluded.sla_due_at, last_seq = excluded.last_seq, updated_at = excluded.updated_at,
           resolved_at = excluded.resolved_at, closed_at = excluded.closed_at
         where tickets.last_seq < excluded.last_seq
         returning 1),
       ins as (insert into ticket_events (ticket_id, seq, type, actor_id, actor_role, visibility, at, data) values ${values}
         on conflict (ticket_id, seq) do nothing returning seq)
       ${queue}`,
      [
        ...ticketRowParams(input.row),
        ...eventParams,
        ...(fanout ? [input.ticketId, fanout.taskQueue, JSON.stringify({ ticketId: input.ticketId, events: input.events, row: input.row })] : []),
      ],
    );
    if (hasApprovalEvents(input.events)) await projectApprovals(em.fork(), input.ticketId, input.events);
    fanout?.kick();
    return rules ? rules(input) : undefined;
  };
}
