// The check-then-import flow both import forms share: a dry run first, and the import offered only for exactly what a
// clean dry run checked (`identity` says what that is: the file and kind, or RT's address and token).
import { computed, ref, watch, type Ref } from 'vue';
import { ApiError } from '../../../api/client';
import type { Report } from './ImportReport.vue';

export function useCheckedImport(identity: Ref<string>, send: (dryRun: boolean) => Promise<Report>, ran: () => void) {
  const busy = ref<'check' | 'import' | null>(null);
  const report = ref<Report | null>(null);
  const error = ref<unknown>(null);
  const checked = ref('');
  watch(identity, () => (report.value = null));

  async function run(dryRun: boolean) {
    // Nothing chosen yet (the form submitted with Enter): nothing to check.
    if (!identity.value || busy.value) return;
    busy.value = dryRun ? 'check' : 'import';
    error.value = null;
    report.value = null;
    const asked = identity.value;
    try {
      report.value = await send(dryRun);
      checked.value = dryRun && report.value.errorCount === 0 ? asked : '';
    } catch (e) {
      // Rows in error answer 422 with the report itself; any other problem is shown as one.
      if (e instanceof ApiError && e.status === 422 && 'rows' in e.problem) report.value = e.problem as unknown as Report;
      else error.value = e;
      checked.value = '';
    } finally {
      busy.value = null;
      ran();
    }
  }

  return { busy, report, error, run, ready: computed(() => !!identity.value && checked.value === identity.value) };
}
