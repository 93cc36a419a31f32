// Maintenance store: assets, plans with their previews and commands, the calendar, and work-order checklists.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { http } from '../api/http';
import type { Asset, AssetInput, AssetPatch, Plan, PlanInput, Schedule } from '../api/generated';

export type {
  Asset, AssetDetail, AssetTicket as TicketSummary, Checklist, ChecklistEntry, ChecklistItem as ChecklistItemTemplate, Plan, PlanDetail, PlanInput, Schedule, WorkOrder,
} from '../api/generated';
export type Criticality = Asset['criticality'];

export const useMaintenanceStore = defineStore('maintenance', () => {
  const assets = ref<Asset[]>([]);
  const plans = ref<Plan[]>([]);

  async function fetchAssets(q = ''): Promise<Asset[]> {
    const page = await http.get('/assets', { query: { q } });
    assets.value = page.items;
    return page.items;
  }
  const fetchAsset = (id: string) => http.get('/assets/{id}', { path: { id } });
  const createAsset = (body: AssetInput) => http.post('/assets', { body });
  const updateAsset = (id: string, body: AssetPatch) => http.patch('/assets/{id}', { path: { id }, body });

  async function fetchPlans(): Promise<Plan[]> {
    plans.value = (await http.get('/maintenance/plans')).items;
    return plans.value;
  }
  const fetchPlan = (id: string) => http.get('/maintenance/plans/{id}', { path: { id } });
  const createPlan = (body: PlanInput) => http.post('/maintenance/plans', { body });
  const updatePlan = (id: string, body: PlanInput) => http.put('/maintenance/plans/{id}', { path: { id }, body });
  const commandPlan = (id: string, command: 'pause' | 'resume' | 'skip' | 'postpone' | 'stop', body: { occurrence?: string; to?: string; backfill?: boolean } = {}) =>
    http.post(`/maintenance/plans/{id}/${command}`, { path: { id }, body });
  const previewDates = (body: { schedule: Schedule; start: string; endDate: string | null; timeZone: string; count: number }) =>
    http.post('/maintenance/preview', { body });

  const fetchCalendar = async (from: string, to: string) => (await http.get('/maintenance/calendar', { query: { from, to } })).items;
  const fetchOverdue = async () => (await http.get('/maintenance/overdue')).items;
  const fetchCompliance = async (by: 'plan' | 'asset' | 'group') =>
    (await http.get('/maintenance/compliance', { query: { by } })).items;

  const fetchChecklist = (ticketId: string) => http.get('/maintenance/work-orders/{id}/checklist', { path: { id: ticketId } });
  const tickItem = (ticketId: string, itemId: string, body: { done: boolean; reading?: number | null; note?: string | null }) =>
    http.put('/maintenance/work-orders/{id}/checklist/{item}', { path: { id: ticketId, item: itemId }, body });
  const openIncident = (ticketId: string, body: { title: string; itemId?: string; description?: string }) =>
    http.post('/maintenance/work-orders/{id}/incident', { path: { id: ticketId }, body });

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
