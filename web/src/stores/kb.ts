// Knowledge-base store: search results, the open article, its revisions, categories, suggestions, feedback and portal events.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api } from '../api/client';

export type KbLocale = 'en' | 'fr';
export type KbStatus = 'draft' | 'published' | 'archived';
export type KbVisibility = 'public' | 'internal';

export interface KbCategory {
  key: string;
  name: { en: string; fr: string };
}

export interface KbHit {
  id: string;
  locale: KbLocale;
  title: string;
  summary: string;
  /** HTML-escaped by the server; matches wrapped in <mark>. */
  snippet: string;
  categoryKey: string | null;
  tags: string[];
  visibility?: KbVisibility;
  status?: KbStatus;
  updatedAt: string;
}

export interface KbTranslation {
  locale: KbLocale;
  title: string;
  summary: string;
  body: string;
  /** Rendered and sanitised by the server. */
  html: string;
  revision: number;
  updatedAt: string;
}

export interface KbArticle {
  id: string;
  categoryKey: string | null;
  tags: string[];
  visibility: KbVisibility;
  status: KbStatus;
  sourceTicketId: string | null;
  updatedAt: string;
  translations: KbTranslation[];
  myFeedback: boolean | null;
  feedback?: { helpful: number; notHelpful: number };
  deflection?: { opened: number; deflected: number };
}

export interface KbRevision {
  revision: number;
  locale: KbLocale;
  title: string;
  summary: string;
  body: string;
  author: { id: string | null; name: string | null };
  createdAt: string;
  restoredFrom: number | null;
}

export interface KbStats {
  sessions: number;
  suggestionsOpened: number;
  ticketsAfterSuggestion: number;
  deflections: number;
}

export interface KbFilters {
  q?: string;
  category?: string;
  tag?: string;
  locale?: KbLocale;
  status?: KbStatus;
  visibility?: KbVisibility;
}

export interface KbTextInput {
  title: string;
  summary: string;
  body: string;
}

export interface KbArticleInput {
  categoryKey: string | null;
  tags: string[];
  visibility: KbVisibility;
  status: KbStatus;
}

function queryString(params: Record<string, string | null | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '');
  return entries.length ? `?${new URLSearchParams(entries).toString()}` : '';
}

const path = (id: string) => `/kb/articles/${encodeURIComponent(id)}`;

export const useKbStore = defineStore('kb', () => {
  const results = ref<KbHit[]>([]);
  const total = ref(0);
  const categories = ref<KbCategory[]>([]);
  const current = ref<KbArticle | null>(null);
  const revisions = ref<KbRevision[]>([]);
  const stats = ref<KbStats | null>(null);

  async function searchArticles(filters: KbFilters, limit = 20): Promise<void> {
    const page = await api.get<{ items: KbHit[]; total: number }>(`/kb/articles${queryString({ ...filters, limit: String(limit) })}`);
    results.value = page.items;
    total.value = page.total;
  }

  async function fetchCategories(): Promise<KbCategory[]> {
    categories.value = (await api.get<{ items: KbCategory[] }>('/kb/categories')).items;
    return categories.value;
  }

  async function fetchArticle(id: string): Promise<KbArticle> {
    if (current.value?.id !== id) {
      current.value = null;
      revisions.value = [];
    }
    current.value = await api.get<KbArticle>(path(id));
    return current.value;
  }

  async function createArticle(input: KbArticleInput, locale: KbLocale, text: KbTextInput): Promise<KbArticle> {
    current.value = await api.post<KbArticle>('/kb/articles', { ...input, translations: { [locale]: text } });
    return current.value;
  }

  async function updateArticle(id: string, input: Partial<KbArticleInput>): Promise<KbArticle> {
    current.value = await api.patch<KbArticle>(path(id), input);
    return current.value;
  }

  async function saveTranslation(id: string, locale: KbLocale, text: KbTextInput, baseRevision?: number): Promise<KbArticle> {
    current.value = await api.put<KbArticle>(`${path(id)}/translations/${locale}`, { ...text, ...(baseRevision !== undefined ? { baseRevision } : {}) });
    return current.value;
  }

  async function fetchRevisions(id: string, locale: KbLocale): Promise<KbRevision[]> {
    revisions.value = (await api.get<{ items: KbRevision[] }>(`${path(id)}/translations/${locale}/revisions`)).items;
    return revisions.value;
  }

  async function restoreRevision(id: string, locale: KbLocale, revision: number): Promise<KbArticle> {
    current.value = await api.post<KbArticle>(`${path(id)}/translations/${locale}/revisions/${revision}/restore`);
    await fetchRevisions(id, locale);
    return current.value;
  }

  async function renderPreview(body: string): Promise<string> {
    return (await api.post<{ html: string }>('/kb/render', { body })).html;
  }

  async function suggest(q: string, limit = 5): Promise<KbHit[]> {
    return (await api.get<{ items: KbHit[] }>(`/kb/suggestions${queryString({ q, limit: String(limit) })}`)).items;
  }

  async function sendFeedback(id: string, helpful: boolean): Promise<void> {
    await api.post<void>(`${path(id)}/feedback`, { helpful });
    if (current.value?.id === id) current.value = { ...current.value, myFeedback: helpful };
  }

  async function reportEvent(sessionId: string, type: 'suggestion_opened' | 'ticket_submitted', articleId?: string): Promise<void> {
    await api.post<void>('/kb/events', { sessionId, type, ...(articleId ? { articleId } : {}) });
  }

  async function fetchStats(): Promise<KbStats> {
    stats.value = await api.get<KbStats>('/kb/stats');
    return stats.value;
  }

  async function draftFromTicket(ticketId: string, locale: KbLocale): Promise<KbArticle> {
    current.value = await api.post<KbArticle>('/kb/articles/from-ticket', { ticketId, locale });
    return current.value;
  }

  function reset(): void {
    results.value = [];
    total.value = 0;
    current.value = null;
    revisions.value = [];
    stats.value = null;
  }

  return {
    results, total, categories, current, revisions, stats,
    searchArticles, fetchCategories, fetchArticle, createArticle, updateArticle, saveTranslation, fetchRevisions, restoreRevision,
    renderPreview, suggest, sendFeedback, reportEvent, fetchStats, draftFromTicket, reset,
  };
});
