// Maintenance store: assets, plans with their previews and commands, the calendar, and work-order checklists.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api } from '../api/client';

export type Criticality = 'low' | 'medium' | 'high' | 'critical';
export interface Asset {
  id: string;
  name: string;
  kind: 'equipment' | 'site' | 'service';
  category: string;
  location: string;
  ownerGroup: string | null;
  criticality: Criticality;
  fields: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}
export interface TicketSummary {
  id: string;
  number: string;
  type: string;
  title: string;
  state: string;
  stateCategory: string;
  priority: string;
  createdAt: string;
  resolvedAt: string | null;
}
export interface AssetDetail {
  asset: Asset;
  openTickets: TicketSummary[];
  history: TicketSummary[];
  plans: Array<{ id: string; name: string; status: string; nextDueAt: string | null }>;
}
export interface ChecklistItemTemplate {
  id: string;
  label: string;
  kind: 'check' | 'reading' | 'note';
  mandatory: boolean;
  unit?: string | null;
}
export type Schedule = { kind: 'rrule'; rrule: string } | { kind: 'interval'; intervalDays: number };
export interface PlanInput {
  name: string;
  assetIds: string[];
  schedule: Schedule;
  start: string;
  endDate: string | null;
  timeZone: string;
  leadDays: number;
  checklist: ChecklistItemTemplate[];
  ownerGroup: string | null;
  priority: Criticality;
}
export interface WorkOrder {
  ticketId: string;
  number: string;
  planId: string;
  planName: string;
  dueAt: string;
  state: string | null;
  status: 'planned' | 'open' | 'overdue' | 'done' | 'done_late';
  resolvedAt: string | null;
  assetIds: string[];
}
export interface Plan extends PlanInput {
  id: string;
  status: 'active' | 'paused' | 'ended';
  nextDueAt: string | null;
  upcoming?: Array<{ occurrence: string; dueAt: string }>;
  workOrders?: WorkOrder[];
}
export interface ChecklistEntry extends ChecklistItemTemplate {
  done: boolean;
  reading: number | null;
  note: string | null;
  doneAt: string | null;
}
export interface Checklist {
  ticketId: string;
  items: ChecklistEntry[];
  complete: boolean;
}

export const useMaintenanceStore = defineStore('maintenance', () => {
  const assets = ref<Asset[]>([]);
  const plans = ref<Plan[]>([]);

  async function fetchAssets(q = ''): Promise<Asset[]> {
    const page = await api.get<{ items: Asset[] }>(`/assets${q ? `?q=${encodeURIComponent(q)}` : ''}`);
    assets.value = page.items;
    return page.items;
  }
  const fetchAsset = (id: string) => api.get<AssetDetail>(`/assets/${encodeURIComponent(id)}`);
  const createAsset = (body: Partial<Asset>) => api.post<Asset>('/assets', body);
  const updateAsset = (id: string, body: Partial<Asset>) => api.patch<Asset>(`/assets/${encodeURIComponent(id)}`, body);

  async function fetchPlans(): Promise<Plan[]> {
    plans.value = (await api.get<{ items: Plan[] }>('/maintenance/plans')).items;
    return plans.value;
  }
  const fetchPlan = (id: string) => api.get<Plan>(`/maintenance/plans/${encodeURIComponent(id)}`);
  const createPlan = (body: PlanInput) => api.post<Plan>('/maintenance/plans', body);
  const updatePlan = (id: string, body: PlanInput) => api.put<Plan>(`/maintenance/plans/${encodeURIComponent(id)}`, body);
  const commandPlan = (id: string, command: 'pause' | 'resume' | 'skip' | 'postpone' | 'stop', body: Record<string, unknown> = {}) =>
    api.post<Plan>(`/maintenance/plans/${encodeURIComponent(id)}/${command}`, body);
  const previewDates = (body: { schedule: Schedule; start: string; endDate: string | null; timeZone: string; count: number }) =>
    api.post<{ dates: string[]; dependsOnCompletion: boolean }>('/maintenance/preview', body);

  const fetchCalendar = async (from: string, to: string) => (await api.get<{ items: WorkOrder[] }>(`/maintenance/calendar?from=${from}&to=${to}`)).items;
  const fetchOverdue = async () => (await api.get<{ items: WorkOrder[] }>('/maintenance/overdue')).items;
  const fetchCompliance = async (by: 'plan' | 'asset' | 'group') =>
    (await api.get<{ items: Array<{ key: string; label: string; due: number; onTime: number; rate: number | null }> }>(`/maintenance/compliance?by=${by}`)).items;

  const fetchChecklist = (ticketId: string) => api.get<Checklist>(`/maintenance/work-orders/${encodeURIComponent(ticketId)}/checklist`);
  const tickItem = (ticketId: string, itemId: string, body: { done: boolean; reading?: number | null; note?: string | null }) =>
    api.put<Checklist>(`/maintenance/work-orders/${encodeURIComponent(ticketId)}/checklist/${encodeURIComponent(itemId)}`, body);
  const openIncident = (ticketId: string, body: { title: string; itemId?: string; description?: string }) =>
    api.post<{ id: string; number: string }>(`/maintenance/work-orders/${encodeURIComponent(ticketId)}/incident`, body);

  function reset(): void {
    assets.value = [];
    plans.value = [];
  }

  return {
    assets,
    plans,
    fetchAssets,
    fetchAsset,
    createAsset,
    updateAsset,
    fetchPlans,
    fetchPlan,
    createPlan,
    updatePlan,
    commandPlan,
    previewDates,
    fetchCalendar,
    fetchOverdue,
    fetchCompliance,
    fetchChecklist,
    tickItem,
    openIncident,
    reset,
  };
});
