// Shapes of the Guichet API payloads the console reads and writes.
export type Role = 'admin' | 'agent' | 'customer';
export type Priority = 'low' | 'medium' | 'high' | 'critical';
/** As the API's schema has them; maintenance work orders are opened by their plans, not by the new-ticket form. */
export type TicketType = 'incident' | 'service_request' | 'problem' | 'maintenance';
export type Visibility = 'public' | 'internal';
export type LocalizedText = { en?: string; fr?: string } & Record<string, string | undefined>;

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  locale: string;
}

/** What the signed-in user's role grants (GET /api/auth/me): areas of the desk and actions per queue ('*': every queue they work). */
export interface Permissions {
  areas: string[];
  queues: Record<string, string[]>;
  customRole: string | null;
}

export interface Session {
  user: User;
  csrfToken: string;
  permissions?: Permissions;
  /** The desk asks this role for two-step sign-in and it is not set up yet: only the account page answers. */
  twoStepRequired?: boolean;
}

export interface SlaClock {
  name: string;
  target: string | null;
  warningAt?: string | null;
  /** Milliseconds until the target (negative once overdue), as the API sends it. */
  remainingMs: number;
  paused?: boolean;
  stopped?: boolean;
  status: 'ok' | 'warning' | 'breached';
}

export interface Ticket {
  id: string;
  number: string;
  type: string;
  title: string;
  description: string;
  priority: Priority;
  state: string;
  /** The state's label in both languages, from the ticket's definition version. */
  stateLabel?: { en: string; fr: string };
  /** The agents' tags, sorted (always empty for customers). */
  tags?: string[];
  stateCategory: string;
  queue: string | null;
  assigneeId: string | null;
  assignedGroup?: string | null;
  requesterId: string;
  organisationId?: string | null;
  fields?: Record<string, FieldValue>;
  definition: { key: string; version: number };
  /** Both ends of each link (problem/incident, parent/child, related, duplicate_of/duplicated_by). */
  links?: Array<{ kind: string; ticketId: string; number: string }>;
  /** In a search: the latest comment that matched, matched words between ⟦ and ⟧. */
  match?: { seq?: number; snippet: string };
  sla: SlaClock[];
  slaStatus?: SlaStatus;
  createdAt: string;
  updatedAt: string;
}

export interface Page<T> {
  items: T[];
  next: string | null;
}

export interface NewTicket {
  type: TicketType;
  title: string;
  description: string;
  priority: Priority;
  /** Staff only: whom the ticket is for, and how their request came in. */
  requesterId?: string;
  channel?: Channel;
  /** A transition taken at once from the initial state (e.g. resolved on the first call). */
  then?: { transition: string; fields?: Record<string, FieldValue> };
}

export type Channel = 'portal' | 'email' | 'phone' | 'walk_in' | 'api' | 'other';

/** Someone a ticket can be for, as agents see them. */
export interface Person {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  role: string;
  organisation: { id: string; name: string } | null;
}

/** What agents see beside a ticket. */
export interface TicketContext {
  channel: Channel | null;
  requester: Person | null;
  otherTickets: Ticket[];
  /** Agents and admins who may see the ticket, so may be assigned it. */
  assignees: Array<{ id: string; name: string }>;
  workflowId: string;
  historyUrl: string | null;
}

export interface RequiredField {
  name: string;
  type: 'string' | 'number' | 'boolean';
  label: LocalizedText;
}

export interface Transition {
  name: string;
  label: LocalizedText;
  to: string;
  requiredFields: RequiredField[];
  /** Agents record the minutes they spent when they take it. */
  requiresTimeSpent?: boolean;
}

export type FieldValue = string | number | boolean | null;

export interface TimelineEvent {
  seq: number;
  type: string;
  actor: unknown;
  visibility?: Visibility;
  at: string;
  data: unknown;
}

export interface DefinitionSummary {
  key: string;
  name: string;
  version: number;
  types: string[];
}

export interface FieldError {
  pointer: string;
  message: string;
}

export interface ValidationResult {
  valid: boolean;
  errors: FieldError[];
}

export interface DefinitionVersion {
  key: string;
  version: number;
  status: 'draft' | 'published';
  createdAt: string;
  publishedAt: string | null;
}

export interface DefinitionChange {
  path: string;
  op: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

export interface MigrationReport {
  migrated: Array<{ ticketId: string; number: string; state: string }>;
  failed: Array<{ ticketId: string; number: string; reason: string }>;
}

export type SlaStatus = 'ok' | 'warning' | 'breached';

/** The filters of GET /api/tickets, as saved views store them. */
export interface TicketQuery {
  q?: string;
  stateCategory?: string;
  type?: string;
  priority?: string;
  queue?: string;
  assigneeId?: string;
  assignedGroup?: string;
  slaStatus?: SlaStatus;
  tag?: string;
}

export interface Queue {
  key: string;
  name: string;
  description: string;
  open: number;
  breached: number;
}

export interface SavedView {
  id: string;
  name: string;
  query: TicketQuery;
  /** Who else sees it: only its owner, one group, or everyone on staff. */
  sharedWith?: 'me' | 'group' | 'everyone';
  group?: string | null;
  owner?: { id: string; name: string };
  mine?: boolean;
}

export interface BulkResult {
  id: string;
  ok: boolean;
  status: number;
  problem?: { title?: string; detail?: string };
}

export type BulkAction =
  | { type: 'assign'; assigneeId: string | null }
  | { type: 'priority'; priority: Priority }
  | { type: 'transition'; transition: string }
  | { type: 'tags'; add?: string[]; remove?: string[] };

export interface AdminUser extends User {
  /** A custom role this agent holds (its key). */
  customRole?: string | null;
  organisationId: string | null;
  disabled: boolean;
}

export interface Group {
  key: string;
  name: string;
  userIds: string[];
}

export interface Organisation {
  id: string;
  name: string;
  shareTickets: boolean;
}

export interface RoutingRule {
  name: string;
  conditions: { type?: string; priority?: string; organisationId?: string };
  queue: string;
}

export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  scope: 'read' | 'write' | 'admin' | 'scim';
  userId: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  actorId: string | null;
  actorRole: string | null;
  via: string | null;
  action: string;
  target: string | null;
  outcome: 'allowed' | 'denied';
  status: number | null;
  ip: string | null;
  /** Refused anonymous requests of one address, route and minute share an entry. */
  count?: number;
  /** What an admin change touched, and how (JSON-pointer paths, before and after). */
  entity?: string | null;
  entityId?: string | null;
  detail?: { changes?: Array<{ path: string; before: unknown; after: unknown }>; code?: string };
}

export interface RetentionPolicy {
  id: string;
  name: string;
  organisationId: string | null;
  organisationName: string | null;
  ticketType: TicketType | null;
  afterDays: number;
  enabled: boolean;
  /** Tickets it would anonymise if run now. */
  due: number;
  lastRun: { at: string; trigger: 'schedule' | 'manual'; anonymised: number } | null;
}

export interface PermissionDoc {
  key: string;
  description: string;
}

export interface RoleGrants {
  areas: string[];
  queues: Record<string, string[]>;
}

export interface CustomRole extends RoleGrants {
  key: string;
  name: string;
  description: string;
  /** Active accounts holding it. */
  holders: number;
}

export interface RolesDoc {
  permissions: { areas: PermissionDoc[]; queue: PermissionDoc[] };
  builtIn: Array<RoleGrants & { key: Role; name: string }>;
  items: CustomRole[];
}
