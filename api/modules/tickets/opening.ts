// Opening a ticket: who may open what for whom, its fields checked against the definition, its number, and its
// workflow started once per idempotency key; the API answers from the start without waiting for a worker.
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';
import { fieldErrors, lockedFields, openingState, step, untouchedWakeups, withSlaPolicy, type OrganisationSlaPolicy, type Priority } from '../../../workflow-definitions/index';
import { TICKET_WORKFLOW, ticketWorkflowId, type TicketProjection, type TicketWorkflowInput } from '../../../workflows/ticket-messages';
import type { ticketWorkflow } from '../../../workflows/ticket';
import { initialProjection } from '../../../workflows/ticket-initial';
import type { Logger } from '../../../platform/logger';
import { ProblemError, forbidden, unprocessable } from '../../http/problem';
import { toProblem } from '../../temporal-errors';
import type { AuthUser } from '../auth/types';
import type { DefinitionService } from '../definitions/service';
import type { QueueService } from '../queues/service';
import type { DeskSettings } from '../settings/service';
import type { SlaPolicyLookup } from '../sla-policies/service';
import { presentProjection, presentRow, type TicketView } from './present';
import type { TicketRepository } from './repository';
import type { CreateTicketBody } from './schemas';
import { actorOf, idempotentTicketId } from './workflow-calls';

const TICKET_TYPE = defineSearchAttributeKey('GuichetTicketType', SearchAttributeType.KEYWORD);
const DEFINITION = defineSearchAttributeKey('GuichetDefinition', SearchAttributeType.KEYWORD);
const NUMBER = defineSearchAttributeKey('GuichetTicketNumber', SearchAttributeType.KEYWORD);

/** What Temporal's visibility lists of a ticket workflow: its type, pinned definition and number. */
export function ticketSearchAttributes(type: string, definition: { key: string; version: number }, number: string): TypedSearchAttributes {
  return new TypedSearchAttributes([
    { key: TICKET_TYPE, value: type },
    { key: DEFINITION, value: `${definition.key}@${definition.version}` },
    { key: NUMBER, value: number },
  ]);
}

/** Request types a customer may open from the portal. */
const CUSTOMER_TYPES = new Set(['incident', 'service_request']);
/**
 * How a ticket is opened besides its body. `operatorPriority`: the priority is the operator's configuration (mail intake,
 * a catalogue offering), not the customer's choice. `offering`: a published catalogue offering opens it, so its type is
 * the admin's choice (customers may open it whatever the type), its queue (when set) replaces routing, and its preset
 * field values are the admin's (no customer lock applies to them).
 */
export interface OpeningOptions {
  operatorPriority?: boolean;
  offering?: { queue: string | null; presetFields: Record<string, string | number | boolean> };
  /**
   * Backpressure: given the instants the new ticket's workflow will wake for its timers (if untouched; computed only
   * when asked), refuses it by throwing, or answers how to give them back if the ticket is not opened after all. Called
   * once the request is known to be valid and not the replay of a recorded creation, before the ticket takes a number.
   */
  admit?: (wakeups: () => readonly number[]) => Promise<OpeningAdmission>;
}

export interface OpeningAdmission {
  release(): Promise<void>;
}

/** How far ahead a new ticket's timers count for admission: beyond a day, today's burst is long recorded. */
const WAKEUP_HORIZON_MS = 24 * 3600_000;

/** How long creation waits for Temporal to accept the start before answering 503. */
const CREATE_WAIT_MS = 5000;

export class TicketOpening {
  constructor(
    private readonly repo: TicketRepository,
    private readonly defs: DefinitionService,
    private readonly queues: QueueService,
    private readonly temporal: Client,
    private readonly taskQueue: string,
    private readonly log?: Logger,
    private readonly settings?: { get(): Promise<Pick<DeskSettings, 'customersMayChooseCritical'>> },
    private readonly slaPolicies?: SlaPolicyLookup,
    /** Custom ticket types: each names the definition that runs it and whether customers may open it. */
    private readonly types?: { custom(key: string): Promise<{ customersMayOpen: boolean } | null> },
  ) {}

