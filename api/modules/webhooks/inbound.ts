// Inbound webhooks: admin-managed endpoints whose signed requests become ticket actions through a mapping, de-duplicated by the sender's event id and logged.
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, notFound, ProblemError, unprocessable } from '../../http/problem';
import { iso } from '../../../platform/db/time';
import type { AuthUser } from '../auth/types';
import type { TicketService } from '../tickets/service';
import { newSecret, verify } from '../../../webhooks/signing';
import type { SecretBox } from '../../../platform/secret-box';
import { MappingError, mappedEventId, planAction, type PlannedAction } from './mapping';
import type { CreateEndpointBody, Mapping, PatchEndpointBody, RequestsQuery } from './schemas';

/** Bodies are kept for inspection and replay up to this size; a truncated body cannot be replayed. */
const LOGGED_BODY_CHARS = 64 * 1024;
const LOGGED_HEADERS = ['content-type', 'user-agent', 'webhook-id', 'webhook-timestamp', 'x-request-id'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface EndpointRow {
  id: string;
  slug: string;
  name: string;
  auth: 'hmac' | 'bearer';
  secret: string;
  mapping: Mapping;
  actor_id: string;
  enabled: boolean;
  created_at: string | Date;
}

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

const presentEndpoint = (r: EndpointRow) => ({
  id: r.id,
  slug: r.slug,
  name: r.name,
  auth: r.auth,
  mapping: r.mapping,
  enabled: r.enabled,
  url: `/api/hooks/${r.slug}`,
  actorId: r.actor_id,
  createdAt: iso(r.created_at),
});

const mappingFailed = (err: MappingError) => new ProblemError(422, 'mapping-failed', 'Unprocessable content', err.message, err.errors);

export class InboundService {
  constructor(
    private readonly em: EntityManager,
    private readonly box: SecretBox,
    private readonly tickets: TicketService,
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
      const taken = await tx.execute('select 1 from inbound_endpoints where slug = ?', [slug]);
      if (taken.length) throw conflict(`the slug '${slug}' is taken`, 'slug-taken');
      await tx.execute(`insert into users (id, email, name, role, password_hash) values (?, ?, ?, 'admin', null)`, [actorId, `hook-${id}@hooks.guichet.invalid`, `Webhook: ${body.name.trim()}`.slice(0, 200)]);
      await tx.execute('insert into inbound_endpoints (id, slug, name, auth, secret, mapping, actor_id, created_by) values (?, ?, ?, ?, ?, ?::jsonb, ?, ?)', [
        id,
        slug,
        body.name.trim(),
        body.auth ?? 'hmac',
        this.box.seal(secret),
        JSON.stringify(body.mapping),
        actorId,
        user.id,
      ]);
    });
    return { endpoint: await this.get(id), secret };
  }

  async list() {
    const rows = await this.em.fork().execute<EndpointRow[]>('select * from inbound_endpoints order by created_at desc');
    return rows.map(presentEndpoint);
  }

  private async row(id: string): Promise<EndpointRow> {
    const [row] = await this.em.fork().execute<EndpointRow[]>('select * from inbound_endpoints where id = ?', [id]);
    if (!row) throw notFound(`no inbound endpoint ${id}`);
    return row;
  }

  async get(id: string) {
    return presentEndpoint(await this.row(id));
  }

  async patch(id: string, body: PatchEndpointBody) {
    await this.row(id);
    const sets = ['updated_at = now()'];
    const params: unknown[] = [];
    if (body.name !== undefined) {
      sets.push('name = ?');
      params.push(body.name.trim());
    }
    if (body.mapping !== undefined) {
      sets.push('mapping = ?::jsonb');
      params.push(JSON.stringify(body.mapping));
    }
    if (body.enabled !== undefined) {
      sets.push('enabled = ?');
      params.push(body.enabled);
    }
    await this.em.fork().execute(`update inbound_endpoints set ${sets.join(', ')} where id = ?`, [...params, id]);
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    const row = await this.row(id);
    await this.em.fork().transactional(async (tx) => {
      await tx.execute('delete from inbound_endpoints where id = ?', [id]);
      await tx.execute('update users set disabled = true where id = ?', [row.actor_id]);
    });
  }

  async rotate(id: string) {
    const row = await this.row(id);
    const secret = row.auth === 'bearer' ? `ghk_${randomBytes(32).toString('base64url')}` : newSecret();
    await this.em.fork().execute('update inbound_endpoints set secret = ?, updated_at = now() where id = ?', [this.box.seal(secret), id]);
    return { endpoint: presentEndpoint(row), secret };
  }

  async requests(id: string, q: RequestsQuery) {
    await this.row(id);
    // A raw log row, read once into the typed answer below.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const rows = await this.em.fork().execute<Array<Record<string, any>>>(
      `select id::text, event_id, received_at, outcome, status, action, ticket_id, problem, headers, body, body_truncated, replay_of::text
       from inbound_requests where endpoint_id = ? ${q.outcome ? 'and outcome = ?' : ''} order by id desc limit ?`,
      [id, ...(q.outcome ? [q.outcome] : []), q.limit ? Number(q.limit) : 100],
    );
    return rows.map((r) => ({
      id: r.id,
      eventId: r.event_id,
      receivedAt: iso(r.received_at),
      outcome: r.outcome,
      status: r.status,
      action: r.action,
      ticketId: r.ticket_id,
      problem: r.problem,
      headers: r.headers,
      body: r.body,
      bodyTruncated: r.body_truncated,
      replayOf: r.replay_of,
    }));
  }

  // ---- receiving ----

  /** POST /api/hooks/:endpoint — authenticated by the endpoint's secret, never by a session. */
  async receive(key: string, req: HookRequest): Promise<HookResult> {
    const [endpoint] = await this.em
      .fork()
      .execute<EndpointRow[]>(`select * from inbound_endpoints where slug = ? ${UUID.test(key) ? 'or id = ?::uuid' : ''}`, UUID.test(key) ? [key, key] : [key]);
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
    const [r] = await this.em
      .fork()
      .execute<Array<{ id: string; body: string; body_truncated: boolean; headers: Record<string, string>; event_id: string | null; status: number }>>(
        'select id::text, body, body_truncated, headers, event_id, status from inbound_requests where endpoint_id = ? and id = ?',
        [endpointId, requestId],
      );
    if (!r) throw notFound(`no request ${requestId} on this endpoint`);
    if (r.body_truncated) throw unprocessable('the logged body was truncated, so it cannot be replayed; ask the sender to resend it', [{ pointer: '/', message: 'truncated body' }], 'body-truncated');
    let body: unknown;
    try {
      body = JSON.parse(r.body);
    } catch {
      throw unprocessable('the logged body is not JSON', [{ pointer: '/', message: 'not JSON' }], 'invalid-body');
    }
    // A request refused for its signature is replayed like any other: the admin vouches for it by replaying.
    return this.process(endpoint, { raw: r.body, body, headers: { ...r.headers, 'webhook-id': r.headers['webhook-id'] ?? r.event_id ?? undefined } }, r.id);
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

  private async process(endpoint: EndpointRow, req: HookRequest, replayOf: string | null): Promise<HookResult> {
    const log = (outcome: 'accepted' | 'duplicate' | 'rejected', status: number, extra: { eventId?: string | null; action?: string | null; ticketId?: string | null; problem?: unknown }) =>
      this.log(endpoint.id, req, outcome, status, extra, replayOf);
    const reject = async (p: ProblemError, eventId: string | null, action: string | null = null): Promise<never> => {
      await log('rejected', p.status, { eventId, action, problem: p.toJSON() });
      throw p;
    };
    if (req.body === null || typeof req.body !== 'object') {
      return reject(new ProblemError(400, 'invalid-body', 'Bad request', 'send a JSON object or array', [{ pointer: '/', message: 'not a JSON document' }]), null);
    }
    const eventId = (req.headers['webhook-id']?.slice(0, 200) || mappedEventId(endpoint.mapping, req.body)) ?? null;

    let planned: PlannedAction;
    try {
      planned = planAction(endpoint.mapping, req.body).action;
    } catch (err) {
      if (err instanceof MappingError) return reject(mappingFailed(err), eventId);
      throw err;
    }

    // Claim the event id: the primary key makes a retried delivery a duplicate however many arrive at once.
    if (eventId) {
      const claimed = await this.em.fork().execute('insert into inbound_events (endpoint_id, event_id) values (?, ?) on conflict do nothing returning event_id', [endpoint.id, eventId]);
      if (!claimed.length) {
        const [prior] = await this.em.fork().execute<Array<{ result: HookResult | null }>>('select result from inbound_events where endpoint_id = ? and event_id = ?', [endpoint.id, eventId]);
        if (prior?.result) {
          const id = await log('duplicate', 200, { eventId, action: prior.result.action, ticketId: prior.result.ticketId });
          return { ...prior.result, outcome: 'duplicate', requestId: id };
        }
        // Claimed by a request still running (or one that died): go on; ticket creation is itself idempotent per event id.
      }
    }
    const actor = await this.tickets.userById(endpoint.actor_id);
    if (!actor) throw new ProblemError(500, 'internal-error', 'Internal server error', 'the endpoint service account is missing');
    let outcome: { ticketId: string; number: string | null };
    try {
      outcome = await this.act(endpoint, actor, planned, eventId);
    } catch (err) {
      if (eventId) await this.em.fork().execute('delete from inbound_events where endpoint_id = ? and event_id = ? and result is null', [endpoint.id, eventId]);
      if (err instanceof MappingError) return reject(mappingFailed(err), eventId, planned.type);
      if (err instanceof ProblemError && err.status < 500) return reject(err, eventId, planned.type);
      throw err;
    }
    const requestId = await log('accepted', 200, { eventId, action: planned.type, ticketId: outcome.ticketId });
    const result: HookResult = { outcome: 'accepted', action: planned.type, ticketId: outcome.ticketId, number: outcome.number, requestId };
    if (eventId) await this.em.fork().execute('update inbound_events set result = ?::jsonb where endpoint_id = ? and event_id = ?', [JSON.stringify(result), endpoint.id, eventId]);
    return result;
  }

  private async ticketOf(endpointId: string, ref: string): Promise<string | null> {
    const [row] = await this.em.fork().execute<Array<{ ticket_id: string }>>('select ticket_id from inbound_refs where endpoint_id = ? and external_ref = ?', [endpointId, ref]);
    return row?.ticket_id ?? null;
  }

  private async act(endpoint: EndpointRow, actor: AuthUser, action: PlannedAction, eventId: string | null): Promise<{ ticketId: string; number: string | null }> {
    if (action.type === 'create') {
      if (action.externalRef) {
        // A reference whose ticket is still open names it: a repeated "firing" does not open a second incident.
        const existing = await this.ticketOf(endpoint.id, action.externalRef);
        if (existing) {
          const [open] = await this.em.fork().execute<Array<{ number: string }>>(`select number from tickets where id = ? and state_category not in ('resolved', 'closed')`, [existing]);
          if (open) return { ticketId: existing, number: open.number };
        }
      }
      const requester = action.requester ? await this.userByEmail(action.requester) : undefined;
      const { ticket } = await this.tickets.create(
        actor,
        { type: action.ticketType, title: action.title, description: action.description, priority: action.priority, fields: action.fields, channel: 'api' },
        `hook:${endpoint.id}:${eventId ?? randomUUID()}`,
        requester ?? undefined,
      );
      if (action.externalRef) {
        await this.em
          .fork()
          .execute(
            'insert into inbound_refs (endpoint_id, external_ref, ticket_id) values (?, ?, ?) on conflict (endpoint_id, external_ref) do update set ticket_id = excluded.ticket_id, created_at = now()',
            [endpoint.id, action.externalRef, ticket.id],
          );
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
    const [u] = await this.em.fork().execute<Array<{ id: string }>>('select id from users where email = lower(?) and not disabled', [email]);
    return u ? this.tickets.userById(u.id) : null;
  }

  private async log(
    endpointId: string,
    req: HookRequest,
    outcome: 'accepted' | 'duplicate' | 'rejected',
    status: number,
    extra: { eventId?: string | null; action?: string | null; ticketId?: string | null; problem?: unknown },
    replayOf: string | null,
  ): Promise<string> {
    const headers = Object.fromEntries(LOGGED_HEADERS.filter((h) => req.headers[h] !== undefined).map((h) => [h, String(req.headers[h]).slice(0, 500)]));
    const body = req.raw.replace(/\u0000/g, '\uFFFD');
    const [row] = await this.em.fork().execute<Array<{ id: string }>>(
      `insert into inbound_requests (endpoint_id, event_id, outcome, status, action, ticket_id, problem, headers, body, body_truncated, replay_of)
       values (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?) returning id::text`,
      [endpointId, extra.eventId ?? null, outcome, status, extra.action ?? null, extra.ticketId ?? null, extra.problem ? JSON.stringify(extra.problem) : null, JSON.stringify(headers), body.slice(0, LOGGED_BODY_CHARS), body.length > LOGGED_BODY_CHARS, replayOf],
    );
    return row.id;
  }
}
