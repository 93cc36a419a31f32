// What the ticket workflow's parts share: its state and the operations that change it, recording events (see ticket.ts).
// The workflow builds one per run; its message handlers (ticket-handlers.ts) and timers (ticket-timers.ts) act on it.
import { ApplicationFailure } from '@temporalio/workflow';
import type { calendarOf, Priority, TransitionContext, TransitionRefusal, WorkflowDefinition } from '../workflow-definitions/engine';
import {
  REJECTION_TYPES,
  type Actor,
  type CarriedTicketState,
  type ChildFinishedSignal,
  type ProblemResolvedSignal,
  type TicketEventType,
  type TicketProjection,
  type TicketWorkflowInput,
} from './ticket-messages';

export const SYSTEM: Actor = { id: null, role: 'system' };

// Histories recorded before these changes replay without them (`patched`).
/** A customer's public reply takes the definition's `customer_replied` transition. */
export const CUSTOMER_REPLY_RESUMES = 'customer-reply-resumes';
/** A migration into a state that does not pause the clocks resumes them. */
export const MIGRATION_RESUMES_CLOCKS = 'migration-resumes-clocks';

export function reject(r: TransitionRefusal): never {
  throw ApplicationFailure.create({
    type: REJECTION_TYPES[r.kind],
    message: r.message,
    details: [{ code: r.code, errors: r.errors ?? [] }],
    nonRetryable: true,
  });
}

export function isAgent(actor: Actor): boolean {
  return actor.role === 'agent' || actor.role === 'admin';
}

export interface TicketRun {
  /** The definition the ticket runs now (a migration swaps it) and its version. */
  readonly def: WorkflowDefinition;
  readonly defVersion: number;
  migrate(definition: WorkflowDefinition, version: number): void;
  readonly input: TicketWorkflowInput;
  readonly t: TicketWorkflowInput['ticket'];
  readonly s: CarriedTicketState;
  readonly comments: NonNullable<CarriedTicketState['comments']>;
  readonly links: NonNullable<CarriedTicketState['links']>;
  readonly openChildren: NonNullable<CarriedTicketState['openChildren']>;
  /** Keys of the timers that have fired (SLA levels, escalations, automations). */
  readonly fired: Set<string>;
  now(): number;
  cal(name: string): ReturnType<typeof calendarOf>;
  category(): string;
  isFinished(): boolean;
  /** What the definition's rules decide a command by: the state, the caller's role, the fields and the time. */
  ctx(role: Actor['role']): TransitionContext;
  emit(type: TicketEventType, actor: Actor, data: Record<string, unknown>, visibility?: 'public' | 'internal'): number;
  projection(): TicketProjection;
  persisted(seq: number): Promise<void>;
  applyTransition(name: string, fields: Record<string, unknown>, actor: Actor): number;
  setPriority(priority: Priority, actor: Actor, reason?: string): number;
  mergeInto(number: string, actor: Actor): number;
  onChildFinished(c: ChildFinishedSignal): void;
  onProblemResolved(p: ProblemResolvedSignal): void;
  logTime(minutes: number | undefined, actor: Actor, withSeq: number): number;
  addComment(body: string, visibility: 'public' | 'internal', actor: Actor): number;
  changeTags(add: readonly string[], remove: readonly string[], actor: Actor): number;
  tagsChange(add: readonly string[], remove: readonly string[]): { changes: boolean; tooMany: boolean };
  assignTo(assigneeId: string | null, actor: Actor, moves?: { queue?: string | null; group?: string | null }): number;
  setFields(fields: Record<string, unknown>, actor: Actor): number;
  refuseFinishingParent(transition: string): void;
  refuseTimeFromNonAgent(actor: Actor, timeSpent: number | undefined): void;
}
