// The plug-in API, version 1: everything a plug-in may touch. A plug-in imports only from this file, so the desk's own
// modules can change while this contract stays; a breaking change makes a version 2 beside it.

export const PLUGIN_API_VERSION = 1;

/**
 * A JSON Schema (draft 2020-12) object; a property marked `writeOnly: true` is a secret, stored sealed. The console
 * draws a form from its top-level properties: `title` and `description` label each field, and a property's
 * `"x-fr": { "title": …, "description": … }` gives them in French.
 */
export type JsonSchema = Record<string, unknown>;

/** `guichet-plugin.json` at the root of the plug-in's folder or package. */
export interface PluginManifest {
  /** Lower-case letters, digits and dashes; its routes live under /api/plugins/{name}/. */
  name: string;
  version: string;
  /** The plug-in API it was written for: 1. */
  apiVersion: number;
  /** One text, or one per language. */
  description?: string | { en: string; fr: string };
  /** The module exporting the plug-in (default export or `plugin`), relative to the manifest. */
  main: string;
  /** The admin's settings form; validated on save and before every use. */
  settings?: JsonSchema;
  /** A folder of `*.sql` files applied once each, in name order, when the API starts. */
  migrations?: string;
}

export interface PluginLogger {
  info(message: string, detail?: Record<string, unknown>): void;
  warn(message: string, detail?: Record<string, unknown>): void;
  error(message: string, detail?: Record<string, unknown>): void;
}

/** The desk's database, for the plug-in's own tables (created by its migrations). `?`-free: parameters are $1, $2… */
export interface PluginDatabase {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

/** Who calls a plug-in route. */
export interface PluginCaller {
  id: string;
  email: string;
  role: 'customer' | 'agent' | 'admin';
}

export interface PluginRouteInput {
  body: unknown;
  /** The body exactly as received (e.g. to check a signature over it); empty without a body. */
  rawBody: string;
  /** Request headers, names in lower case. */
  headers: Record<string, string>;
  query: Record<string, unknown>;
  params: Record<string, string>;
  /** Absent on public routes. */
  caller: PluginCaller | undefined;
}

export interface PluginReply {
  status?: number;
  body?: unknown;
}

export interface PluginRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Below the plug-in's prefix, Koa-style parameters: `/lookups/:email`. */
  path: string;
  summary: string;
  /**
   * `public`: anyone (rate limited per address), and its Authorization header is the plug-in's to check (a chat
   * service's signed token), never read as a desk API token; `user`: any signed-in caller; `admin`: admins and
   * admin-scope tokens.
   */
  access: 'public' | 'user' | 'admin';
  /**
   * `json` (the default) or `form` (application/x-www-form-urlencoded, as chat services post interactions): the body
   * arrives parsed either way, validated by `body`; any other type is refused with 415.
   */
  bodyFormat?: 'json' | 'form';
  /** JSON Schemas the desk validates before the handler runs (400 problem+json otherwise), and documents. */
  body?: JsonSchema;
  query?: JsonSchema;
  /** The successful answer's schema, for the OpenAPI document. */
  response?: JsonSchema;
  handler(input: PluginRouteInput): Promise<PluginReply> | PluginReply;
}

