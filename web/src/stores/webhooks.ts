// Webhooks store: outbound subscriptions with their delivery log, inbound endpoints with their request log (admins only).
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api } from '../api/client';

// The API's own list, so the form always offers exactly what the API accepts.
export { WEBHOOK_EVENT_TYPES } from '../../../webhooks/event-types';

export interface Subscription {
  id: string;
  name: string;
  url: string;
  eventTypes: string[];
  includeInternal: boolean;
  allowPrivateNetwork: boolean;
  enabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
  failingSince: string | null;
  rotatingUntil: string | null;
  createdAt: string;
}

export interface Delivery {
  id: string;
  ticketId: string;
  seq: number;
  eventId: string;
  eventType: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  responseStatus: number | null;
  latencyMs: number | null;
  lastError: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
}

export interface Endpoint {
  id: string;
  slug: string;
  name: string;
  auth: 'hmac' | 'bearer';
  mapping: unknown;
  enabled: boolean;
  url: string;
  createdAt: string;
}

export interface InboundRequest {
  id: string;
  eventId: string | null;
  receivedAt: string;
  outcome: 'accepted' | 'duplicate' | 'rejected';
  status: number;
  action: string | null;
  ticketId: string | null;
  problem: { detail?: string } | null;
  body: string;
  bodyTruncated: boolean;
}

export interface NewSubscription {
  name: string;
  url: string;
  eventTypes: string[];
  includeInternal: boolean;
  allowPrivateNetwork: boolean;
}

export const useWebhooksStore = defineStore('webhooks', () => {
  const subscriptions = ref<Subscription[]>([]);
  const endpoints = ref<Endpoint[]>([]);
  const deliveries = ref<Delivery[]>([]);
  const requests = ref<InboundRequest[]>([]);

  async function fetchSubscriptions(): Promise<void> {
    subscriptions.value = (await api.get<{ items: Subscription[] }>('/webhooks/subscriptions')).items;
  }

  /** Returns the signing secret, which the server shows only in this answer. */
  async function createSubscription(body: NewSubscription): Promise<string> {
    const res = await api.post<{ subscription: Subscription; secret: string }>('/webhooks/subscriptions', body);
    await fetchSubscriptions();
    return res.secret;
  }

  async function updateSubscription(id: string, patch: Partial<NewSubscription> & { enabled?: boolean }): Promise<void> {
    await api.patch(`/webhooks/subscriptions/${id}`, patch);
    await fetchSubscriptions();
  }

  async function rotateSubscription(id: string): Promise<string> {
    const res = await api.post<{ secret: string }>(`/webhooks/subscriptions/${id}/rotate`, { graceHours: 24 });
    await fetchSubscriptions();
    return res.secret;
  }

  async function deleteSubscription(id: string): Promise<void> {
    await api.delete(`/webhooks/subscriptions/${id}`);
    await fetchSubscriptions();
  }

  async function fetchDeliveries(id: string): Promise<void> {
    deliveries.value = (await api.get<{ items: Delivery[] }>(`/webhooks/subscriptions/${id}/deliveries?limit=200`)).items;
  }

  async function redeliver(id: string, what: { deliveryId: string } | { since: string }): Promise<number> {
    const res = await api.post<{ queued: number }>(`/webhooks/subscriptions/${id}/redeliver`, what);
    await fetchDeliveries(id);
    return res.queued;
  }

  async function fetchEndpoints(): Promise<void> {
    endpoints.value = (await api.get<{ items: Endpoint[] }>('/webhooks/endpoints')).items;
  }

  async function createEndpoint(body: { name: string; auth: 'hmac' | 'bearer'; mapping: unknown }): Promise<string> {
    const res = await api.post<{ endpoint: Endpoint; secret: string }>('/webhooks/endpoints', body);
    await fetchEndpoints();
    return res.secret;
  }

  async function updateEndpoint(id: string, patch: { name?: string; mapping?: unknown; enabled?: boolean }): Promise<void> {
    await api.patch(`/webhooks/endpoints/${id}`, patch);
    await fetchEndpoints();
  }

  async function rotateEndpoint(id: string): Promise<string> {
    return (await api.post<{ secret: string }>(`/webhooks/endpoints/${id}/rotate`)).secret;
  }

  async function deleteEndpoint(id: string): Promise<void> {
    await api.delete(`/webhooks/endpoints/${id}`);
    await fetchEndpoints();
  }

  async function fetchRequests(id: string): Promise<void> {
    requests.value = (await api.get<{ items: InboundRequest[] }>(`/webhooks/endpoints/${id}/requests?limit=200`)).items;
  }

  async function replayRequest(endpointId: string, requestId: string): Promise<void> {
    try {
      await api.post(`/webhooks/endpoints/${endpointId}/requests/${requestId}/replay`);
    } finally {
      await fetchRequests(endpointId);
    }
  }

  return {
    subscriptions,
    endpoints,
    deliveries,
    requests,
    fetchSubscriptions,
    createSubscription,
    updateSubscription,
    rotateSubscription,
    deleteSubscription,
    fetchDeliveries,
    redeliver,
    fetchEndpoints,
    createEndpoint,
    updateEndpoint,
    rotateEndpoint,
    deleteEndpoint,
    fetchRequests,
    replayRequest,
  };
});
