// Outbound webhooks: queue matching ticket events per subscription, deliver one signed request, give a delivery up and disable failing subscriptions.
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/common';
import type { TicketEventListener } from './record-ticket-events';
import { eventIdOf, payloadOf, webhookTypesOf, type WebhookEventType } from '../webhooks/events';
import { signedHeaders } from '../webhooks/signing';
import { guardedLookup, isBlockedAddress } from '../webhooks/ssrf';
import type { SecretBox } from '../platform/secret-box';

export interface DeliveryRef {
  subscriptionId: string;
  ticketId: string;
  seq: number;
}

/** Starts (or wakes) the (subscription, ticket) delivery workflow with one more seq; the worker passes a Temporal client call. */
export type EnqueueDelivery = (ref: DeliveryRef) => Promise<void>;

interface SubscriptionRow {
  id: string;
  event_types: string[];
  include_internal: boolean;
}

/**
 * Hears committed ticket events and writes one delivery per (subscription, ticket, seq), idempotently, before waking
 * the delivery workflow: a listener retried after a crash inserts nothing new and only re-signals, and a delivery
 * already made is skipped by deliverWebhook, so receivers see each event at least once and rarely twice.
 */
export function webhookEventListener(em: EntityManager, enqueue: EnqueueDelivery): TicketEventListener {
  return async ({ ticketId, events, row }) => {
    const subs = await em.fork().execute<SubscriptionRow[]>('select id, event_types, include_internal from webhook_subscriptions where enabled');
    if (!subs.length) return;
    const rows: unknown[][] = [];
    for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
      const raised = webhookTypesOf(event, row);
      if (!raised.length) continue;
      for (const sub of subs) {
        // Internal comments (agents' notes) reach only subscriptions an admin marked internal.
        if (event.type === 'commented' && event.visibility === 'internal' && !sub.include_internal) continue;
        const wanted = raised.filter((t) => sub.event_types.includes(t));
        if (!wanted.length) continue;
        // The most specific type wins (maintenance and problem types come after the generic ticket ones).
        const type = wanted[wanted.length - 1] as WebhookEventType;
        rows.push([sub.id, ticketId, event.seq, eventIdOf(ticketId, event.seq), type, JSON.stringify(payloadOf(type, event, row))]);
      }
    }
    if (!rows.length) return;
    await em.fork().execute(
      `insert into webhook_deliveries (subscription_id, ticket_id, seq, event_id, event_type, payload)
       values ${rows.map(() => '(?, ?, ?, ?, ?, ?::jsonb)').join(', ')} on conflict (subscription_id, ticket_id, seq) do nothing`,
      rows.flat(),
    );
    // Subscriptions in parallel, each one's seqs in order (the workflow orders them anyway; this keeps signals cheap).
    const bySub = new Map<string, number[]>();
    for (const [subscriptionId, , seq] of rows) bySub.set(subscriptionId as string, [...(bySub.get(subscriptionId as string) ?? []), seq as number]);
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

interface DeliveryRow {
  id: string;
  status: string;
  event_id: string;
  payload: unknown;
  url: string;
  enabled: boolean;
  allow_private_network: boolean;
  secret: string;
  previous_secret: string | null;
  previous_valid: boolean;
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
      const [d] = await em.fork().execute<DeliveryRow[]>(
        `select d.id::text, d.status, d.event_id, d.payload, s.url, s.enabled, s.allow_private_network, s.secret, s.previous_secret,
           coalesce(s.previous_secret_until > now(), false) as previous_valid
         from webhook_deliveries d join webhook_subscriptions s on s.id = d.subscription_id
         where d.subscription_id = ? and d.ticket_id = ? and d.seq = ?`,
        [ref.subscriptionId, ref.ticketId, ref.seq],
      );
      if (!d) return { skipped: 'no such delivery' };
      if (d.status === 'succeeded') return { skipped: 'already delivered' };
      // A disabled subscription keeps its deliveries pending; an admin redelivers them after enabling it again.
      if (!d.enabled) return { skipped: 'subscription disabled' };
      const secrets = [box.open(d.secret), ...(d.previous_secret && d.previous_valid ? [box.open(d.previous_secret)] : [])];
      const body = JSON.stringify(d.payload);
      const started = performance.now();
      const outcome = await post(new URL(d.url), body, signedHeaders(secrets, d.event_id, body), d.allow_private_network, deps.timeoutMs ?? 10_000);
      const latency = Math.round(performance.now() - started);
      const ok = outcome.error === null;
      await em.fork().transactional(async (tx) => {
        await tx.execute(
          `update webhook_deliveries set attempts = attempts + 1, response_status = ?, latency_ms = ?, last_error = ?, last_attempt_at = now(),
             status = case when ? then 'succeeded' else status end, delivered_at = case when ? then now() else delivered_at end
           where id = ?`,
          [outcome.status, latency, outcome.error, ok, ok, d.id],
        );
        await tx.execute(
          ok
            ? 'update webhook_subscriptions set consecutive_failures = 0, failing_since = null where id = ? and (consecutive_failures > 0 or failing_since is not null)'
            : 'update webhook_subscriptions set failing_since = coalesce(failing_since, now()) where id = ?',
          [ref.subscriptionId],
        );
      });
      if (!ok) throw ApplicationFailure.retryable(outcome.error!, 'WebhookDeliveryFailed');
      return { status: outcome.status! };
    },

    /** Marks a delivery failed once its retries ran out; too many in a row (or failing too long) disables the subscription. */
    async giveUpWebhook(ref: DeliveryRef & { error: string }): Promise<{ disabled: boolean }> {
      return em.fork().transactional(async (tx) => {
        const changed = await tx.execute(
          `update webhook_deliveries set status = 'failed', last_error = coalesce(last_error, ?) where subscription_id = ? and ticket_id = ? and seq = ? and status = 'pending' returning id`,
          [ref.error, ref.subscriptionId, ref.ticketId, ref.seq],
        );
        if (!changed.length) return { disabled: false };
        const [sub] = await tx.execute<Array<{ consecutive_failures: number; failing_long: boolean; owner_id: string | null; name: string }>>(
          `update webhook_subscriptions set consecutive_failures = consecutive_failures + 1, failing_since = coalesce(failing_since, now())
           where id = ? returning consecutive_failures, coalesce(failing_since < now() - make_interval(hours => ?), false) as failing_long, owner_id, name`,
          [ref.subscriptionId, deps.disableAfterHours],
        );
        if (!sub || (sub.consecutive_failures < deps.disableAfterFailures && !sub.failing_long)) return { disabled: false };
        const reason = sub.failing_long
          ? `failing for more than ${deps.disableAfterHours} hours without a success`
          : `${sub.consecutive_failures} deliveries in a row failed after all retries; last error: ${ref.error.slice(0, 300)}`;
        const disabled = await tx.execute('update webhook_subscriptions set enabled = false, disabled_reason = ?, disabled_at = now(), updated_at = now() where id = ? and enabled returning id', [reason, ref.subscriptionId]);
        if (!disabled.length) return { disabled: false };
        // The notice row is the hook for telling the owner (a mail notifier picks up rows with notified_at null).
        await tx.execute('insert into webhook_disabled_notices (subscription_id, owner_id, reason) values (?, ?, ?)', [ref.subscriptionId, sub.owner_id, reason]);
        await tx.execute(
          `insert into audit_log (actor_id, actor_role, via, action, target, outcome, detail) values (null, null, null, 'webhook.subscription.disabled', ?, 'allowed', ?::jsonb)`,
          [`/api/webhooks/subscriptions/${ref.subscriptionId}`, JSON.stringify({ subscription: sub.name, reason, ownerId: sub.owner_id })],
        );
        return { disabled: true };
      });
    },
  };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
