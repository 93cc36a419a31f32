// The ticket page's keys, as agents of other desks know them: j/k next and previous ticket of the queue, a assign to
// me, m macro, r reply, i public/internal, ? the list. Keys typed into a field stay the field's (Ctrl+Enter sends from the reply).
import { onBeforeUnmount, onMounted, ref } from 'vue';
import { useRouter } from 'vue-router';
import { useAuthStore } from '../../stores/auth';
import { useTicketsStore } from '../../stores/tickets';

export const SHORTCUTS = ['j', 'k', 'a', 'm', 'r', 'i', 'ctrlEnter', '?'] as const;

export function useTicketShortcuts(ticketId: () => string, reply: () => { focus(): void; toggleVisibility(): void } | null, openMacros: () => void = () => {}) {
  const router = useRouter();
  const tickets = useTicketsStore();
  const auth = useAuthStore();
  const helpOpen = ref(false);
  const error = ref<unknown>(null);

  function neighbour(step: 1 | -1): string | undefined {
    const at = tickets.items.findIndex((t) => t.id === ticketId());
    return at === -1 ? undefined : tickets.items[at + step]?.id;
  }

  async function assignToMe(): Promise<void> {
    const t = tickets.current;
    if (!t || !auth.user || t.assigneeId === auth.user.id) return;
    try {
      await tickets.assignTicket(t.id, { assigneeId: auth.user.id, queue: t.queue, group: t.assignedGroup ?? null });
    } catch (e) {
      error.value = e;
    }
  }

  function onKey(event: KeyboardEvent): void {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target as HTMLElement | null;
    if (target?.closest('input, textarea, select, [contenteditable="true"], [role="combobox"], [role="listbox"], [role="dialog"]')) return;
    const go = (id: string | undefined) => id && void router.push({ name: 'ticket', params: { id } });
    switch (event.key) {
      case 'j':
        go(neighbour(1));
        break;
      case 'k':
        go(neighbour(-1));
        break;
      case 'a':
        void assignToMe();
        break;
      case 'm':
        openMacros();
        break;
      case 'r':
        reply()?.focus();
        break;
      case 'i':
        reply()?.toggleVisibility();
        break;
      case '?':
        helpOpen.value = true;
        break;
      default:
        return;
    }
    event.preventDefault();
  }

  onMounted(() => document.addEventListener('keydown', onKey));
  onBeforeUnmount(() => document.removeEventListener('keydown', onKey));
  return { helpOpen, error };
}
