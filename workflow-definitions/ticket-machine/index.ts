// The pure ticket machine: its contract, the drivable machine and the one-step function (see machine.ts).
export * from './contract';
export { completeState, isAgent, openingState, SYSTEM, CUSTOMER_REPLY_RESUMES, MIGRATION_RESUMES_CLOCKS, type MachineHost, type OutboundSignal, type TicketState } from './core';
export type { TicketCommand } from './commands';
export type { DueTimer } from './timers';
export { approvalsNeeded } from './approvals';
export { step, ticketMachine, type StepResult, type TicketMachine } from './machine';
export { untouchedWakeups } from './wakeups';
