// Macros as the console uses them: the list the agent may apply, their summary, and previewing or applying one.
import { ref } from 'vue';
import { http } from '../../api/http';
import type { Macro, MacroInput } from '../../api/generated';

export type { Macro, MacroInput, MacroPreview, MacroResult } from '../../api/generated';

/** The variables a reply may use (the API refuses others); custom fields are {{fields.<name>}}. */
export const MACRO_VARIABLES = ['ticket.number', 'ticket.title', 'ticket.priority', 'ticket.state', 'requester.name', 'requester.firstName', 'requester.email', 'agent.name', 'agent.email', 'fields.<name>'];

const macros = ref<Macro[]>([]);
const loaded = ref(false);

/** One list per page load, shared by the ticket page, the queue and the macros page; `reload` after a change. */
export function useMacros() {
  async function reload(): Promise<Macro[]> {
    macros.value = (await http.get('/macros')).items;
    loaded.value = true;
    return macros.value;
  }
  async function ensure(): Promise<Macro[]> {
    return loaded.value ? macros.value : reload();
  }
  const save = async (input: MacroInput, id?: string) => {
    const saved = id ? await http.put('/macros/{id}', { path: { id }, body: input }) : await http.post('/macros', { body: input });
    await reload();
    return saved;
  };
  const remove = async (id: string) => {
    await http.delete('/macros/{id}', { path: { id } });
    await reload();
  };
  const preview = (id: string, ticketId: string) => http.post('/macros/{id}/preview', { path: { id }, body: { ticketId } });
  const apply = (id: string, ids: string[], timeSpent?: number | null) =>
    http.post('/macros/{id}/apply', { path: { id }, body: { ids, ...(timeSpent ? { timeSpent } : {}) } });
  return { macros, loaded, reload, ensure, save, remove, preview, apply };
}
