// Outbound subscriptions (admins): create with a secret shown once, rotate it, enable/disable, read the delivery log, redeliver.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound, unprocessable } from '../../http/problem';
import { iso } from '../../../platform/db/time';
import type { AuthUser } from '../auth/types';
import { newSecret } from '../../../webhooks/signing';
import type { SecretBox } from '../../../platform/secret-box';
import { urlRefusal } from '../../../webhooks/ssrf';
import type { DeliveryTarget } from '../../../webhooks/enqueue';
import type { CreateSubscriptionBody, DeliveriesQuery, PatchSubscriptionBody, RedeliverBody, RotateBody } from './schemas';

interface SubscriptionRow {
  id: string;
  name: string;
  url: string;
  event_types: string[];
  include_internal: boolean;
  allow_private_network: boolean;
  enabled: boolean;
  disabled_reason: string | null;
  disabled_at: string | Date | null;
  consecutive_failures: number;
  failing_since: string | Date | null;
  previous_secret_until: string | Date | null;
  owner_id: string | null;
  created_at: string | Date;
}

const COLUMNS = `id, name, url, event_types, include_internal, allow_private_network, enabled, disabled_reason, disabled_at, consecutive_failures,
  failing_since, case when previous_secret_until > now() then previous_secret_until end as previous_secret_until, owner_id, created_at`;

const isoOrNull = (v: string | Date | null) => (v === null ? null : iso(v));

function present(r: SubscriptionRow) {
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    eventTypes: r.event_types,
    includeInternal: r.include_internal,
    allowPrivateNetwork: r.allow_private_network,
    enabled: r.enabled,
    disabledReason: r.disabled_reason,
    disabledAt: isoOrNull(r.disabled_at),
    consecutiveFailures: r.consecutive_failures,
    failingSince: isoOrNull(r.failing_since),
    rotatingUntil: isoOrNull(r.previous_secret_until),
    ownerId: r.owner_id,
    createdAt: iso(r.created_at),
  };
}

export class SubscriptionService {
  constructor(
    private readonly em: EntityManager,
    private readonly box: SecretBox,
    private readonly enqueue: (ref: DeliveryTarget) => Promise<void>,
  ) {}

  private async checkUrl(url: string, allowPrivate: boolean): Promise<void> {
    const refusal = await urlRefusal(url, allowPrivate);
    if (refusal) throw unprocessable(`the URL cannot receive webhooks: ${refusal}`, [{ pointer: '/url', message: refusal }], 'webhook-url-refused');
  }

  async create(user: AuthUser, body: CreateSubscriptionBody) {
    await this.checkUrl(body.url, body.allowPrivateNetwork ?? false);
    const id = randomUUID();
    const secret = newSecret();
    await this.em
      .fork()
      .execute(
        'insert into webhook_subscriptions (id, name, url, event_types, include_internal, allow_private_network, secret, owner_id) values (?, ?, ?, ?::jsonb, ?, ?, ?, ?)',
        [id, body.name.trim(), body.url, JSON.stringify(body.eventTypes), body.includeInternal ?? false, body.allowPrivateNetwork ?? false, this.box.seal(secret), user.id],
      );
    return { subscription: await this.get(id), secret };
  }

  async list() {
    const rows = await this.em.fork().execute<SubscriptionRow[]>(`select ${COLUMNS} from webhook_subscriptions order by created_at desc`);
    return rows.map(present);
  }

  async get(id: string) {
    const [row] = await this.em.fork().execute<SubscriptionRow[]>(`select ${COLUMNS} from webhook_subscriptions where id = ?`, [id]);
    if (!row) throw notFound(`no webhook subscription ${id}`);
    return present(row);
  }

