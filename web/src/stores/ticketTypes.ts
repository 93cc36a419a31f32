// Ticket types: the four built in and the custom ones admins add. Loaded once per session; custom types' names are
// merged into the console's messages (`types.<key>`), so every place that names a type names these too.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { http } from '../api/http';
import type { TicketTypeInfo } from '../api/generated';
import { i18n, LOCALES } from '../i18n';

export const useTicketTypesStore = defineStore('ticketTypes', () => {
  const items = ref<TicketTypeInfo[]>([]);
  let loading: Promise<void> | null = null;

  function learn(list: TicketTypeInfo[]): void {
    items.value = list;
    for (const locale of LOCALES) {
      const names = Object.fromEntries(list.filter((x) => x.name).map((x) => [x.key, x.name![locale]]));
      i18n.global.mergeLocaleMessage(locale, { types: names } as never);
    }
  }

  /** Loads the list unless it is there already (`force` after an admin changed it). */
  function load(force = false): Promise<void> {
    if (force || !loading) loading = http.get('/ticket-types').then((page) => learn(page.items), (e) => ((loading = null), Promise.reject(e)));
    return loading;
  }

  const keys = computed(() => items.value.map((x) => x.key));
  /** What a customer may open from the portal. */
  const forCustomers = computed(() => items.value.filter((x) => x.customersMayOpen).map((x) => x.key));
  /** What staff open by hand: everything but work orders, which come from maintenance plans. */
  const forStaff = computed(() => items.value.filter((x) => x.key !== 'maintenance').map((x) => x.key));

  function reset(): void {
    items.value = [];
    loading = null;
  }

  return { items, keys, forCustomers, forStaff, load, reset };
});
