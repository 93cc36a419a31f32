// Turns any thrown value into the sentence a screen shows, preferring the server's problem detail.
import { useI18n } from 'vue-i18n';
import { ApiError } from '../api/client';

export function useErrorText() {
  const { t } = useI18n();
  return (error: unknown): string => {
    if (error instanceof ApiError) {
      if (error.status === 0) return t('errors.network');
      // Busy or unreachable: said in the reader's language, since what matters is that nothing was recorded yet.
      if (error.status === 503) return t('errors.busy');
      return error.detail || error.title;
    }
    return error instanceof Error && error.message ? error.message : t('errors.unknown');
  };
}
