// Users, groups and organisations the admin screens share (names in tables, choices in forms), refreshed after changes.
import { computed, ref } from 'vue';
import { api } from '../../api/client';
import type { AdminUser, Group, Organisation } from '../../api/types';

const users = ref<AdminUser[]>([]);
const groups = ref<Group[]>([]);
const organisations = ref<Organisation[]>([]);

export function useAdminData() {
  const staff = computed(() => users.value.filter((u) => u.role !== 'customer' && !u.disabled));
  const userName = (id: string | null) => (id ? users.value.find((u) => u.id === id)?.name ?? id.slice(0, 8) : '');
  const organisationName = (id: string | null) => (id ? organisations.value.find((o) => o.id === id)?.name ?? id.slice(0, 8) : '');

  async function loadUsers(): Promise<void> {
    users.value = (await api.get<{ items: AdminUser[] }>('/users')).items;
  }
  async function loadGroups(): Promise<void> {
    groups.value = (await api.get<{ items: Group[] }>('/groups')).items;
  }
  async function loadOrganisations(): Promise<void> {
    organisations.value = (await api.get<{ items: Organisation[] }>('/organisations')).items;
  }
  return { users, groups, organisations, staff, userName, organisationName, loadUsers, loadGroups, loadOrganisations };
}
