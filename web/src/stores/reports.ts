// Reports store: one report's rows for the chosen filters, the tickets behind a figure, and a customer's rating of a ticket.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { request } from '../api/client';
import { http } from '../api/http';
import type { DrillPage, paths, Rating, ReportResult } from '../api/generated';

export const REPORT_NAMES = ['sla', 'backlog', 'volume', 'agents', 'reopens', 'escalations', 'satisfaction', 'tags', 'time'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];
export type { DrillTicket, Rating, ReportResult, ReportRow } from '../api/generated';
/** The filters every report takes (the API's query of GET /api/reports/{name}). */
export type ReportFilters = NonNullable<paths['/api/reports/volume']['get']['parameters']['query']>;
export function reportQuery(filters: ReportFilters): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, String(v));
  return params.toString();
}

export const useReportsStore = defineStore('reports', () => {
  const results = ref<Partial<Record<ReportName, ReportResult>>>({});

  async function fetchReport(name: ReportName, filters: ReportFilters): Promise<ReportResult> {
    const result = await http.get(`/reports/${name}`, { query: filters });
    results.value = { ...results.value, [name]: result };
    return result;
  }

  /** `drill` is the row's link as the API gave it (/api/reports/…/tickets?…), optionally narrowed to one figure. */
  async function fetchDrill(drill: string, measure?: string): Promise<DrillPage> {
    const path = drill.replace(/^\/api/, '') + (measure ? `&measure=${encodeURIComponent(measure)}` : '');
    // The link is the API's own, with its filters already in it.
    return request<DrillPage>('GET', path);
  }

  async function fetchRating(ticketId: string): Promise<Rating | null> {
    try {
      return await http.get('/tickets/{id}/rating', { path: { id: ticketId } });
    } catch (err) {
      if ((err as { status?: number }).status === 404) return null;
      throw err;
    }
  }

  async function rateTicket(ticketId: string, score: number, comment: string): Promise<Rating> {
    return http.put('/tickets/{id}/rating', { path: { id: ticketId }, body: { score, ...(comment.trim() ? { comment: comment.trim() } : {}) } });
  }

  function reset(): void {
    results.value = {};
  }

  return { results, fetchReport, fetchDrill, fetchRating, rateTicket, reset };
});
