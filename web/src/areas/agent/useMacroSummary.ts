// A macro's actions in a few words of the reader's language, for lists and the apply dialog.
import { useI18n } from 'vue-i18n';
import { useFormat } from '../../composables/useFormat';
import type { Macro } from './macros';

export function useMacroSummary(nameOf: (id: string) => string | undefined = () => undefined) {
  const { t } = useI18n();
  const { label } = useFormat();
  return (m: Omit<Macro, 'id' | 'mine' | 'owner' | 'shared' | 'name'>): string[] => {
    const parts: string[] = [];
    if (m.reply) parts.push(m.reply.visibility === 'internal' ? t('macros.summary.note') : t('macros.summary.reply'));
    if (m.fields && Object.keys(m.fields).length) parts.push(t('macros.summary.fields', { fields: Object.entries(m.fields).map(([k, v]) => `${k} = ${String(v)}`).join(', ') }));
    if (m.priority) parts.push(t('macros.summary.priority', { priority: label('priorities', m.priority) }));
    if (m.addTags?.length) parts.push(t('macros.summary.addTags', { tags: m.addTags.join(', ') }));
    if (m.removeTags?.length) parts.push(t('macros.summary.removeTags', { tags: m.removeTags.join(', ') }));
    if (m.assignTo === 'me') parts.push(t('macros.summary.assignMe'));
    else if (m.assignTo === 'nobody') parts.push(t('macros.summary.assignNobody'));
    else if (m.assignTo) parts.push(t('macros.summary.assignTo', { name: nameOf(m.assignTo) ?? m.assignTo }));
    if (m.transition) parts.push(t('macros.summary.transition', { transition: m.transition }));
    return parts;
  };
}
