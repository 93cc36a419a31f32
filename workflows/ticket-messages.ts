// The ticket workflow's contract: its input, updates, queries and the events it records (shared with the API and activities).
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type * as Machine from '../workflow-definitions/ticket-machine/contract';
import type { AvailableTransition, Fields, Priority, Role, SlaClockView, WorkflowDefinition } from '../workflow-definitions/index';

// The shapes themselves belong to the pure ticket machine; every reader of the workflow's contract finds them here too.
export { MAX_TAGS } from '../workflow-definitions/ticket-machine/contract';
export type * from '../workflow-definitions/ticket-machine/contract';

export const TICKET_WORKFLOW = 'ticketWorkflow';
export const ticketWorkflowId = (ticketId: string): string => `ticket-${ticketId}`;


/** What names a ticket and what it is about: the same in the workflow's input and in the read-model row it keeps. */
export interface TicketHeadline {
  id: string;
  number: string;
  type: string;
  title: string;
  description: string;
  priority: Priority;
}

export interface TicketIntake extends TicketHeadline {
  requesterId: string;
  queue: string | null;
  fields: Fields;
  createdAt: string;
  createdBy: Machine.Actor;
  /** The requester's organisation, for customer visibility and routing; absent in older inputs. */
  organisationId?: string | null;
  /** A work order's mandatory checklist items (all open at start): it cannot be completed before they are done. */
  checklist?: Machine.ChecklistItem[];
}

export interface TicketWorkflowInput {
  ticket: TicketIntake;
  definition: WorkflowDefinition;
  definitionVersion: number;
  /** State carried over a continue-as-new; absent on the first run. */
  carried?: Machine.CarriedTicketState;
  /** History length after which the ticket continues as new (default 4000); lowered by tests. */
  historyLimit?: number;
}





/** The read-model row as the workflow sees it after its latest event. */
export interface TicketProjection extends TicketHeadline {
  state: string;
  stateCategory: string;
  queue: string | null;
  assigneeId: string | null;
  assignedGroup: string | null;
  requesterId: string;
  organisationId: string | null;
  definitionKey: string;
  definitionVersion: number;
  fields: Fields;
  links: Machine.TicketLink[];
  /** Agents' labels, sorted; never shown to customers. */
  tags: string[];
  sla: SlaClockView[];
  slaStatus: 'ok' | 'warning' | 'breached';
  slaDueAt: string | null;
  lastSeq: number;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  closedAt: string | null;
}


export const transitionUpdate = defineUpdate<TicketProjection, [Machine.TransitionRequest]>('transition');
export const commentUpdate = defineUpdate<{ seq: number }, [Machine.CommentRequest]>('comment');
export const editCommentUpdate = defineUpdate<{ seq: number }, [Machine.EditCommentRequest]>('editComment');
export const assignUpdate = defineUpdate<TicketProjection, [Machine.AssignRequest]>('assign');
export const priorityUpdate = defineUpdate<TicketProjection, [Machine.PriorityRequest]>('setPriority');
export const fieldsUpdate = defineUpdate<TicketProjection, [Machine.FieldsRequest]>('setFields');
export const tagsUpdate = defineUpdate<TicketProjection, [Machine.TagsRequest]>('setTags');
export const macroUpdate = defineUpdate<TicketProjection, [Machine.MacroRequest]>('applyMacro');
/** A work order's checklist changed (API): the mandatory items still open, which its completion waits for. */
export const checklistUpdate = defineUpdate<TicketProjection, [Machine.ChecklistRequest]>('checklist');
export const absorbUpdate = defineUpdate<TicketProjection, [Machine.AbsorbRequest]>('absorb');

export const linkUpdate = defineUpdate<TicketProjection, [Machine.LinkRequest]>('link');
export const unlinkUpdate = defineUpdate<TicketProjection, [Machine.LinkRequest]>('unlink');
export const migrateUpdate = defineUpdate<TicketProjection, [Machine.MigrateRequest]>('migrate');
/** An approver's decision on the open approval round; answered with the ticket once recorded (its outcome included). */
export const decideApprovalUpdate = defineUpdate<TicketProjection, [Machine.DecideApprovalRequest]>('decideApproval');
export const problemResolvedSignal = defineSignal<[Machine.ProblemResolvedSignal]>('problemResolved');
export const childFinishedSignal = defineSignal<[Machine.ChildFinishedSignal]>('childFinished');
/**
 * The read model's text of the ticket was anonymised (a person's erasure, a retention policy): the workflow forgets its own
 * copy so no later write, answer or continued run brings it back. Records no event; the read model is already changed.
 */
export const anonymisedSignal = defineSignal<[{ title: string }]>('anonymised');
/** The automation rules changed (their idle rules, which a quiet ticket would otherwise learn at its next event). */
export const rulesChangedSignal = defineSignal<[{ generation: number }]>('rulesChanged');
/** The workflow that tells every open ticket (rules-broadcast.ts): one per rule-set generation. */
export const rulesBroadcastWorkflowId = (taskQueue: string, generation: number) => `rules-changed-${taskQueue}-${generation}`;
/** Resolves once the ticket's creation is in the read model: lets the API answer read-your-writes. */
export const recordedUpdate = defineUpdate<TicketProjection, []>('recorded');

export const snapshotQuery = defineQuery<TicketProjection>('snapshot');
export const transitionsQuery = defineQuery<AvailableTransition[], [Role]>('transitions');

/** Rejections carry a type the API maps to problem+json: conflict → 409, invalid → 422. */
export const REJECTION_TYPES = { conflict: 'TicketConflict', invalid: 'TicketInvalid' } as const;