  async patch(id: string, body: PatchSubscriptionBody) {
    const current = await this.get(id);
    const url = body.url ?? current.url;
    const allowPrivate = body.allowPrivateNetwork ?? current.allowPrivateNetwork;
    if (body.url !== undefined || body.allowPrivateNetwork === false) await this.checkUrl(url, allowPrivate);
    const sets: string[] = ['updated_at = now()'];
    const params: unknown[] = [];
    if (body.name !== undefined) {
      sets.push('name = ?');
      params.push(body.name.trim());
    }
    if (body.url !== undefined) {
      sets.push('url = ?');
      params.push(body.url);
    }
    if (body.eventTypes !== undefined) {
      sets.push('event_types = ?::jsonb');
      params.push(JSON.stringify(body.eventTypes));
    }
    if (body.includeInternal !== undefined) {
      sets.push('include_internal = ?');
      params.push(body.includeInternal);
    }
    if (body.allowPrivateNetwork !== undefined) {
      sets.push('allow_private_network = ?');
      params.push(body.allowPrivateNetwork);
    }
    if (body.enabled === true) sets.push('enabled = true, disabled_reason = null, disabled_at = null, consecutive_failures = 0, failing_since = null');
    if (body.enabled === false) sets.push(`enabled = false, disabled_reason = coalesce(disabled_reason, 'disabled by an admin'), disabled_at = coalesce(disabled_at, now())`);
    await this.em.fork().execute(`update webhook_subscriptions set ${sets.join(', ')} where id = ?`, [...params, id]);
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    const rows = await this.em.fork().execute('delete from webhook_subscriptions where id = ? returning id', [id]);
    if (!rows.length) throw notFound(`no webhook subscription ${id}`);
  }

  /** A new secret, shown once; the old one keeps signing beside it (two signatures) for graceHours so receivers can switch. */
  async rotate(id: string, body: RotateBody) {
    await this.get(id);
    const secret = newSecret();
    const grace = body.graceHours ?? 24;
    await this.em
      .fork()
      .execute(
        `update webhook_subscriptions set previous_secret = case when ? > 0 then secret end, previous_secret_until = case when ? > 0 then now() + make_interval(hours => ?) end,
           secret = ?, updated_at = now() where id = ?`,
        [grace, grace, grace, this.box.seal(secret), id],
      );
    return { subscription: await this.get(id), secret };
  }

  async deliveries(id: string, q: DeliveriesQuery) {
    await this.get(id);
    // A raw log row, read once into the typed answer below.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const rows = await this.em.fork().execute<Array<Record<string, any>>>(
      `select id::text, ticket_id, seq, event_id, event_type, status, attempts, response_status, latency_ms, last_error, created_at, last_attempt_at, delivered_at, payload
       from webhook_deliveries where subscription_id = ? ${q.status ? 'and status = ?' : ''} order by created_at desc, id desc limit ?`,
      [id, ...(q.status ? [q.status] : []), q.limit ? Number(q.limit) : 100],
    );
    return rows.map((r) => ({
      id: r.id,
      ticketId: r.ticket_id,
      seq: r.seq,
      eventId: r.event_id,
      eventType: r.event_type,
      status: r.status,
      attempts: r.attempts,
      responseStatus: r.response_status,
      latencyMs: r.latency_ms,
      lastError: r.last_error,
      createdAt: iso(r.created_at),
      lastAttemptAt: isoOrNull(r.last_attempt_at),
      deliveredAt: isoOrNull(r.delivered_at),
      payload: r.payload,
    }));
  }

  /** Sends one delivery again, or every delivery created since a time, in seq order per ticket (same event ids: receivers de-duplicate). */
  async redeliver(id: string, body: RedeliverBody): Promise<{ queued: number }> {
    const sub = await this.get(id);
    if (!sub.enabled) throw unprocessable('enable the subscription before redelivering', [{ pointer: '/', message: 'subscription disabled' }], 'subscription-disabled');
    const rows = await this.em.fork().execute<Array<{ ticket_id: string; seq: number }>>(
      body.deliveryId !== undefined
        ? `update webhook_deliveries set status = 'pending' where subscription_id = ? and id = ? returning ticket_id, seq`
        : `update webhook_deliveries set status = 'pending' where subscription_id = ? and created_at >= ? returning ticket_id, seq`,
      [id, body.deliveryId ?? body.since],
    );
    if (body.deliveryId !== undefined && !rows.length) throw notFound(`no delivery ${body.deliveryId} for this subscription`);
    rows.sort((a, b) => (a.ticket_id === b.ticket_id ? a.seq - b.seq : a.ticket_id < b.ticket_id ? -1 : 1));
    for (const r of rows) await this.enqueue({ subscriptionId: id, ticketId: r.ticket_id, seq: r.seq });
    return { queued: rows.length };
  }
}