  /**
   * `body.requesterId` (staff) or `onBehalfOf` (an inbound webhook's service account) makes another user the requester;
   * `operatorPriority`: the priority is the operator's configuration (mail intake), not the customer's choice.
   * Answers the ticket as it opens (not yet labelled for the reader), or the earlier attempt's with `replayed`.
   */
  async open(user: AuthUser, body: CreateTicketBody, idempotencyKey?: string, onBehalfOf?: AuthUser, opts: OpeningOptions = {}): Promise<{ ticket: TicketView; replayed: boolean }> {
    if (user.role === 'customer' && body.requesterId && body.requesterId !== user.id) throw forbidden('customers open tickets for themselves only');
    const requester = body.requesterId && body.requesterId !== user.id ? await this.requester(body.requesterId) : onBehalfOf && user.role !== 'customer' ? onBehalfOf : user;
    const custom = await this.types?.custom(body.type);
    if (user.role === 'customer' && !opts.offering && !CUSTOMER_TYPES.has(body.type) && !custom?.customersMayOpen) throw forbidden(`customers cannot open ${body.type} tickets`);
    if (user.role === 'customer' && body.priority === 'critical' && !opts.operatorPriority && !(await this.settings?.get())?.customersMayChooseCritical) {
      throw unprocessable('customers file tickets at high priority at most on this desk; an agent raises it when it is critical', [{ pointer: '/priority', message: 'critical is for agents to set' }], 'priority-not-allowed');
    }
    const stored = await this.defs.forType(body.type);
    if (!stored) throw unprocessable(`no published workflow definition serves '${body.type}'`, [{ pointer: '/type', message: 'no definition' }]);
    const organisationId = requester.role === 'customer' ? requester.organisationId : null;
    // The organisation's SLA policy replaces the definition's targets in the definition this ticket is pinned to.
    const policy = (await this.slaPolicies?.forOrganisation(organisationId)) ?? null;
    const def = policy ? withSlaPolicy(stored.body, policy) : stored.body;
    const fields = { ...(body.fields ?? {}), ...(opts.offering?.presetFields ?? {}) };
    const errors = fieldErrors(def, fields);
    for (const name of lockedFields(def, user.role, body.fields ?? {})) errors.push({ pointer: `/fields/${name}`, message: `${name} is set by agents only` });
    for (const f of def.fields ?? []) {
      if (f.requiredOnCreate && (fields[f.name] === undefined || fields[f.name] === '')) errors.push({ pointer: `/fields/${f.name}`, message: `${f.name} is required` });
    }
    if (errors.length) throw unprocessable(errors.map((e) => e.message).join('; '), errors, 'invalid-fields');
    const createdAt = Date.now();
    const intake = { priority: body.priority as Priority, queue: null, fields, title: body.title, description: body.description ?? '' };
    const then = body.then && ({ kind: 'transition', transition: body.then.transition, fields: body.then.fields ?? {}, actor: actorOf(user) } as const);
    // A ticket that is to move on at once is checked against that transition before it exists: refused, nothing is created.
    if (then) {
      const { refused: refusal } = step({ definition: def, version: stored.version, ticket: { id: 'new', number: 'new' }, state: openingState(def, intake, createdAt), now: createdAt }, then);
      if (refusal) {
        const pointed = (refusal.errors ?? []).map((e) => ({ ...e, pointer: `/then${e.pointer}` }));
        throw refusal.kind === 'invalid' ? unprocessable(refusal.message, pointed, refusal.code) : new ProblemError(409, refusal.code, 'Conflict', refusal.message, pointed);
      }
    }

    const id = idempotencyKey ? idempotentTicketId(user.id, idempotencyKey) : randomUUID();
    const channel = body.channel ?? (user.via === 'token' ? 'api' : user.role === 'customer' ? 'portal' : 'other');
    if (idempotencyKey) {
      // A retry of a creation already recorded is answered as it was, however busy the desk is now.
      const earlier = await this.repo.find(id);
      if (earlier) {
        // The first attempt may have failed between recording the ticket and finishing it.
        await this.finish(id, policy, channel);
        return { ticket: presentRow(earlier), replayed: true };
      }
    }
    // Admitted before the ticket takes a number, so that a refusal leaves no gap in the numbering.
    const admission = opts.admit && (await opts.admit(() => untouchedWakeups(def, intake, createdAt, WAKEUP_HORIZON_MS, then)));
    // Whether the ticket may have started: then it keeps its seconds (a start that timed out may have reached Temporal).
    let mayHaveStarted = false;
    try {
      const number = `${def.numberPrefix}-${String(await this.repo.nextNumber()).padStart(6, '0')}`;
      const input: TicketWorkflowInput = {
        ticket: {
          id,
          number,
          type: body.type,
          title: body.title.trim(),
          description: body.description ?? '',
          priority: body.priority as Priority,
          requesterId: requester.id,
          queue: opts.offering?.queue ?? await this.queues.route({ type: body.type, priority: body.priority, organisationId: requester.organisationId, fields }, def.defaultQueue ?? null),
          fields,
          createdAt: new Date(createdAt).toISOString(),
          createdBy: actorOf(user),
          organisationId,
        },
        definition: def,
        definitionVersion: stored.version,
      };
      const started = await this.start(input, def.key, stored.version);
      // Unless Temporal said the ticket was there already, it may have started (a deadline, a dropped connection):
      // its seconds stay counted.
      mayHaveStarted = started !== 'already-started';
      if (started === 'already-started') {
        // A retry after a first attempt that started the ticket but failed before finishing it finishes it now. That
        // attempt holds its reservation: this one gives its own back (below).
        const ticket = await this.alreadyOpened(id);
        await this.finish(id, policy, channel);
        return { ticket, replayed: true };
      }
      if (started !== 'started') throw started;
      const opened = await this.recordOpened(initialProjection(input, Date.now()));
      await this.finish(id, policy, channel);
      return { ticket: opened, replayed: false };
    } finally {
      // A ticket not started (failed before its start, or an earlier attempt's) brings no timers.
      if (!mayHaveStarted) await admission?.release().catch(() => undefined);
    }
  }

