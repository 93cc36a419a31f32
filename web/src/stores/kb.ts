// Knowledge-base store: search results, the open article, its revisions, categories, suggestions, feedback and portal events.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { http } from '../api/http';
import type { KbArticle, KbArticlePatch, KbCategory, KbHit, KbLocale, KbRevision, KbStats, KbTextInput, paths } from '../api/generated';

export type { KbArticle, KbCategory, KbHit, KbLocale, KbRevision, KbStats, KbStatus, KbTranslation, KbVisibility } from '../api/generated';

/** The filters of GET /api/kb/articles. */
export type KbFilters = Omit<NonNullable<paths['/api/kb/articles']['get']['parameters']['query']>, 'limit' | 'offset'>;
/** What the article editor holds of an article besides its text. */
export type KbArticleInput = Required<KbArticlePatch>;
export type { KbTextInput } from '../api/generated';

export const useKbStore = defineStore('kb', () => {
  const results = ref<KbHit[]>([]);
  const total = ref(0);
  const categories = ref<KbCategory[]>([]);
  const current = ref<KbArticle | null>(null);
  const revisions = ref<KbRevision[]>([]);
  const stats = ref<KbStats | null>(null);

  async function searchArticles(filters: KbFilters, limit = 20): Promise<void> {
    const page = await http.get('/kb/articles', { query: { ...filters, limit: String(limit) } });
    results.value = page.items;
    total.value = page.total;
  }

  async function fetchCategories(): Promise<KbCategory[]> {
    categories.value = (await http.get('/kb/categories')).items;
    return categories.value;
  }

  async function fetchArticle(id: string): Promise<KbArticle> {
    if (current.value?.id !== id) {
      current.value = null;
      revisions.value = [];
    }
    current.value = await http.get('/kb/articles/{id}', { path: { id } });
    return current.value;
  }

  async function createArticle(input: KbArticleInput, locale: KbLocale, text: KbTextInput): Promise<KbArticle> {
    current.value = await http.post('/kb/articles', { body: { ...input, translations: { [locale]: text } } });
    return current.value;
  }

  async function updateArticle(id: string, input: KbArticlePatch): Promise<KbArticle> {
    current.value = await http.patch('/kb/articles/{id}', { path: { id }, body: input });
    return current.value;
  }

  async function saveTranslation(id: string, locale: KbLocale, text: KbTextInput, baseRevision?: number): Promise<KbArticle> {
    current.value = await http.put('/kb/articles/{id}/translations/{locale}', { path: { id, locale }, body: { ...text, ...(baseRevision !== undefined ? { baseRevision } : {}) } });
    return current.value;
  }

  async function fetchRevisions(id: string, locale: KbLocale): Promise<KbRevision[]> {
    revisions.value = (await http.get('/kb/articles/{id}/translations/{locale}/revisions', { path: { id, locale } })).items;
    return revisions.value;
  }

  async function restoreRevision(id: string, locale: KbLocale, revision: number): Promise<KbArticle> {
    current.value = await http.post('/kb/articles/{id}/translations/{locale}/revisions/{revision}/restore', { path: { id, locale, revision } });
    await fetchRevisions(id, locale);
    return current.value;
  }

  async function renderPreview(body: string): Promise<string> {
    return (await http.post('/kb/render', { body: { body } })).html;
  }

  async function suggest(q: string, limit = 5): Promise<KbHit[]> {
    return (await http.get('/kb/suggestions', { query: { q, limit: String(limit) } })).items;
  }

  async function sendFeedback(id: string, helpful: boolean): Promise<void> {
    await http.post('/kb/articles/{id}/feedback', { path: { id }, body: { helpful } });
    if (current.value?.id === id) current.value = { ...current.value, myFeedback: helpful };
  }

  async function reportEvent(sessionId: string, type: 'suggestion_opened' | 'ticket_submitted', articleId?: string): Promise<void> {
    await http.post('/kb/events', { body: { sessionId, type, ...(articleId ? { articleId } : {}) } });
  }

  async function fetchStats(): Promise<KbStats> {
    stats.value = await http.get('/kb/stats');
    return stats.value;
  }

  async function draftFromTicket(ticketId: string, locale: KbLocale): Promise<KbArticle> {
    current.value = await http.post('/kb/articles/from-ticket', { body: { ticketId, locale } });
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
