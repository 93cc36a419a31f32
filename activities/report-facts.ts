// Keeps ticket_facts (one row per ticket: SLA outcomes, response and resolution times, reopens, escalations) in step with the recorded timelines.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { TicketEventBatchListener } from './ticket-event-fanout';

/*
 * Why a facts table rather than SQL over ticket_events at query time: every report needs per-ticket figures that are
 * aggregates of the timeline (first public agent answer, breach events, reopen transitions, escalations); at a million
 * tickets that is several million event rows to aggregate per request, over a second on this machine. One narrow row
 * per ticket, recomputed from the whole timeline after each committed batch, turns every report into a single
 * group-by over an indexed table. Recomputing (not incrementing) makes it idempotent by construction: a replayed batch
 * recomputes the same row, and the same statement backfills tickets recorded before the table existed.
 *
 * Where each figure comes from (what the workflow recorded, nothing re-derived):
 * - first_response_at: the first public comment (not one copied in by a merge) or transition by an agent or admin (the event that stops the
 *   workflow's firstResponse clock, see respondFirst in workflows/ticket.ts);
 * - fr/res status: 'breached' when the workflow recorded an sla_breached event for the clock or the stopped clock's
 *   consumed time reached its budget; 'met' when the clock stopped within budget (for first response: stopped by an
 *   agent's answer); 'pending' while it runs; 'none' when the definition has no SLA policy for the priority, or the
 *   ticket was closed before any agent answered (no first response to measure);
 * - fr/res business ms: the SLA clock's consumed business time when it stopped (budget − remaining), computed by the
 *   workflow with the definition's calendar (workflow-definitions/calendar.ts): business hours only, paused states
 *   excluded, kept across reopen (the resolution clock restarts with its consumed time);
 * - reopen_count: transitions from a resolved/closed state to any other category, per the ticket's definition version;
 * - escalations: the names of the escalations fired (escalated events).
 */
// No literal question mark in this SQL: the driver takes every one for a parameter.
const REFRESH_SQL = (where: string) => `
insert into ticket_facts (ticket_id, type, queue, priority, state_category, assignee_id, assigned_group, organisation_id, requester_id,
  created_at, created_day, resolved_day, first_response_at, resolved_at, closed_at, fr_status, res_status, fr_business_ms, res_business_ms, reopen_count, escalations, last_seq)
select t.id, t.type, t.queue, t.priority, t.state_category, t.assignee_id, t.assigned_group, t.organisation_id, t.requester_id,
  t.created_at, (t.created_at at time zone 'UTC')::date, (t.resolved_at at time zone 'UTC')::date, ev.first_response_at, t.resolved_at, t.closed_at,
  case when c.fr is null then 'none' when ev.fr_breached or c.fr->>'status' = 'breached' then 'breached'
       when (c.fr->>'stopped')::boolean then case when ev.first_response_at is null then 'none' else 'met' end else 'pending' end,
  case when c.res is null then 'none' when ev.res_breached or c.res->>'status' = 'breached' then 'breached'
       when (c.res->>'stopped')::boolean then 'met' else 'pending' end,
  case when (c.fr->>'stopped')::boolean and ev.first_response_at is not null then round((c.fr->>'budgetMinutes')::numeric * 60000 - (c.fr->>'remainingMs')::numeric) end,
  case when (c.res->>'stopped')::boolean then round((c.res->>'budgetMinutes')::numeric * 60000 - (c.res->>'remainingMs')::numeric) end,
  ev.reopens, ev.escalations, t.last_seq
from tickets t
cross join lateral (select (select x from jsonb_array_elements(t.sla) x where x->>'name' = 'firstResponse' limit 1) as fr,
                           (select x from jsonb_array_elements(t.sla) x where x->>'name' = 'resolution' limit 1) as res) c
cross join lateral (select coalesce(array_agg(st->>'name'), '{}') as names
                    from definitions d cross join jsonb_array_elements(d.body->'states') st
                    where d.key = t.definition_key and d.version = t.definition_version and st->>'category' in ('resolved', 'closed')) fin
cross join lateral (
  select min(e.at) filter (where e.actor_role in ('agent', 'admin') and (e.type = 'transitioned' or (e.type = 'commented' and e.visibility = 'public' and e.data->>'mergedFrom' is null))) as first_response_at,
         coalesce(bool_or(e.type = 'sla_breached' and e.data->>'clock' = 'firstResponse'), false) as fr_breached,
         coalesce(bool_or(e.type = 'sla_breached' and e.data->>'clock' = 'resolution'), false) as res_breached,
         count(*) filter (where e.type = 'transitioned' and (e.data->>'from') = any(fin.names) and not ((e.data->>'to') = any(fin.names)))::int as reopens,
         coalesce(array_agg(distinct e.data->>'escalation') filter (where e.type = 'escalated'), '{}') as escalations
  from ticket_events e where e.ticket_id = t.id) ev
${where}
-- One lock order for every writer: the fan-outs' batches and a starting replica's backfill upsert the same rows at
-- once, and rows taken in different orders deadlock (tests/platform/report-facts-concurrency.test.ts).
order by t.id
on conflict (ticket_id) do update set type = excluded.type, queue = excluded.queue, priority = excluded.priority, state_category = excluded.state_category,
  assignee_id = excluded.assignee_id, assigned_group = excluded.assigned_group, organisation_id = excluded.organisation_id,
  first_response_at = excluded.first_response_at, resolved_at = excluded.resolved_at, resolved_day = excluded.resolved_day, closed_at = excluded.closed_at,
  fr_status = excluded.fr_status, res_status = excluded.res_status, fr_business_ms = excluded.fr_business_ms, res_business_ms = excluded.res_business_ms,
  reopen_count = excluded.reopen_count, escalations = excluded.escalations, last_seq = excluded.last_seq
where ticket_facts.last_seq <= excluded.last_seq`;

/** Recomputes the facts of these tickets from their rows and timelines (SQL: the reports' set-based refresh, bench/reports.ts). */
export async function refreshTicketFacts(em: EntityManager, ticketIds: readonly string[]): Promise<void> {
  if (!ticketIds.length) return;
  await em.fork().execute(REFRESH_SQL(`where t.id in (select value::uuid from jsonb_array_elements_text(?::jsonb))`), [JSON.stringify(ticketIds)]);
}

/**
 * Facts for every ticket that has none yet or an older one (recorded before this table, or whose refresh was lost in a
 * crash); returns how many. SQL: the same set-based refresh, over every such ticket at once.
 */
export async function backfillTicketFacts(em: EntityManager): Promise<number> {
  const res = await em.fork().getConnection().execute(
    REFRESH_SQL(`where not exists (select 1 from ticket_facts f where f.ticket_id = t.id and f.last_seq >= t.last_seq)`),
    [],
    'run',
  );
  return (res as { affectedRows?: number }).affectedRows ?? 0;
}

/**
 * The listener the worker registers: each round of committed batches recomputes their tickets' facts in one
 * statement. A failed refresh is heard again by the fan-out (ticket-event-fanout.ts); the recomputation is idempotent,
 * and the sweep each worker and API runs at start (backfillTicketFacts) repairs any row left stale all the same.
 */
export function reportFactsListener(em: EntityManager): TicketEventBatchListener {
  return async (batches) => {
    await refreshTicketFacts(em, [...new Set(batches.map((b) => b.ticketId))]);
  };
}