  /** What the read model holds of an opened ticket besides its row: the SLA policy it is pinned to, its channel. */
  private async finish(id: string, policy: OrganisationSlaPolicy | null, channel: string): Promise<void> {
    if (policy) await this.slaPolicies!.pin(id, policy);
    await this.repo.setChannel(id, channel);
  }

  /**
   * Starts the ticket's workflow. Creation answers once the start is durable in Temporal and the row is in the read
   * model, without waiting for a worker to run the workflow's first task (the longest part of an update-with-start on a
   * busy machine); the answer is the ticket as the workflow starts it (ticket-initial.ts), and the workflow's own first
   * write follows within milliseconds with the `created` event. Answers what became of the start, or the error to throw.
   */
  private async start(input: TicketWorkflowInput, definition: string, version: number): Promise<'started' | 'already-started' | Error> {
    try {
      await this.temporal.connection.withDeadline(Date.now() + CREATE_WAIT_MS, () =>
        this.temporal.workflow.start<typeof ticketWorkflow>(TICKET_WORKFLOW, {
          workflowId: ticketWorkflowId(input.ticket.id),
          taskQueue: this.taskQueue,
          args: [input],
          // The id is the caller's idempotency key (or random): a ticket already there is this request's earlier attempt.
          workflowIdConflictPolicy: 'FAIL',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: ticketSearchAttributes(input.ticket.type, { key: definition, version }, input.ticket.number),
        }),
      );
      return 'started';
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return 'already-started';
      return toProblem(err) ?? (err as Error);
    }
  }

  /** Whom staff may open a ticket for: any active person, never a disabled account or a service account. */
  private async requester(id: string): Promise<Pick<AuthUser, 'id' | 'role' | 'organisationId'>> {
    const found = await this.repo.requester(id);
    if (!found) throw unprocessable(`no active user ${id} to open this ticket for`, [{ pointer: '/requesterId', message: 'unknown, disabled or a service account' }], 'unknown-requester');
    return found;
  }

  /** Writes the just-started ticket's row; if the workflow wrote first, its row is the answer. */
  private async recordOpened(opened: TicketProjection): Promise<TicketView> {
    try {
      if (await this.repo.insertOpened(opened)) return presentProjection(opened);
      const row = await this.repo.find(opened.id);
      if (row) return presentRow(row);
    } catch (err) {
      // The ticket is durable in Temporal and its workflow keeps retrying its own write until the database is back.
      this.log?.warn({ err, ticketId: opened.id }, 'ticket opened; its read-model row waits for the database');
    }
    return presentProjection(opened);
  }

  /** A retried creation: the ticket from the read model, or else from the input its workflow was started with. */
  private async alreadyOpened(id: string): Promise<TicketView> {
    const row = await this.repo.find(id);
    if (row) return presentRow(row);
    const handle = this.temporal.workflow.getHandle(ticketWorkflowId(id));
    try {
      const history = await handle.fetchHistory();
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      if (!started) throw new Error(`ticket ${id}: no start event in its history`);
      const input = this.temporal.options.loadedDataConverter.payloadConverter.fromPayload<TicketWorkflowInput>(started);
      return await this.recordOpened(initialProjection(input, Date.now()));
    } catch (err) {
      throw toProblem(err) ?? err;
    }
  }
}
