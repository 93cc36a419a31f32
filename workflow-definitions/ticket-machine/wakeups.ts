// When a new ticket's workflow will wake to fire its timers if nobody touches it: its SLA warnings and breaches, the
// escalations after them, its automations. Each wake-up is one workflow task for the workers, however many timers
// fall due at that instant. Admission reserves these instants on the desk's timer calendar (api/modules/tickets/
// timer-calendar.ts), so that a ticket accepted now does not bring its timers into seconds already full.
// The walk is the workflow's own main loop (workflows/ticket.ts) on a virtual clock, as the simulator's (simulate.ts).
import type { Fields } from '../lifecycle';
import type { Priority, WorkflowDefinition } from '../schema';
import { openingState } from './core';
import { ticketMachine } from './machine';

/** More wake-ups than any definition brings before its horizon; a guard against a definition that fires without end. */
const MAX_WAKEUPS = 1_000;

export function untouchedWakeups(
  definition: WorkflowDefinition,
  intake: { priority: Priority; queue: string | null; fields: Fields; title: string; description: string },
  createdAtMs: number,
  horizonMs: number,
): number[] {
  let now = createdAtMs;
  const machine = ticketMachine(
    { definition, version: 1, ticket: { id: 'new', number: 'new' }, state: openingState(definition, intake, createdAtMs) },
    { now: () => now, patched: () => true, record: () => undefined, signal: () => undefined },
  );
  const wakeups: number[] = [];
  for (let i = 0; i < MAX_WAKEUPS; i++) {
    // An approval round waits on people the machine cannot name here: what follows depends on their answers.
    if (machine.awaitingApprovers()) break;
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
