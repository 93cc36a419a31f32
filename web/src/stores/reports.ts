// Reports store: one report's rows for the chosen filters, the tickets behind a figure, and a customer's rating of a ticket.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api } from '../api/client';

export const REPORT_NAMES = ['sla', 'backlog', 'volume', 'agents', 'reopens', 'escalations', 'satisfaction', 'tags', 'time'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];
export type ReportRow = Record<string, string | number | null> & { drill: string };
export interface ReportResult {
  report: ReportName;
  generatedAt: string;
  columns: string[];
  rows: ReportRow[];
}
export interface ReportFilters {
  from?: string;
  to?: string;
  queue?: string;
  type?: string;
  priority?: string;
  group?: string;
  organisation?: string;
  granularity?: 'day' | 'week';
  by?: string;
}
export interface DrillTicket {
  id: string;
  number: string;
  title: string;
  priority: string;
  state: string;
  queue: string | null;
  createdAt: string;
  resolvedAt: string | null;
}
export interface Rating {
  score: number;
  comment: string | null;
  updatedAt: string;
}

export function reportQuery(filters: ReportFilters): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, String(v));
  return params.toString();
}

export const useReportsStore = defineStore('reports', () => {
  const results = ref<Partial<Record<ReportName, ReportResult>>>({});

  async function fetchReport(name: ReportName, filters: ReportFilters): Promise<ReportResult> {
    const result = await api.get<ReportResult>(`/reports/${name}?${reportQuery(filters)}`);
    results.value = { ...results.value, [name]: result };
    return result;
  }

  /** `drill` is the row's link as the API gave it (/api/reports/…/tickets?…), optionally narrowed to one figure. */
  async function fetchDrill(drill: string, measure?: string): Promise<{ items: DrillTicket[]; truncated: boolean }> {
    const path = drill.replace(/^\/api/, '') + (measure ? `&measure=${encodeURIComponent(measure)}` : '');
    return api.get(path);
  }

  async function fetchRating(ticketId: string): Promise<Rating | null> {
    try {
      return await api.get<Rating>(`/tickets/${ticketId}/rating`);
    } catch (err) {
      if ((err as { status?: number }).status === 404) return null;
      throw err;
    }
  }

  async function rateTicket(ticketId: string, score: number, comment: string): Promise<Rating> {
    return api.put<Rating>(`/tickets/${ticketId}/rating`, { score, ...(comment.trim() ? { comment: comment.trim() } : {}) });
  }

  function reset(): void {
    results.value = {};
  }

  return { results, fetchReport, fetchDrill, fetchRating, rateTicket, reset };
});
