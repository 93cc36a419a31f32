// Webhooks store: outbound subscriptions with their delivery log, inbound endpoints with their request log (admins only).
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { http } from '../api/http';
import type { Delivery, Endpoint, InboundMapping, InboundRequest, NewSubscription, Subscription } from '../api/generated';

// The API's own list, so the form always offers exactly what the API accepts.
export { webhookEventTypeValues as WEBHOOK_EVENT_TYPES } from '../api/generated';

export type { Delivery, Endpoint, InboundRequest, NewSubscription, Subscription } from '../api/generated';

export const useWebhooksStore = defineStore('webhooks', () => {
  const subscriptions = ref<Subscription[]>([]);
  const endpoints = ref<Endpoint[]>([]);
  const deliveries = ref<Delivery[]>([]);
  const requests = ref<InboundRequest[]>([]);

  async function fetchSubscriptions(): Promise<void> {
    subscriptions.value = (await http.get('/webhooks/subscriptions')).items;
  }

  /** Returns the signing secret, which the server shows only in this answer. */
  async function createSubscription(body: NewSubscription): Promise<string> {
    const res = await http.post('/webhooks/subscriptions', { body });
    await fetchSubscriptions();
    return res.secret;
  }

  async function updateSubscription(id: string, patch: Partial<NewSubscription> & { enabled?: boolean }): Promise<void> {
    await http.patch('/webhooks/subscriptions/{id}', { path: { id }, body: patch });
    await fetchSubscriptions();
  }

  async function rotateSubscription(id: string): Promise<string> {
    const res = await http.post('/webhooks/subscriptions/{id}/rotate', { path: { id }, body: { graceHours: 24 } });
    await fetchSubscriptions();
    return res.secret;
  }

  async function deleteSubscription(id: string): Promise<void> {
    await http.delete('/webhooks/subscriptions/{id}', { path: { id } });
    await fetchSubscriptions();
  }

  async function fetchDeliveries(id: string): Promise<void> {
    deliveries.value = (await http.get('/webhooks/subscriptions/{id}/deliveries', { path: { id }, query: { limit: '200' } })).items;
  }

  async function redeliver(id: string, what: { deliveryId: string } | { since: string }): Promise<number> {
    const res = await http.post('/webhooks/subscriptions/{id}/redeliver', { path: { id }, body: what });
    await fetchDeliveries(id);
    return res.queued;
  }

  async function fetchEndpoints(): Promise<void> {
    endpoints.value = (await http.get('/webhooks/endpoints')).items;
  }

  async function createEndpoint(body: { name: string; auth: 'hmac' | 'bearer'; mapping: InboundMapping }): Promise<string> {
    const res = await http.post('/webhooks/endpoints', { body });
    await fetchEndpoints();
    return res.secret;
  }

  async function updateEndpoint(id: string, patch: { name?: string; mapping?: InboundMapping; enabled?: boolean }): Promise<void> {
    await http.patch('/webhooks/endpoints/{id}', { path: { id }, body: patch });
    await fetchEndpoints();
  }

  async function rotateEndpoint(id: string): Promise<string> {
    return (await http.post('/webhooks/endpoints/{id}/rotate', { path: { id } })).secret;
  }

  async function deleteEndpoint(id: string): Promise<void> {
    await http.delete('/webhooks/endpoints/{id}', { path: { id } });
    await fetchEndpoints();
  }

  async function fetchRequests(id: string): Promise<void> {
    requests.value = (await http.get('/webhooks/endpoints/{id}/requests', { path: { id }, query: { limit: '200' } })).items;
  }

  async function replayRequest(endpointId: string, requestId: string): Promise<void> {
    try {
      await http.post('/webhooks/endpoints/{id}/requests/{request}/replay', { path: { id: endpointId, request: requestId } });
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
