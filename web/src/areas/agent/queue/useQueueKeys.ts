// The queue's keys: / search, j/k or arrows move the cursor, Enter opens, x selects. They act only when no field, menu
// or dialog has the focus, so typing is never hijacked; Esc in the search goes back to the list keeping the words.
import { onBeforeUnmount, onMounted, type Ref } from 'vue';

export interface QueueKeyActions {
  focusSearch(): void;
  focusRow(index: number): void;
  open(index: number): void;
  /** False when there is no row there to select. */
  toggle(index: number): boolean;
}

export function useQueueKeys(active: Ref<number>, actions: QueueKeyActions): void {
  function onKey(event: KeyboardEvent): void {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    const target = event.target as HTMLElement | null;
    if (target?.closest('input, textarea, select, [role="combobox"], [role="listbox"], [contenteditable="true"], [role="dialog"]')) {
      // The browser would otherwise clear the words typed.
      if (event.key === 'Escape' && target.closest('[data-testid="ticket-search"]')) {
        event.preventDefault();
        actions.focusRow(active.value);
      }
      return;
    }
    const onRow = !!target?.closest('tr[data-testid="ticket-row"]');
    const inside = onRow || target === document.body || !!target?.closest('[data-workspace]');
    if (!inside) return;
    switch (event.key) {
      case '/':
        event.preventDefault();
        actions.focusSearch();
        break;
      case 'j':
      case 'ArrowDown':
        event.preventDefault();
        actions.focusRow(onRow ? active.value + 1 : active.value);
        break;
      case 'k':
      case 'ArrowUp':
        event.preventDefault();
        actions.focusRow(active.value - 1);
        break;
      case 'Enter':
        if (!onRow) return;
        event.preventDefault();
        actions.open(active.value);
        break;
      case 'x':
        if (actions.toggle(active.value)) event.preventDefault();
        break;
      default:
    }
  }
  onMounted(() => document.addEventListener('keydown', onKey));
  onBeforeUnmount(() => document.removeEventListener('keydown', onKey));
}
