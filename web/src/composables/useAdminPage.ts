// The state an admin list page keeps beside its data: whether the list is loading, the notice that the last change
// worked, and the action runner whose failure the page shows (see useAction).
import { ref } from 'vue';
import { useAction } from './useAction';

export function useAdminPage() {
  const { error, run } = useAction();
  return { error, run, loading: ref(false), notice: ref('') };
}
