// The way the console runs a request: clear the error it reports to, flag it under way, keep what it threw for <ErrorMessage>.
import { ref, type Ref } from 'vue';

export function useAction() {
  const busy = ref(false);
  const error = ref<unknown>(null);
  /** Runs `fn`; a failure lands in `where` (the page's error by default; a form or dialog passes its own), `pending` is true meanwhile. */
  async function run(fn: () => Promise<unknown>, where: Ref<unknown> = error, pending: Ref<boolean> = busy): Promise<void> {
    where.value = null;
    pending.value = true;
    try {
      await fn();
    } catch (e) {
      where.value = e;
    } finally {
      pending.value = false;
    }
  }
  return { busy, error, run };
}
