// The ticket machine's contract: who acts, the ticket's state, the commands it accepts and the events it records.
// The workflow's messages (workflows/ticket-messages.ts) carry these shapes; the API and activities read them from there.
import type { Fields } from '../lifecycle';
import type { Priority, Role, WorkflowDefinition } from '../schema';
import type { SlaClock } from '../sla';

export interface Actor {
  id: string | null;
  role: Role;
}

export interface CarriedTicketState {
  state: string;
  enteredStateAt: number;
  priority: Priority;
  assigneeId: string | null;
  queue: string | null;
  fields: Fields;
  clocks: SlaClock[];
  seq: number;
  fired: string[];
  unassignedSince: number | null;
  lastAgentUpdateAt: number;
  firstResponded: boolean;
  title: string;
  description: string;
  resolvedAt: number | null;
  closedAt: number | null;
  /** Absent in state carried by versions that predate links. */
  links?: TicketLink[];
  /** Children not yet resolved or closed; a parent cannot finish before them. */
  openChildren?: string[];
  /** Author and visibility of each comment by seq, so only its author (or an admin) edits it. */
  comments?: Record<number, { authorId: string | null; visibility: 'public' | 'internal' }>;
  group?: string | null;
  /** Absent in state carried by versions that predate tags. */
  tags?: string[];
  /** Set once the ticket's personal data was removed (erasure or retention): the original intake is not carried on. */
  anonymised?: boolean;
  /**
   * A work order's mandatory checklist items not done yet: it cannot be completed while any is open. Absent on other
   * tickets, and on work orders opened before the machine held this rule until their checklist first changes.
   */
  openChecks?: ChecklistItem[];
  /** The approval the ticket waits for in its present state, if its definition asks for one there. */
  approval?: ApprovalRound | null;
  /** When a person (customer or agent) last did something on the ticket: idle rules count from it. */
  lastActivityAt?: number;
  /** The automation rules' generation the ticket last heard of, and the idle rules of that generation. */
  rules?: { generation: number; idle: IdleRule[] };
}

/** An enabled rule triggered by idleness: the ticket arms a timer for it. */
export interface IdleRule {
  id: string;
  minutes: number;
  /** Counted in the business hours of the ticket's definition (its first calendar) rather than round the clock. */
  businessHours: boolean;
}
export interface RuleRef {
  id: string;
  name: string;
  version: number;
}
/** A rule's action as the ticket runs it: the activity has resolved what it names (a macro's parts, the words of a comment). */
export type RuleStep =
  | { action: 'assign'; assigneeId: string | null }
  | { action: 'set_queue'; queue: string }
  | { action: 'set_priority'; priority: Priority }
  | { action: 'set_field'; field: string; value: unknown }
  | { action: 'add_tags' | 'remove_tags'; tags: string[] }
  /** `macro` is null when the macro was deleted since the rule was saved. */
  | { action: 'apply_macro'; macro: { id: string; name: string } | null; steps: RuleStep[] }
  | { action: 'send_mail'; to: 'requester' | 'assignee' | 'watchers'; subject: { en: string; fr: string }; body: { en: string; fr: string } }
  /** `replies`: a macro's reply in both languages, until the desk picks the requester's into `body`. */
  | { action: 'comment'; body: string; visibility: 'public' | 'internal'; replies?: { en: string | null; fr: string | null } }
  | { action: 'webhook'; event: string }
  | { action: 'transition'; transition: string }
  | { action: 'plugin'; plugin: string; run: string; with?: Record<string, unknown> };
/** One rule that an event triggered and whose conditions held: its actions run all or none. */
export interface RuleFiring {
  rule: RuleRef;
  /** The seq of the event that triggered it. */
  trigger: number;
  /** 1 for an event a person or the desk caused, n + 1 for an event a rule at depth n caused. */
  depth: number;
  steps: RuleStep[];
  /** Set when the chain is too deep: the rule does not run and the timeline says why. */
  stopped?: true;
}
/** What the automation rules decided about a batch of events, in the order they run. */
export interface RulesOutcome {
  generation: number;
  /** The idle rules of this generation, sent only when the ticket's generation was older. */
  idle?: IdleRule[];
  firings: RuleFiring[];
}

export type ApprovalDecision = 'approve' | 'reject';
/** One round of approval: opened on entering a state that requires it, closed by the decisions, a timeout or leaving the state. */
export interface ApprovalRound {
  /** The seq of the event that entered the state: it names the round within the ticket. */
  round: number;
  state: string;
  openedAt: number;
  /** Null while the desk finds out who the approvers are (the workflow asks the directory). */
  approvers: string[] | null;
  decisions: Record<string, ApprovalDecision>;
  /** The approvers' comments in the order given, for the outcome's comment field. */
  comments: string[];
}

export interface ChecklistItem {
  id: string;
  label: string;
}

export type LinkKind = 'problem' | 'incident' | 'parent' | 'child' | 'related' | 'duplicate_of' | 'duplicated_by';
export interface TicketLink {
  kind: LinkKind;
  ticketId: string;
  number: string;
}

