// Agents and groups by name (GET /api/directory), loaded once per page load for assignment pickers and filters.
import { ref } from 'vue';
import { http } from '../../api/http';
import type { StaffDirectory } from '../../api/generated';

export type DirectoryAgent = StaffDirectory['agents'][number];
export type DirectoryGroup = StaffDirectory['groups'][number];

const agents = ref<DirectoryAgent[]>([]);
const groups = ref<DirectoryGroup[]>([]);
let loading: Promise<void> | null = null;

export function useDirectory() {
  function load(): Promise<void> {
    loading ??= http
      .get('/directory')
      .then((d) => {
        agents.value = d.agents;
        groups.value = d.groups;
      })
      .catch(() => {
        // Names are a comfort; without them pickers offer "me" only and rows show no assignee name.
        loading = null;
      });
    return loading;
  }
  const nameOf = (id: string) => agents.value.find((a) => a.id === id)?.name ?? id.slice(0, 8);
  return { agents, groups, load, nameOf };
}
