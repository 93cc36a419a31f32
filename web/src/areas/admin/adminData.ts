// Staff, groups and organisations the admin screens share (names in tables, choices in forms), refreshed after changes.
// Customers are not among them: a desk may have tens of thousands; the users page searches them page by page.
import { computed, ref } from 'vue';
import { http } from '../../api/http';
import type { AdminUser, Group, Organisation } from '../../api/generated';

const users = ref<AdminUser[]>([]);
const groups = ref<Group[]>([]);
const organisations = ref<Organisation[]>([]);

export function useAdminData() {
  const staff = computed(() => users.value.filter((u) => !u.disabled));
  const userName = (id: string | null) => (id ? users.value.find((u) => u.id === id)?.name ?? id.slice(0, 8) : '');
  const organisationName = (id: string | null) => (id ? organisations.value.find((o) => o.id === id)?.name ?? id.slice(0, 8) : '');

  /** Every admin and agent, page after page (the API gives at most 500 at once). */
  async function loadUsers(): Promise<void> {
    const all: AdminUser[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: AdminUser[]; next: string | null } = await http.get('/users', { query: { role: 'staff', limit: '500', ...(cursor ? { cursor } : {}) } });
      all.push(...page.items);
      cursor = page.next;
    } while (cursor);
    users.value = all;
  }
  async function loadGroups(): Promise<void> {
    groups.value = (await http.get('/groups')).items;
  }
  async function loadOrganisations(): Promise<void> {
    organisations.value = (await http.get('/organisations')).items;
  }
  return { users, groups, organisations, staff, userName, organisationName, loadUsers, loadGroups, loadOrganisations };
}