/** A ticket as plug-ins see it (the same fields in every version-1 contract). */
export interface PluginTicket {
  id: string;
  number: string;
  type: string;
  title: string;
  priority: string;
  state: string;
  stateCategory: string;
  queue: string | null;
  assigneeId: string | null;
  requesterId: string;
  organisationId: string | null;
  tags: string[];
  slaStatus: string;
  slaDueAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** One ticket's events as committed, in order, with the ticket as it stood after the last of them. */
export interface PluginTicketBatch {
  ticket: PluginTicket;
  events: {
    /** Stable per (ticket, seq): a listener heard twice de-duplicates on it. */
    id: string;
    seq: number;
    type: string;
    /** The webhook event types the event raises (`ticket.created`…), empty for the others. */
    eventTypes: string[];
    visibility: 'public' | 'internal';
    at: string;
    /** Who caused it: a person's id and role, or `system` with a null id (timers, rules). */
    actor: { id: string | null; role: string };
    data: Record<string, unknown>;
  }[];
}

/** Hears committed ticket events, at least once, in order per ticket, off the ticket's path. */
export type PluginTicketListener = (batch: PluginTicketBatch) => Promise<void>;

/** What a ticket-side panel is given: the ticket, who asked for it, and in which language to answer. */
export interface PluginPanelInput {
  ticket: PluginTicket;
  requester: { id: string; email: string; name: string } | null;
  organisation: { id: string; name: string } | null;
  caller: PluginCaller;
  locale: 'en' | 'fr';
}

/** What the console shows in the panel: plain text only (never HTML); links must be http(s). */
export interface PluginPanelContent {
  summary?: string;
  rows?: { label: string; value: string; href?: string }[];
  links?: { label: string; href: string }[];
}

/** A panel beside the agent's ticket page, loaded when the page opens (staff only). */
export interface PluginTicketPanel {
  /** Lower-case letters, digits and dashes, unique within the plug-in. */
  key: string;
  title: string | { en: string; fr: string };
  load(input: PluginPanelInput): Promise<PluginPanelContent>;
}

/** A page's content: a panel's, and a table (plain text cells). */
export interface PluginPageContent extends PluginPanelContent {
  table?: { columns: string[]; rows: string[][] };
}

/** A page of the console (under Plug-ins in the top bar), loaded when opened. */
export interface PluginPage {
  /** Lower-case letters, digits and dashes, unique within the plug-in. */
  key: string;
  title: string | { en: string; fr: string };
  /** `staff`: agents and admins; `admin`: admins only. */
  access: 'staff' | 'admin';
  load(input: { caller: PluginCaller; locale: 'en' | 'fr' }): Promise<PluginPageContent>;
}

/** What an action is given each time it runs. */
export interface PluginActionInput {
  /** Stable for this request (one per ticket event): an action run twice de-duplicates on it. */
  id: string;
  ticket: PluginTicket;
  /** The values the definition or rule gave, checked against the action's schema when saved. */
  with: Record<string, unknown>;
  /** 1 on the first run, then each retry. */
  attempt: number;
  /** What asked for it: a definition's escalation or an automation rule, by name. */
  cause: { escalation: string } | { rule: string } | null;
}

/**
 * An action definitions' escalations and automation rules can name (`{ "type" | "action": "plugin", "plugin": …,
 * "run": …, "with": {…} }`). It runs in the worker as a Temporal activity, at most 30 s a run, retried 5 times with
 * backoff when it throws: make it idempotent on `input.id`.
 */
export interface PluginAction {
  /** Lower-case letters, digits and dashes, unique within the plug-in. */
  name: string;
  title: string | { en: string; fr: string };
  /** JSON Schema of `with`: the desk refuses a definition or rule whose values do not match, and the console draws its form. */
  schema?: JsonSchema;
  run(input: PluginActionInput): Promise<void>;
}

/** What a scheduled run is given. */
export interface PluginScheduleInput {
  /** Stable for this run (the Temporal workflow run): a run retried by the desk de-duplicates on it. */
  id: string;
  /** `schedule`: its interval came round; `admin`: an admin asked for a run now. */
  trigger: 'schedule' | 'admin';
  /** Aborts when the run's time is up (15 minutes): stop there, the run has failed. */
  signal: AbortSignal;
}

/** What a run did, kept with the run and shown on the plug-in's admin page. */
export interface PluginRunReport {
  created?: number;
  updated?: number;
  unchanged?: number;
  skipped?: number;
  /** Why rows were skipped, and anything else the admin should read (the first 50 are kept). */
  notes?: string[];
}

/**
 * Work the desk runs on a Temporal schedule in the worker (a sync, a clean-up), one run at a time, at most 15 minutes
 * a run, not retried (the next run tries again); every run is recorded with its report or its error.
 */
export interface PluginSchedule {
  /** Lower-case letters, digits and dashes, unique within the plug-in. */
  key: string;
  title: string | { en: string; fr: string };
  /**
   * Minutes between runs under these settings (1 to 10080), or null when it should not run (turned off, or a setting
   * it needs is empty). Read when the API starts and whenever the settings are saved; never called with invalid settings.
   */
  everyMinutes(settings: Record<string, unknown>): number | null;
  run(input: PluginScheduleInput): Promise<PluginRunReport>;
}

/** An organisation as the desk's directory holds it; matched by name. */
export interface PluginOrganisation {
  name: string;
}

/** A customer contact; matched by e-mail (case-insensitive), created as a customer when new. */
export interface PluginContact {
  email: string;
  name: string;
  /** The organisation's name (created when missing); null or empty: none; absent: left as it is (none for a new contact). */
  organisation?: string | null;
  /** The language the desk writes to them in; absent: left as it is (`en` for a new contact). */
  locale?: 'en' | 'fr';
}

/** How a batch of directory rows went; `notes` say why rows were skipped. */
export interface PluginDirectoryResult {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  notes: string[];
}

/**
 * The desk's organisations and customers, for plug-ins that bring them in from elsewhere. Each call is one
 * transaction: a batch is applied whole or not at all. Staff accounts and accounts an admin disabled are never changed.
 */
export interface PluginDirectory {
  upsertOrganisations(rows: readonly PluginOrganisation[]): Promise<PluginDirectoryResult>;
  upsertContacts(rows: readonly PluginContact[]): Promise<PluginDirectoryResult>;
}

/** What the desk's mail intake did with a message a plug-in handed it. */
export interface PluginMailResult {
  /**
   * `ticket_created`, `commented`; `duplicate` (that Message-ID was taken in before); `bounce` (a delivery failure: a
   * note on its ticket, the address no longer mailed); `automatic` (auto-replies, lists, loops: dropped); and refusals:
   * `rate_limited`, `unknown_sender`, `no_sender`, `refused`, `staff_unverified`. Every one of them is final: the
   * message is done with.
   */
  outcome: string;
  ticketId: string | null;
  detail: string | null;
}

export interface PluginMail {
  /**
   * Hands one received message (RFC 5322 bytes, as fetched) to the desk's mail intake: the same threading, loop
   * protection and bounce handling as mail the desk receives by SMTP, idempotent on the Message-ID. In the API only (a
   * background task runs there); throws when the desk could not take it (try again later).
   */
  receive(raw: Uint8Array, source: { mailbox: string }): Promise<PluginMailResult>;
}

/**
 * A task that runs for as long as the desk does (a mailbox watched with IMAP IDLE, a stream followed): the desk runs it
 * in one API process at a time (replicas take turns through a PostgreSQL lock), only while the plug-in's settings are
 * complete, with those settings. `signal` aborts when the process stops, the settings change or the lock is lost:
 * return promptly then. When it returns or throws the desk reports it and starts it again after 10 s (longer after
 * repeated failures).
 */
export interface PluginBackground {
  /** Lower-case letters, digits and dashes, unique within the plug-in. */
  key: string;
  title: string | { en: string; fr: string };
  run(input: { signal: AbortSignal; settings: Record<string, unknown> }): Promise<void>;
}

/** Who a plug-in acts as on a ticket: a staff account, by e-mail (the person a chat user or an external id maps to). */
export interface PluginActor {
  email: string;
}

/** A transition the actor may take now. */
export interface PluginTransition {
  name: string;
  label: { en: string; fr: string };
  to: string;
}

export type PluginTicketAction =
  | { action: 'take' }
  /** `fields`: values the definition asks for with this transition (a resolution…), checked like the console's. */
  | { action: 'transition'; transition: string; fields?: Record<string, string | number | boolean> }
  | { action: 'comment'; body: string; visibility: 'public' | 'internal' };

/**
 * Tickets as a staff member sees and changes them, for plug-ins that let people act from elsewhere (a chat button).
 * Every call runs with that person's rights (queues, roles, the definition's rules); a refusal rejects with a
 * PluginError whose status and message say why (403 not theirs, 404 no such ticket or person, 409 not now). In the API only.
 */
export interface PluginTickets {
  get(ticketId: string, as: PluginActor): Promise<PluginTicket>;
  transitions(ticketId: string, as: PluginActor): Promise<PluginTransition[]>;
  act(ticketId: string, as: PluginActor, action: PluginTicketAction): Promise<PluginTicket>;
}

/** Why a notifier (a chat, a pager) tells of a ticket: it is new, it was escalated, or one of its SLA clocks breached. */
export const TICKET_NOTICES = ['created', 'escalated', 'breached'] as const;
export type TicketNoticeReason = (typeof TICKET_NOTICES)[number];

/** An event worth a notice, and what the notice says besides the ticket: the escalation's name, the breached clock. */
export interface TicketNotice {
  event: PluginTicketBatch['events'][number];
  reason: TicketNoticeReason;
  detail: string | null;
}

const NOTICE_EVENT_TYPES: ReadonlyArray<[string, TicketNoticeReason]> = [
  ['ticket.created', 'created'],
  ['ticket.escalated', 'escalated'],
  ['ticket.sla_breached', 'breached'],
];

/**
 * The notices a batch's events make, in order, for the reasons in `wanted` (all by default). The detail is read from
 * the desk's own event data here, so a notifier does not depend on how the desk names it.
 */
export function ticketNotices(events: PluginTicketBatch['events'], wanted: readonly TicketNoticeReason[] = TICKET_NOTICES): TicketNotice[] {
  const keep = new Set(wanted);
  return events.flatMap((event) => {
    const reason = NOTICE_EVENT_TYPES.find(([type]) => event.eventTypes.includes(type))?.[1];
    if (!reason || !keep.has(reason)) return [];
    const detail = reason === 'escalated' ? (event.data.escalation ?? event.data.name) : reason === 'breached' ? event.data.clock : undefined;
    return [{ event, reason, detail: String(detail ?? '') || null }];
  });
}

/** The buttons a notice may carry; a click acts as the clicker's desk account (`host.tickets.act`). */
export const TICKET_BUTTONS = ['take', 'acknowledge', 'resolve'] as const;
export type TicketButton = (typeof TICKET_BUTTONS)[number];

/** The transitions the acknowledge and resolve buttons run, as the admin chose them in the plug-in's settings. */
export interface TicketButtonSettings {
  acknowledgeTransition?: string;
  resolveTransition?: string;
  /** The resolve transition's fields (a resolution…). */
  resolveFields?: Record<string, string | number | boolean>;
}

/**
 * What a button does: take the ticket, or run the transition the admin chose; without one, the built-in definitions'
 * `start`, and `resolve` with `resolution` as its resolution field.
 */
export function ticketButtonAction(button: TicketButton, settings: TicketButtonSettings, resolution: string): PluginTicketAction {
  if (button === 'take') return { action: 'take' };
  if (button === 'acknowledge') return { action: 'transition', transition: settings.acknowledgeTransition ?? 'start' };
  return { action: 'transition', transition: settings.resolveTransition ?? 'resolve', fields: settings.resolveFields ?? { resolution } };
}

export interface PluginHost {
  readonly apiVersion: number;
  readonly plugin: { name: string; version: string };
  /** Which desk process runs this registration: routes serve only in the API, listeners run only in the worker. */
  readonly process: 'api' | 'worker';
  readonly log: PluginLogger;
  readonly db: PluginDatabase;
  readonly directory: PluginDirectory;
  readonly mail: PluginMail;
  readonly tickets: PluginTickets;
  /** The admin's settings, secrets opened; rejects with PluginNotConfigured while they are missing or invalid. */
  settings<T = Record<string, unknown>>(): Promise<T>;
  route(route: PluginRoute): void;
  onTicketEvents(listener: PluginTicketListener): void;
  ticketPanel(panel: PluginTicketPanel): void;
  action(action: PluginAction): void;
  page(page: PluginPage): void;
  schedule(schedule: PluginSchedule): void;
  background(task: PluginBackground): void;
  /** Throws the refusal a route answers (4xx problem+json with this detail): a plug-in needs nothing else from the desk at run time. */
  refuse(status: number, detail: string): never;
}

export interface GuichetPlugin {
  register(host: PluginHost): void | Promise<void>;
}

/** Thrown by a route handler: answered as problem+json with this status and detail (4xx only; anything else is a 500). */
export class PluginError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'PluginError';
  }
}

/** The settings are missing or do not match the plug-in's schema: the admin must fill them in. */
export class PluginNotConfigured extends Error {
  constructor(readonly problems: string[]) {
    super(`the plug-in's settings are incomplete: ${problems.join('; ')}`);
    this.name = 'PluginNotConfigured';
  }
}

/** Gives a plug-in object its type without importing anything else. */
export const definePlugin = (plugin: GuichetPlugin): GuichetPlugin => plugin;
