// Inbound webhooks: admin-managed endpoints whose signed requests become ticket actions through a mapping, de-duplicated by the sender's event id and logged.
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { raw, type EntityData, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { InboundEndpoint, InboundEvent, InboundRef, InboundRequest, Ticket, User } from '../../../platform/db/entities/index';
import { conflict, notFound, ProblemError, unprocessable } from '../../http/problem';
import type { AuthUser } from '../auth/types';
import type { TicketService } from '../tickets/service';
import { openUnderBackpressure, type Backpressure } from '../tickets/backpressure';
import { newSecret, verify } from '../../../webhooks/signing';
import type { SecretBox } from '../../../platform/secret-box';
import { MappingError, mappedEventId, planAction, type PlannedAction } from './mapping';
import type { CreateEndpointBody, Mapping, PatchEndpointBody, RequestsQuery } from './schemas';
import { lowered } from '../../../platform/db/case-fold';

/** Bodies are kept for inspection and replay up to this size; a truncated body cannot be replayed. */
const LOGGED_BODY_CHARS = 64 * 1024;
const LOGGED_HEADERS = ['content-type', 'user-agent', 'webhook-id', 'webhook-timestamp', 'x-request-id'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type EndpointRow = InferEntity<typeof InboundEndpoint>;

export interface HookRequest {
  raw: string;
  body: unknown;
  headers: Record<string, string | undefined>;
}

export interface HookResult {
  outcome: 'accepted' | 'duplicate';
  action: string | null;
  ticketId: string | null;
  number: string | null;
  requestId: string;
}

/** The stored mapping (the JSON column is untyped on the entity; the endpoint schema validated it). */
const mappingOf = (r: EndpointRow) => r.mapping as Mapping;

const presentEndpoint = (r: EndpointRow) => ({
  id: r.id,
  slug: r.slug,
  name: r.name,
  auth: r.auth as 'hmac' | 'bearer',
  mapping: mappingOf(r),
  enabled: r.enabled,
  url: `/api/hooks/${r.slug}`,
  actorId: r.actorId,
  createdAt: r.createdAt.toISOString(),
});

const mappingFailed = (err: MappingError) => new ProblemError(422, 'mapping-failed', 'Unprocessable content', err.message, err.errors);

export class InboundService {
  constructor(
    private readonly em: EntityManager,
    private readonly box: SecretBox,
    private readonly tickets: TicketService,
    /** New tickets wait like those opened through the API: a sender gets 503 with Retry-After and sends again. */
    private readonly backpressure?: Backpressure,
  ) {}

  // ---- administration ----

  /**
   * Each endpoint acts through its own service account (an admin without a password, so it cannot log in): the
   * timeline names the integration, and the ticket definition's role checks apply to it like to any admin.
   */
  async create(user: AuthUser, body: CreateEndpointBody) {
    const id = randomUUID();
    const slug = body.slug ?? `${body.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'hook'}-${randomBytes(3).toString('hex')}`;
    const secret = body.auth === 'bearer' ? `ghk_${randomBytes(32).toString('base64url')}` : newSecret();
    const actorId = randomUUID();
    await this.em.fork().transactional(async (tx) => {
      if (await tx.count(InboundEndpoint, { slug })) throw conflict(`the slug '${slug}' is taken`, 'slug-taken');
      await tx.insert(User, { id: actorId, email: `hook-${id}@hooks.guichet.invalid`, name: `Webhook: ${body.name.trim()}`.slice(0, 200), role: 'admin', passwordHash: null });
      await tx.insert(InboundEndpoint, { id, slug, name: body.name.trim(), auth: body.auth ?? 'hmac', secret: this.box.seal(secret), mapping: body.mapping, actorId, createdBy: user.id });
    });
    return { endpoint: await this.get(id), secret };
  }

  async list() {
    const rows = await this.em.fork().find(InboundEndpoint, {}, { orderBy: { createdAt: 'desc' } });
    return rows.map(presentEndpoint);
  }

  private async row(id: string): Promise<EndpointRow> {
    const row = await this.em.fork().findOne(InboundEndpoint, { id });
    if (!row) throw notFound(`no inbound endpoint ${id}`);
    return row;
  }

  async get(id: string) {
    return presentEndpoint(await this.row(id));
  }

  async patch(id: string, body: PatchEndpointBody) {
    await this.row(id);
    const changes: EntityData<EndpointRow> = { updatedAt: raw('now()') };
    if (body.name !== undefined) changes.name = body.name.trim();
    if (body.mapping !== undefined) changes.mapping = body.mapping;
    if (body.enabled !== undefined) changes.enabled = body.enabled;
    await this.em.fork().nativeUpdate(InboundEndpoint, { id }, changes);
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    const row = await this.row(id);
    await this.em.fork().transactional(async (tx) => {
      await tx.nativeDelete(InboundEndpoint, { id });
      await tx.nativeUpdate(User, { id: row.actorId }, { disabled: true });
    });
  }

  async rotate(id: string) {
    const row = await this.row(id);
    const secret = row.auth === 'bearer' ? `ghk_${randomBytes(32).toString('base64url')}` : newSecret();
    await this.em.fork().nativeUpdate(InboundEndpoint, { id }, { secret: this.box.seal(secret), updatedAt: raw('now()') });
    return { endpoint: presentEndpoint(row), secret };
  }

  async requests(id: string, q: RequestsQuery) {
    await this.row(id);
    const rows = await this.em
      .fork()
      .find(InboundRequest, { endpointId: id, ...(q.outcome && { outcome: q.outcome }) }, { orderBy: { id: 'desc' }, limit: q.limit ? Number(q.limit) : 100 });
    return rows.map((r) => ({
      id: String(r.id),
      eventId: r.eventId ?? null,
      receivedAt: r.receivedAt.toISOString(),
      outcome: r.outcome,
      status: r.status,
      action: r.action ?? null,
      ticketId: r.ticketId ?? null,
      problem: r.problem ?? null,
      headers: r.headers,
      body: r.body,
      bodyTruncated: r.bodyTruncated,
      replayOf: r.replayOf == null ? null : String(r.replayOf),
    }));
  }

  // ---- receiving ----

  /** POST /api/hooks/:endpoint — authenticated by the endpoint's secret, never by a session. */
  async receive(key: string, req: HookRequest): Promise<HookResult> {
    const endpoint = await this.em.fork().findOne(InboundEndpoint, UUID.test(key) ? { $or: [{ slug: key }, { id: key }] } : { slug: key });
    if (!endpoint) throw notFound(`no inbound endpoint '${key}'`);
    const log = (outcome: 'accepted' | 'duplicate' | 'rejected', status: number, extra: { eventId?: string | null; action?: string | null; ticketId?: string | null; problem?: unknown } = {}) =>
      this.log(endpoint.id, req, outcome, status, extra, null);
    if (!endpoint.enabled) {
      const p = new ProblemError(403, 'endpoint-disabled', 'Forbidden', 'this endpoint is disabled');
      await log('rejected', 403, { problem: p.toJSON() });
      throw p;
    }
    const authFailure = this.authenticate(endpoint, req);
    if (authFailure) {
      const p = new ProblemError(401, 'invalid-signature', 'Unauthorized', authFailure);
      await log('rejected', 401, { eventId: req.headers['webhook-id'] ?? null, problem: p.toJSON() });
      throw p;
    }
    return this.process(endpoint, req, null);
  }

  /** Runs a logged request again (after fixing the mapping, or a ticket's state); its signature was checked when it arrived. */
  async replay(endpointId: string, requestId: string): Promise<HookResult> {
    const endpoint = await this.row(endpointId);
    if (!/^[1-9][0-9]{0,17}$/.test(requestId)) throw notFound(`no request ${requestId}`);
    const r = await this.em.fork().findOne(InboundRequest, { endpointId, id: Number(requestId) }, { fields: ['body', 'bodyTruncated', 'headers', 'eventId'] });
    if (!r) throw notFound(`no request ${requestId} on this endpoint`);
    if (r.bodyTruncated) throw unprocessable('the logged body was truncated, so it cannot be replayed; ask the sender to resend it', [{ pointer: '/', message: 'truncated body' }], 'body-truncated');
    let body: unknown;
    try {
      body = JSON.parse(r.body);
    } catch {
      throw unprocessable('the logged body is not JSON', [{ pointer: '/', message: 'not JSON' }], 'invalid-body');
    }
    // A request refused for its signature is replayed like any other: the admin vouches for it by replaying.
    const headers = r.headers as Record<string, string>;
    return this.process(endpoint, { raw: r.body, body, headers: { ...headers, 'webhook-id': headers['webhook-id'] ?? r.eventId ?? undefined } }, r.id);
  }

  private authenticate(endpoint: EndpointRow, req: HookRequest): string | null {
    const secret = this.box.open(endpoint.secret);
    if (endpoint.auth === 'bearer') {
      const given = Buffer.from((req.headers.authorization ?? '').replace(/^Bearer\s+/i, ''));
      const expected = Buffer.from(secret);
      return given.length === expected.length && timingSafeEqual(given, expected) ? null : 'missing or wrong bearer token';
    }
    const failure = verify(secret, { id: req.headers['webhook-id'], timestamp: req.headers['webhook-timestamp'], signature: req.headers['webhook-signature'] }, req.raw);
    if (failure === 'missing-headers') return 'send webhook-id, webhook-timestamp and webhook-signature headers (Standard Webhooks)';
    if (failure === 'stale-timestamp') return 'webhook-timestamp is more than 5 minutes away from now';
    return failure ? 'the webhook-signature does not match the body and this endpoint secret' : null;
  }

  private async process(endpoint: EndpointRow, req: HookRequest, replayOf: number | null): Promise<HookResult> {
    const log = (outcome: 'accepted' | 'duplicate' | 'rejected', status: number, extra: { eventId?: string | null; action?: string | null; ticketId?: string | null; problem?: unknown }) =>
      this.log(endpoint.id, req, outcome, status, extra, replayOf);
    const reject = async (p: ProblemError, eventId: string | null, action: string | null = null): Promise<never> => {
      await log('rejected', p.status, { eventId, action, problem: p.toJSON() });
      throw p;
    };
    if (req.body === null || typeof req.body !== 'object') {
      return reject(new ProblemError(400, 'invalid-body', 'Bad request', 'send a JSON object or array', [{ pointer: '/', message: 'not a JSON document' }]), null);
    }
    const eventId = (req.headers['webhook-id']?.slice(0, 200) || mappedEventId(mappingOf(endpoint), req.body)) ?? null;

    let planned: PlannedAction;
    try {
      planned = planAction(mappingOf(endpoint), req.body).action;
    } catch (err) {
      if (err instanceof MappingError) return reject(mappingFailed(err), eventId);
      throw err;
    }

    // Claim the event id: the primary key makes a retried delivery a duplicate however many arrive at once.
    if (eventId) {
      const claimed = await this.em.fork().createQueryBuilder(InboundEvent).insert({ endpointId: endpoint.id, eventId, result: null }).onConflict().ignore().execute('run');
      if (!claimed.affectedRows) {
        const prior = (await this.em.fork().findOne(InboundEvent, { endpointId: endpoint.id, eventId }, { fields: ['result'] }))?.result as HookResult | null | undefined;
        if (prior) {
          const id = await log('duplicate', 200, { eventId, action: prior.action, ticketId: prior.ticketId });
          return { ...prior, outcome: 'duplicate', requestId: id };
        }
        // Claimed by a request still running (or one that died): go on; ticket creation is itself idempotent per event id.
      }
    }
    const actor = await this.tickets.userById(endpoint.actorId);
    if (!actor) throw new ProblemError(500, 'internal-error', 'Internal server error', 'the endpoint service account is missing');
    let outcome: { ticketId: string; number: string | null };
    try {
      outcome = await this.act(endpoint, actor, planned, eventId);
    } catch (err) {
      if (eventId) await this.em.fork().nativeDelete(InboundEvent, { endpointId: endpoint.id, eventId, result: null });
      if (err instanceof MappingError) return reject(mappingFailed(err), eventId, planned.type);
      // Refused while the workers are behind (busy) is logged too: the sender's retry is the next line of the log.
      if (err instanceof ProblemError && (err.status < 500 || err.code === 'busy')) return reject(err, eventId, planned.type);
      throw err;
    }
    const requestId = await log('accepted', 200, { eventId, action: planned.type, ticketId: outcome.ticketId });
    const result: HookResult = { outcome: 'accepted', action: planned.type, ticketId: outcome.ticketId, number: outcome.number, requestId };
    if (eventId) await this.em.fork().nativeUpdate(InboundEvent, { endpointId: endpoint.id, eventId }, { result });
    return result;
  }

  private async ticketOf(endpointId: string, ref: string): Promise<string | null> {
    const row = await this.em.fork().findOne(InboundRef, { endpointId, externalRef: ref }, { fields: ['ticketId'] });
    return row?.ticketId ?? null;
  }

  private async act(endpoint: EndpointRow, actor: AuthUser, action: PlannedAction, eventId: string | null): Promise<{ ticketId: string; number: string | null }> {
    if (action.type === 'create') {
      if (action.externalRef) {
        // A reference whose ticket is still open names it: a repeated "firing" does not open a second incident.
        const existing = await this.ticketOf(endpoint.id, action.externalRef);
        if (existing) {
          const open = await this.em.fork().findOne(Ticket, { id: existing, stateCategory: { $nin: ['resolved', 'closed'] } }, { fields: ['number'] });
          if (open) return { ticketId: existing, number: open.number };
        }
      }
      const requester = action.requester ? await this.userByEmail(action.requester) : undefined;
      const { ticket } = await openUnderBackpressure(this.backpressure, (admit) =>
        this.tickets.create(
          actor,
          { type: action.ticketType, title: action.title, description: action.description, priority: action.priority, fields: action.fields, channel: 'api' },
          `hook:${endpoint.id}:${eventId ?? randomUUID()}`,
          requester ?? undefined,
          { admit },
        ),
      );
      if (action.externalRef) {
        // The reference now names this ticket (its earlier one was resolved or closed).
        await this.em
          .fork()
          .createQueryBuilder(InboundRef)
          .insert({ endpointId: endpoint.id, externalRef: action.externalRef, ticketId: ticket.id })
          .onConflict(['endpointId', 'externalRef'])
          .merge({ ticketId: ticket.id, createdAt: raw('now()') })
          .execute();
      }
      return { ticketId: ticket.id, number: ticket.number };
    }
    const ticketId = await this.ticketOf(endpoint.id, action.externalRef);
    if (!ticketId) throw new ProblemError(422, 'unknown-external-ref', 'Unprocessable content', `no ticket is known by the external reference '${action.externalRef}'`, [{ pointer: '/externalRef', message: 'unknown reference' }]);
    if (action.type === 'comment') {
      await this.tickets.comment(actor, ticketId, { body: action.body, visibility: action.visibility }, eventId ?? undefined);
      return { ticketId, number: null };
    }
    const t = await this.tickets.transition(actor, ticketId, { transition: action.transition, fields: action.fields }, eventId ?? undefined);
    return { ticketId, number: t.number };
  }

  private async userByEmail(email: string): Promise<AuthUser | null> {
    // lower() by the database, as addresses are stored: not always JavaScript's toLowerCase outside ASCII.
    const u = await this.em.fork().findOne(User, { email: lowered(email), disabled: false }, { fields: ['id'] });
    return u ? this.tickets.userById(u.id) : null;
  }

  private async log(
    endpointId: string,
    req: HookRequest,
    outcome: 'accepted' | 'duplicate' | 'rejected',
    status: number,
    extra: { eventId?: string | null; action?: string | null; ticketId?: string | null; problem?: unknown },
    replayOf: number | null,
  ): Promise<string> {
    const headers = Object.fromEntries(LOGGED_HEADERS.filter((h) => req.headers[h] !== undefined).map((h) => [h, String(req.headers[h]).slice(0, 500)]));
    const body = req.raw.replace(/\u0000/g, '\uFFFD');
    const id = await this.em.fork().insert(InboundRequest, {
      endpointId,
      eventId: extra.eventId ?? null,
      outcome,
      status,
      action: extra.action ?? null,
      ticketId: extra.ticketId ?? null,
      problem: extra.problem ?? null,
      headers,
      body: body.slice(0, LOGGED_BODY_CHARS),
      bodyTruncated: body.length > LOGGED_BODY_CHARS,
      replayOf,
    });
    return String(id);
  }
}
