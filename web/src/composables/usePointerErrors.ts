// The editors the API checks element by element: a refusal's errors, keyed by JSON pointer, are shown beside the
// elements they name, and the problem itself above the form.
import { computed, ref, type Ref } from 'vue';
import { ApiError } from '../api/client';
import { useAction } from './useAction';

/** `pointerOf` maps the API's pointer onto the form's, where the request wraps the form's body (a dry run's `/rule`). */
export function usePointerErrors(pointerOf: (pointer: string) => string = (pointer) => pointer) {
  const { run } = useAction();
  const errors = ref<Record<string, string>>({});
  const error = ref<unknown>(null);
  const err = (pointer: string): string | undefined => errors.value[pointer];
  /** Whether the refusal named elements of the form (the banner then says so rather than repeat the first of them). */
  const invalid = computed(() => Object.keys(errors.value).length > 0);

  /** Sends what `fn` sends, `pending` true meanwhile; a refusal lands in `error`, and its pointed errors in `errors`. */
  async function send(fn: () => Promise<unknown>, pending: Ref<boolean>): Promise<void> {
    errors.value = {};
    await run(
      async () => {
        try {
          await fn();
        } catch (e) {
          if (e instanceof ApiError && e.errors.length) errors.value = Object.fromEntries(e.errors.map((x) => [pointerOf(x.pointer), x.message]));
          throw e;
        }
      },
      error,
      pending,
    );
  }

  return { errors, error, err, invalid, send };
}
