// The row actions both webhook panels offer: switch on or off, rotate the secret (shown once), delete, open the row's log.
import { ref, type Ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { useAction } from '../../../composables/useAction';

interface Row {
  id: string;
  name: string;
  enabled: boolean;
}

/** The store calls behind the actions, for one kind of row (outbound subscriptions or inbound endpoints). */
export interface WebhookRowCalls {
  update(id: string, patch: { enabled: boolean }): Promise<void>;
  rotate(id: string): Promise<string>;
  remove(id: string): Promise<void>;
  fetchLog(id: string): Promise<void>;
}

export function useWebhookRows<T extends Row>(calls: WebhookRowCalls) {
  const { t } = useI18n();
  const { busy, error, run } = useAction();
  /** A new or rotated secret, shown once. */
  const secret = ref('');
  /** The row whose log is open. */
  const selected = ref(null) as Ref<T | null>;
  const logError = ref<unknown>(null);

  const toggle = (r: T) => run(() => calls.update(r.id, { enabled: !r.enabled }));
  const rotate = (r: T) =>
    run(async () => {
      secret.value = await calls.rotate(r.id);
    });
  const remove = (r: T) =>
    run(async () => {
      if (!window.confirm(t('webhooks.confirmDelete', { name: r.name }))) return;
      if (selected.value?.id === r.id) selected.value = null;
      await calls.remove(r.id);
    });
  const showLog = (r: T) =>
    run(async () => {
      selected.value = r;
      await calls.fetchLog(r.id);
    }, logError);

  return { busy, error, run, secret, selected, logError, toggle, rotate, remove, showLog };
}