export type TicketEventType =
  | 'created'
  | 'transitioned'
  | 'commented'
  | 'assigned'
  | 'priority_changed'
  | 'fields_changed'
  | 'sla_warning'
  | 'sla_breached'
  | 'escalated'
  | 'notification'
  | 'reminder'
  | 'event_emitted'
  | 'linked'
  | 'unlinked'
  | 'migrated'
  | 'problem_resolved'
  | 'child_finished'
  | 'children_done'
  | 'comment_edited'
  | 'tags_changed'
  | 'time_logged'
  | 'macro_applied'
  | 'merged_in'
  | 'approval_requested'
  | 'approval_decided'
  | 'approval_reminder'
  | 'approval_closed'
  | 'rule_applied'
  | 'rule_failed'
  | 'rule_chain_stopped'
  | 'idle_elapsed'
  /** A definition's escalation or a rule asked a plug-in's action to run (the worker runs it, retried). */
  | 'plugin_action';

export interface TicketEvent {
  seq: number;
  type: TicketEventType;
  actor: Actor;
  visibility: 'public' | 'internal';
  at: string;
  data: Record<string, unknown>;
}

export interface TransitionRequest {
  transition: string;
  fields?: Record<string, unknown>;
  /** Minutes the agent spent, recorded as an internal `time_logged` event after the transition. */
  timeSpent?: number;
  actor: Actor;
}
export interface CommentRequest {
  body: string;
  visibility: 'public' | 'internal';
  /** Minutes the agent spent, recorded as an internal `time_logged` event after the comment. */
  timeSpent?: number;
  actor: Actor;
}
export interface EditCommentRequest {
  seq: number;
  body: string;
  actor: Actor;
}
export interface AssignRequest {
  assigneeId: string | null;
  queue?: string | null;
  /** The agent group that owns the ticket; absent leaves it unchanged. */
  group?: string | null;
  actor: Actor;
  /** Why the desk chose the assignee itself (auto-assignment): recorded with the event, shown in the timeline. */
  auto?: AutoAssignment;
}

/** An auto-assignment decision as the timeline explains it. */
export interface AutoAssignment {
  policy: 'round_robin' | 'least_open' | 'skills';
  /** The queue whose policy chose: the ticket must still be in it, and held by nobody (unless taken from an away agent). */
  queue: string;
  /** The chosen agent's open tickets when chosen. */
  openTickets: number;
  /** The agent the ticket was taken from because they went away, if that is why. */
  awayFrom?: string;
  /** By skills: the skill of the chosen agent that the ticket's tags or field values named; null when none did. */
  skill?: string | null;
}
export interface PriorityRequest {
  priority: Priority;
  actor: Actor;
}
export interface FieldsRequest {
  fields: Record<string, unknown>;
  actor: Actor;
}
/** Tags to add and to remove, already normalised by the API (lower case, trimmed). */
export interface TagsRequest {
  add: string[];
  remove: string[];
  actor: Actor;
}
/**
 * A macro applied to one ticket: every part is checked before any is applied, so a refused part (a transition the
 * definition does not allow here, say) leaves the ticket as it was. Parts apply in this order: fields, priority, tags,
 * assignment, comment, time, transition.
 */
export interface MacroRequest {
  macro: { id: string; name: string };
  fields?: Record<string, unknown>;
  priority?: Priority;
  tags?: { add: string[]; remove: string[] };
  assign?: { assigneeId: string | null };
  comment?: { body: string; visibility: 'public' | 'internal' };
  timeSpent?: number;
  transition?: string;
  actor: Actor;
}
/** A ticket holds at most this many tags. */
export const MAX_TAGS = 20;

/**
 * The conversation of a ticket merged into this one, copied in order: each comment keeps its author, visibility and
 * original time, and says where it came from (`mergedFrom`), so it wakes no clock and mails no one again.
 */
export interface AbsorbRequest {
  from: { ticketId: string; number: string };
  comments: Array<{ authorId: string | null; authorRole: Actor['role']; visibility: 'public' | 'internal'; body: string; at: string }>;
  actor: Actor;
}

export interface LinkRequest {
  link: TicketLink;
  actor: Actor;
}

export interface MigrateRequest {
  definition: WorkflowDefinition;
  version: number;
  /** Old state → new state; states absent here keep their name. */
  stateMapping: Record<string, string>;
  actor: Actor;
}

/** The mandatory checklist items still open after a change to a work order's checklist (the API sends the whole list). */
export interface ChecklistRequest {
  open: ChecklistItem[];
  actor: Actor;
}
/** An approver's decision on the ticket's open approval round. */
export interface DecideApprovalRequest {
  round: number;
  decision: ApprovalDecision;
  comment?: string;
  /** Where the decision was made: recorded with it for the timeline and the audit log. */
  via: 'console' | 'portal' | 'email';
  actor: Actor;
}
/** Who the approvers of a round are, as the directory answered when the round opened; `unresolved` says why nobody. */
export interface ApproversResolved {
  round: number;
  approvers: string[];
  unresolved?: string;
}

export interface ProblemResolvedSignal {
  problemId: string;
  number: string;
  fields: Fields;
}

export interface ChildFinishedSignal {
  childId: string;
  number: string;
  state: string;
}
