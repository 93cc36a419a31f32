// When a new ticket's workflow will wake to fire its timers if nobody touches it: its SLA warnings and breaches, the
// escalations after them, its automations, its approval round's reminder and deadline. Each wake-up is one workflow task
// for the workers, however many timers fall due at that instant. Admission reserves these instants on the desk's timer
// calendar (api/modules/tickets/timer-calendar.ts), so that a ticket accepted now does not bring its timers into seconds
// already full. The walk is the workflow's own main loop (workflows/ticket.ts) on a virtual clock, as the simulator's
// (simulate.ts): it opens the ticket as the workflow does, and lets an approval round wait on one approver who never
// decides (the workflow asks the directory for real ones), so that the round's timers play out. SLA timers count from
// the creation, as here; an approval round opens, and a `then` transition lands, when the worker runs the ticket's
// first task and the transition's update: their timers fall that much later than estimated (under backpressure, by at
// most the backlog bound).
import type { Fields } from '../lifecycle';
import type { Priority, WorkflowDefinition } from '../schema';
import type { TicketCommand } from './commands';
import { openingState, SYSTEM } from './core';
import { ticketMachine } from './machine';

/** More wake-ups than any definition brings before its horizon; a guard against a definition that fires without end. */
const MAX_WAKEUPS = 1_000;
const STAND_IN_APPROVER = 'stand-in-approver';

export function untouchedWakeups(
  definition: WorkflowDefinition,
  intake: { priority: Priority; queue: string | null; fields: Fields; title: string; description: string },
  createdAtMs: number,
  horizonMs: number,
  /** The transition the ticket takes as it opens (a creation's `then`), when it is accepted. */
  then?: Extract<TicketCommand, { kind: 'transition' }>,
): number[] {
  let now = createdAtMs;
  const machine = ticketMachine(
    { definition, version: 1, ticket: { id: 'new', number: 'new' }, state: openingState(definition, intake, createdAtMs) },
    { now: () => now, patched: () => true, record: () => undefined, signal: () => undefined },
  );
  machine.created(SYSTEM, { title: intake.title, type: definition.types[0] ?? 'new', priority: intake.priority });
  if (then && !machine.refuse(then)) machine.apply(then);
  const wakeups: number[] = [];
  for (let i = 0; i < MAX_WAKEUPS; i++) {
    const asking = machine.awaitingApprovers();
    if (asking) machine.apply({ kind: 'approvers', round: asking.round, approvers: [STAND_IN_APPROVER] });
    const end = machine.finalAfter();
    if (end !== null && end <= now) break;
    const timers = machine.dueTimers().sort((a, b) => a.at - b.at);
    const next = timers[0];
    if (!next || next.at > createdAtMs + horizonMs) break;
    now = Math.max(now, next.at);
    wakeups.push(now);
    for (const d of timers.filter((x) => x.at <= now)) machine.fire(d);
  }
  return wakeups;
}
