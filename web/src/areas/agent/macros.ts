// Macros as the console uses them: the list the agent may apply, their summary, and previewing or applying one.
import { ref } from 'vue';
import { api } from '../../api/client';
import type { BulkResult, Priority } from '../../api/types';

export interface Macro {
  id: string;
  name: string;
  shared: boolean;
  mine: boolean;
  owner: { id: string; name: string } | null;
  reply?: { en?: string; fr?: string; visibility?: 'public' | 'internal' };
  priority?: Priority;
  fields?: Record<string, string | number | boolean>;
  addTags?: string[];
  removeTags?: string[];
  assignTo?: string;
  transition?: string;
}

export type MacroInput = Omit<Macro, 'id' | 'mine' | 'owner'>;

export interface MacroPreview {
  ticket: { id: string; number: string };
  reply: { body: string; html: string; visibility: 'public' | 'internal'; locale: 'en' | 'fr' } | null;
  transition: { name: string; label: { en: string; fr: string } | null; requiresTimeSpent: boolean } | null;
  assignTo: { id: string | null; name: string | null } | null;
  problems: Array<{ part: string; message: string }>;
}

export interface MacroResult extends BulkResult {
  number: string | null;
}

/** The variables a reply may use (the API refuses others); custom fields are {{fields.<name>}}. */
export const MACRO_VARIABLES = ['ticket.number', 'ticket.title', 'ticket.priority', 'ticket.state', 'requester.name', 'requester.firstName', 'requester.email', 'agent.name', 'agent.email', 'fields.<name>'];

const macros = ref<Macro[]>([]);
const loaded = ref(false);

/** One list per page load, shared by the ticket page, the queue and the macros page; `reload` after a change. */
export function useMacros() {
  async function reload(): Promise<Macro[]> {
    macros.value = (await api.get<{ items: Macro[] }>('/macros')).items;
    loaded.value = true;
    return macros.value;
  }
  async function ensure(): Promise<Macro[]> {
    return loaded.value ? macros.value : reload();
  }
  const save = async (input: MacroInput, id?: string) => {
    const saved = id ? await api.put<Macro>(`/macros/${encodeURIComponent(id)}`, input) : await api.post<Macro>('/macros', input);
    await reload();
    return saved;
  };
  const remove = async (id: string) => {
    await api.delete(`/macros/${encodeURIComponent(id)}`);
    await reload();
  };
  const preview = (id: string, ticketId: string) => api.post<MacroPreview>(`/macros/${encodeURIComponent(id)}/preview`, { ticketId });
  const apply = (id: string, ids: string[], timeSpent?: number | null) =>
    api.post<{ results: MacroResult[]; succeeded: number; failed: number }>(`/macros/${encodeURIComponent(id)}/apply`, { ids, ...(timeSpent ? { timeSpent } : {}) });
  return { macros, loaded, reload, ensure, save, remove, preview, apply };
}
