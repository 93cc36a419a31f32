// The ticket machine: pure code (no Temporal, no I/O) that decides every command and timer of a ticket. Two drivers:
// the ticket workflow (workflows/ticket.ts) with Temporal's clock, messages and timers, and the console's simulator
// (simulate.ts) with a virtual clock. `step` is the machine as a function, for tests and anything that wants one.
import { availableTransitions, type AvailableTransition, type TransitionRefusal } from '../lifecycle';
import type { Priority, Role, WorkflowDefinition } from '../schema';
import type { Actor, CarriedTicketState, TicketEvent } from './contract';
import { awaitingApprovers, openApproval } from './approvals';
import { applyCommand, refuseCommand, type TicketCommand } from './commands';
import { TicketCore, type MachineHost, type OutboundSignal, type TicketState } from './core';
import { dueTimers, finalAfter, fireTimer, type DueTimer } from './timers';

export interface TicketMachine {
  readonly def: WorkflowDefinition;
  readonly version: number;
  /** The live state: the driver reads it (projections) and must not change it. */
  readonly state: TicketState;
  category(): string;
  isFinished(): boolean;
  /** Why the command cannot run now, or null. */
  refuse(cmd: TicketCommand): TransitionRefusal | null;
  /** Runs a command `refuse` accepted; returns the seq the caller is answered with. */
  apply(cmd: TicketCommand): number;
  /** The open approval round whose approvers the driver must find (and then `apply` an `approvers` command), or null. */
  awaitingApprovers(): ReturnType<typeof awaitingApprovers>;
  /** Records the ticket's creation (first run only). */
  created(by: Actor, intake: { title: string; type: string; priority: Priority }): void;
  available(role: Role): AvailableTransition[];
  dueTimers(): DueTimer[];
  fire(due: DueTimer): void;
  finalAfter(): number | null;
  /** The state to carry over a continue-as-new, with the fired timers. */
  carried(): TicketState;
}

export function ticketMachine(init: { definition: WorkflowDefinition; version: number; ticket: { id: string; number: string }; state: CarriedTicketState }, host: MachineHost): TicketMachine {
  const m = new TicketCore(init.definition, init.version, init.ticket, init.state, host);
  return {
    get def() {
      return m.def;
    },
    get version() {
      return m.version;
    },
    state: m.s,
    category: () => m.category(),
    isFinished: () => m.isFinished(),
    refuse: (cmd) => refuseCommand(m, cmd),
    apply: (cmd) => applyCommand(m, cmd),
    created: (by, intake) => {
      const seq = m.emit('created', by, { title: intake.title, priority: intake.priority, type: intake.type, state: m.s.state, definition: { key: m.def.key, version: m.version } }, 'public');
      openApproval(m, m.s.state, seq);
    },
    awaitingApprovers: () => awaitingApprovers(m),
    available: (role) => availableTransitions(m.def, m.ctx(role)),
    dueTimers: () => dueTimers(m),
    fire: (due) => fireTimer(m, due),
    finalAfter: () => finalAfter(m),
    carried: () => m.carried(),
  };
}

export type StepResult =
  | { refused: TransitionRefusal }
  | { refused: null; state: TicketState; definition: WorkflowDefinition; version: number; events: TicketEvent[]; signals: OutboundSignal[]; seq: number };

/**
 * The machine as a function: the definition, the ticket's state and one command at `now` give the new state and the
 * events to record, or the refusal. The given state is not changed. Timers due meanwhile are the caller's to fire first
 * (`dueTimers`, then `fire` each in time order): a step is one command.
 */
export function step(
  at: { definition: WorkflowDefinition; version: number; ticket: { id: string; number: string }; state: CarriedTicketState; now: number },
  cmd: TicketCommand,
  patched: (change: string) => boolean = () => true,
): StepResult {
  const events: TicketEvent[] = [];
  const signals: OutboundSignal[] = [];
  const machine = ticketMachine(
    { definition: at.definition, version: at.version, ticket: at.ticket, state: structuredClone(at.state) },
    { now: () => at.now, patched, record: (e) => events.push(e), signal: (o) => signals.push(o) },
  );
  const refused = machine.refuse(cmd);
  if (refused) return { refused };
  const seq = machine.apply(cmd);
  return { refused: null, state: machine.carried(), definition: machine.def, version: machine.version, events, signals, seq };
}
