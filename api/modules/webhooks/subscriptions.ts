// Outbound subscriptions (admins): create with a secret shown once, rotate it, enable/disable, read the delivery log, redeliver.
import { randomUUID } from 'node:crypto';
import { raw, type EntityData, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WebhookDelivery, WebhookSubscription } from '../../../platform/db/entities/index';
import { notFound, unprocessable } from '../../http/problem';
import type { AuthUser } from '../auth/types';
import { newSecret } from '../../../webhooks/signing';
import type { SecretBox } from '../../../platform/secret-box';
import { urlRefusal } from '../../../webhooks/ssrf';
import type { DeliveryTarget } from '../../../webhooks/enqueue';
import type { CreateSubscriptionBody, DeliveriesQuery, PatchSubscriptionBody, RedeliverBody, RotateBody } from './schemas';

type SubscriptionRow = InferEntity<typeof WebhookSubscription>;
/** A subscription as the API shows it (never its secrets), and whether its previous secret still signs. */
type ShownRow = Omit<SubscriptionRow, 'secret' | 'previousSecret' | 'updatedAt'> & { rotating: boolean | null };
type DeliveryRow = InferEntity<typeof WebhookDelivery>;

const SHOWN = ['id', 'name', 'url', 'eventTypes', 'includeInternal', 'allowPrivateNetwork', 'enabled', 'disabledReason', 'disabledAt', 'consecutiveFailures', 'failingSince', 'previousSecretUntil', 'ownerId', 'createdAt'] as const;

const isoOrNull = (v: Date | null | undefined) => v?.toISOString() ?? null;

