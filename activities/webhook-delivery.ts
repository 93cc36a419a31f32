// Outbound webhooks: queue matching ticket events per subscription, deliver one signed request, give a delivery up and disable failing subscriptions.
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { raw, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/common';
import type { TicketEventListener } from './record-ticket-events';
import { eventIdOf, payloadOf, webhookTypesOf, type WebhookEventType } from '../webhooks/events';
import { signedHeaders } from '../webhooks/signing';
import { guardedLookup, isBlockedAddress } from '../webhooks/ssrf';
import type { SecretBox } from '../platform/secret-box';
import { AuditEntry, WebhookDelivery, WebhookDisabledNotice, WebhookSubscription } from '../platform/db/entities/index';

export interface DeliveryRef {
  subscriptionId: string;
  ticketId: string;
  seq: number;
}

/** Starts (or wakes) the (subscription, ticket) delivery workflow with one more seq; the worker passes a Temporal client call. */
export type EnqueueDelivery = (ref: DeliveryRef) => Promise<void>;

type SubscriptionRow = InferEntity<typeof WebhookSubscription>;
type DeliveryRow = InferEntity<typeof WebhookDelivery>;

/**
 * Hears committed ticket events and writes one delivery per (subscription, ticket, seq), idempotently, before waking
 * the delivery workflow: a listener retried after a crash inserts nothing new and only re-signals, and a delivery
 * already made is skipped by deliverWebhook, so receivers see each event at least once and rarely twice.
 */
export function webhookEventListener(em: EntityManager, enqueue: EnqueueDelivery): TicketEventListener {
  return async ({ ticketId, events, row }) => {
    const subs = await em.fork().find(WebhookSubscription, { enabled: true }, { fields: ['id', 'eventTypes', 'includeInternal'] });
    if (!subs.length) return;
    const rows: Array<Pick<DeliveryRow, 'subscriptionId' | 'ticketId' | 'seq' | 'eventId' | 'eventType' | 'payload'>> = [];
    for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
      const raised = webhookTypesOf(event, row);
      if (!raised.length) continue;
      for (const sub of subs) {
        // Internal comments (agents' notes) reach only subscriptions an admin marked internal.
        if (event.type === 'commented' && event.visibility === 'internal' && !sub.includeInternal) continue;
        const wanted = raised.filter((t) => (sub.eventTypes as string[]).includes(t));
        if (!wanted.length) continue;
        // The most specific type wins (maintenance and problem types come after the generic ticket ones).
        const type = wanted[wanted.length - 1] as WebhookEventType;
        rows.push({ subscriptionId: sub.id, ticketId, seq: event.seq, eventId: eventIdOf(ticketId, event.seq), eventType: type, payload: payloadOf(type, event, row) });
      }
    }
    if (!rows.length) return;
    // One statement; a row already there (a retried listener) is left as it is, delivered or not.
    await em.fork().createQueryBuilder(WebhookDelivery).insert(rows).onConflict(['subscriptionId', 'ticketId', 'seq']).ignore().execute();
    // Subscriptions in parallel, each one's seqs in order (the workflow orders them anyway; this keeps signals cheap).
    const bySub = new Map<string, number[]>();
    for (const { subscriptionId, seq } of rows) bySub.set(subscriptionId, [...(bySub.get(subscriptionId) ?? []), seq]);
    await Promise.all(
      [...bySub].map(async ([subscriptionId, seqs]) => {
        for (const seq of seqs) await enqueue({ subscriptionId, ticketId, seq });
      }),
    );
  };
}

export interface WebhookActivityDeps {
  em: EntityManager;
  box: SecretBox;
  disableAfterFailures: number;
  disableAfterHours: number;
  /** Per-request timeout. */
  timeoutMs?: number;
}

interface Outcome {
  status: number | null;
  error: string | null;
}

const MAX_RESPONSE_BYTES = 1024;

/** One POST, no redirects followed, the connection pinned to an address that passed the SSRF check. */
function post(url: URL, body: string, headers: Record<string, string>, allowPrivate: boolean, timeoutMs: number): Promise<Outcome> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // Node skips the lookup for literal addresses, so they are checked here.
  if (isIP(host) && !allowPrivate && isBlockedAddress(host)) return Promise.resolve({ status: null, error: `blocked address ${host} (private network not allowed)` });
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = lib.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'Guichet-Webhooks/1' },
        lookup: guardedLookup(allowPrivate),
        timeout: timeoutMs,
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < MAX_RESPONSE_BYTES) text += chunk;
        });
        res.on('end', () => {
          const ok = res.statusCode! >= 200 && res.statusCode! < 300;
          const redirect = res.statusCode! >= 300 && res.statusCode! < 400 ? ' (redirects are not followed)' : '';
          resolve({ status: res.statusCode!, error: ok ? null : `HTTP ${res.statusCode}${redirect}${text ? `: ${text.slice(0, MAX_RESPONSE_BYTES)}` : ''}` });
        });
        res.on('error', (err) => resolve({ status: res.statusCode ?? null, error: err.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err: Error & { code?: string }) => resolve({ status: null, error: err.code === 'EBLOCKEDADDRESS' ? `blocked address: ${err.message}` : err.message }));
    req.end(body);
  });
}