function present(r: ShownRow) {
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    eventTypes: r.eventTypes as string[],
    includeInternal: r.includeInternal,
    allowPrivateNetwork: r.allowPrivateNetwork,
    enabled: r.enabled,
    disabledReason: r.disabledReason ?? null,
    disabledAt: isoOrNull(r.disabledAt),
    consecutiveFailures: r.consecutiveFailures,
    failingSince: isoOrNull(r.failingSince),
    rotatingUntil: r.rotating ? isoOrNull(r.previousSecretUntil) : null,
    ownerId: r.ownerId ?? null,
    createdAt: r.createdAt.toISOString(),
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
    await this.em.fork().insert(WebhookSubscription, {
      id,
      name: body.name.trim(),
      url: body.url,
      eventTypes: body.eventTypes,
      includeInternal: body.includeInternal ?? false,
      allowPrivateNetwork: body.allowPrivateNetwork ?? false,
      secret: this.box.seal(secret),
      ownerId: user.id,
    });
    return { subscription: await this.get(id), secret };
  }

  async list() {
    const rows = await this.shown().orderBy({ createdAt: 'desc' }).execute<ShownRow[]>();
    return rows.map(present);
  }

  async get(id: string) {
    const row = await this.shown().where({ id }).execute<ShownRow | undefined>('get');
    if (!row) throw notFound(`no webhook subscription ${id}`);
    return present(row);
  }

  /** Whether the previous secret still signs is the database's clock's answer, as when a delivery is signed. */
  private shown() {
    return this.em
      .fork()
      .createQueryBuilder(WebhookSubscription, 's')
      .select([...SHOWN, raw('s.previous_secret_until > now() as rotating')]);
  }

  async patch(id: string, body: PatchSubscriptionBody) {
    const current = await this.get(id);
    const url = body.url ?? current.url;
    const allowPrivate = body.allowPrivateNetwork ?? current.allowPrivateNetwork;
    if (body.url !== undefined || body.allowPrivateNetwork === false) await this.checkUrl(url, allowPrivate);
    const changes: EntityData<SubscriptionRow> = { updatedAt: raw('now()') };
    if (body.name !== undefined) changes.name = body.name.trim();
    if (body.url !== undefined) changes.url = body.url;
    if (body.eventTypes !== undefined) changes.eventTypes = body.eventTypes;
    if (body.includeInternal !== undefined) changes.includeInternal = body.includeInternal;
    if (body.allowPrivateNetwork !== undefined) changes.allowPrivateNetwork = body.allowPrivateNetwork;
    if (body.enabled === true) Object.assign(changes, { enabled: true, disabledReason: null, disabledAt: null, consecutiveFailures: 0, failingSince: null });
    // Disabling again keeps the first reason and time (the automatic one, say).
    if (body.enabled === false) Object.assign(changes, { enabled: false, disabledReason: raw(`coalesce(disabled_reason, 'disabled by an admin')`), disabledAt: raw('coalesce(disabled_at, now())') });
    await this.em.fork().nativeUpdate(WebhookSubscription, { id }, changes);
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    if (!(await this.em.fork().nativeDelete(WebhookSubscription, { id }))) throw notFound(`no webhook subscription ${id}`);
  }

  /** A new secret, shown once; the old one keeps signing beside it (two signatures) for graceHours so receivers can switch. */
  async rotate(id: string, body: RotateBody) {
    await this.get(id);
    const secret = newSecret();
    const grace = body.graceHours ?? 24;
    await this.em.fork().nativeUpdate(
      WebhookSubscription,
      { id },
      {
        // previous_secret = secret: the value before this update, as SQL reads every right-hand side.
        ...(grace > 0 ? { previousSecret: raw('secret'), previousSecretUntil: raw('now() + make_interval(hours => ?)', [grace]) } : { previousSecret: null, previousSecretUntil: null }),
        secret: this.box.seal(secret),
        updatedAt: raw('now()'),
      },
    );
    return { subscription: await this.get(id), secret };
  }

  async deliveries(id: string, q: DeliveriesQuery) {
    await this.get(id);
    const rows = await this.em
      .fork()
      .find(WebhookDelivery, { subscriptionId: id, ...(q.status && { status: q.status }) }, { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], limit: q.limit ? Number(q.limit) : 100 });
    return rows.map((r) => ({
      id: String(r.id),
      ticketId: r.ticketId,
      seq: r.seq,
      eventId: r.eventId,
      eventType: r.eventType,
      status: r.status,
      attempts: r.attempts,
      responseStatus: r.responseStatus ?? null,
      latencyMs: r.latencyMs ?? null,
      lastError: r.lastError ?? null,
      createdAt: r.createdAt.toISOString(),
      lastAttemptAt: isoOrNull(r.lastAttemptAt),
      deliveredAt: isoOrNull(r.deliveredAt),
      payload: r.payload,
    }));
  }

  /** Sends one delivery again, or every delivery created since a time, in seq order per ticket (same event ids: receivers de-duplicate). */
  async redeliver(id: string, body: RedeliverBody): Promise<{ queued: number }> {
    const sub = await this.get(id);
    if (!sub.enabled) throw unprocessable('enable the subscription before redelivering', [{ pointer: '/', message: 'subscription disabled' }], 'subscription-disabled');
    const rows = await this.em
      .fork()
      .createQueryBuilder(WebhookDelivery)
      .update({ status: 'pending' })
      // `since` as given: the database reads its microseconds, which a JavaScript Date would drop.
      .where({ subscriptionId: id, ...(body.deliveryId !== undefined ? { id: Number(body.deliveryId) } : { createdAt: { $gte: body.since! } }) })
      .returning(['ticketId', 'seq'])
      .execute<Array<Pick<DeliveryRow, 'ticketId' | 'seq'>>>('all');
    if (body.deliveryId !== undefined && !rows.length) throw notFound(`no delivery ${body.deliveryId} for this subscription`);
    rows.sort((a, b) => (a.ticketId === b.ticketId ? a.seq - b.seq : a.ticketId < b.ticketId ? -1 : 1));
    for (const r of rows) await this.enqueue({ subscriptionId: id, ticketId: r.ticketId, seq: r.seq });
    return { queued: rows.length };
  }
}