export function createWebhookActivities(deps: WebhookActivityDeps) {
  const { em, box } = deps;
  return {
    /** Sends one delivery; throws (so Temporal retries with back-off) unless the receiver answered 2xx. */
    async deliverWebhook(ref: DeliveryRef): Promise<{ skipped?: string; status?: number }> {
      const read = em.fork();
      const d = await read.findOne(WebhookDelivery, { subscriptionId: ref.subscriptionId, ticketId: ref.ticketId, seq: ref.seq }, { fields: ['status', 'eventId', 'payload'] });
      // Whether the previous secret still signs is the database's clock's answer, as the subscription's read shows it.
      const s = d
        ? await read
            .createQueryBuilder(WebhookSubscription, 's')
            .select(['url', 'enabled', 'allowPrivateNetwork', 'secret', 'previousSecret', raw('coalesce(s.previous_secret_until > now(), false) as rotating')])
            .where({ id: ref.subscriptionId })
            .execute<(Pick<SubscriptionRow, 'url' | 'enabled' | 'allowPrivateNetwork' | 'secret' | 'previousSecret'> & { rotating: boolean }) | undefined>('get')
        : undefined;
      // No subscription: deleted since the delivery was read, and its deliveries with it.
      if (!d || !s) return { skipped: 'no such delivery' };
      if (d.status === 'succeeded') return { skipped: 'already delivered' };
      // A disabled subscription keeps its deliveries pending; an admin redelivers them after enabling it again.
      if (!s.enabled) return { skipped: 'subscription disabled' };
      const secrets = [box.open(s.secret), ...(s.previousSecret && s.rotating ? [box.open(s.previousSecret)] : [])];
      const body = JSON.stringify(d.payload);
      const started = performance.now();
      const outcome = await post(new URL(s.url), body, signedHeaders(secrets, d.eventId, body), s.allowPrivateNetwork, deps.timeoutMs ?? 10_000);
      const latency = Math.round(performance.now() - started);
      const ok = outcome.error === null;
      await em.fork().transactional(async (tx) => {
        await tx.nativeUpdate(
          WebhookDelivery,
          { id: d.id },
          {
            attempts: raw('attempts + 1'),
            responseStatus: outcome.status,
            latencyMs: latency,
            lastError: outcome.error,
            lastAttemptAt: raw('now()'),
            ...(ok && { status: 'succeeded', deliveredAt: raw('now()') }),
          },
        );
        // A success resets the failure count; the subscription row is written only when there is something to reset.
        if (ok) await tx.nativeUpdate(WebhookSubscription, { id: ref.subscriptionId, $or: [{ consecutiveFailures: { $gt: 0 } }, { failingSince: { $ne: null } }] }, { consecutiveFailures: 0, failingSince: null });
        else await tx.nativeUpdate(WebhookSubscription, { id: ref.subscriptionId }, { failingSince: raw('coalesce(failing_since, now())') });
      });
      if (!ok) throw ApplicationFailure.retryable(outcome.error!, 'WebhookDeliveryFailed');
      return { status: outcome.status! };
    },

    /** Marks a delivery failed once its retries ran out; too many in a row (or failing too long) disables the subscription. */
    async giveUpWebhook(ref: DeliveryRef & { error: string }): Promise<{ disabled: boolean }> {
      return em.fork().transactional(async (tx) => {
        const changed = await tx.nativeUpdate(
          WebhookDelivery,
          { subscriptionId: ref.subscriptionId, ticketId: ref.ticketId, seq: ref.seq, status: 'pending' },
          { status: 'failed', lastError: raw('coalesce(last_error, ?)', [ref.error]) },
        );
        if (!changed) return { disabled: false };
        // Counted and judged in one statement, by the database's clock that set failing_since.
        const failingLong = raw('coalesce(failing_since < now() - make_interval(hours => ?), false) as "failingLong"', [deps.disableAfterHours]);
        const sub = await tx
          .createQueryBuilder(WebhookSubscription)
          .update({ consecutiveFailures: raw('consecutive_failures + 1'), failingSince: raw('coalesce(failing_since, now())') })
          .where({ id: ref.subscriptionId })
          .returning(['consecutiveFailures', 'ownerId', 'name', failingLong])
          .execute<(Pick<SubscriptionRow, 'consecutiveFailures' | 'ownerId' | 'name'> & { failingLong: boolean }) | undefined>('get');
        if (!sub || (sub.consecutiveFailures < deps.disableAfterFailures && !sub.failingLong)) return { disabled: false };
        const reason = sub.failingLong
          ? `failing for more than ${deps.disableAfterHours} hours without a success`
          : `${sub.consecutiveFailures} deliveries in a row failed after all retries; last error: ${ref.error.slice(0, 300)}`;
        const disabled = await tx.nativeUpdate(WebhookSubscription, { id: ref.subscriptionId, enabled: true }, { enabled: false, disabledReason: reason, disabledAt: raw('now()'), updatedAt: raw('now()') });
        if (!disabled) return { disabled: false };
        const ownerId = sub.ownerId ?? null;
        // The notice row is the hook for telling the owner (a mail notifier picks up rows with notified_at null).
        await tx.insert(WebhookDisabledNotice, { subscriptionId: ref.subscriptionId, ownerId, reason });
        await tx.insert(AuditEntry, {
          action: 'webhook.subscription.disabled',
          target: `/api/webhooks/subscriptions/${ref.subscriptionId}`,
          outcome: 'allowed',
          detail: { subscription: sub.name, reason, ownerId },
        });
        return { disabled: true };
      });
    },
  };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
