// A rule's trigger and actions in a few words of the reader's language, for the list and the dry run.
import type { RuleActionBody, RuleTrigger } from '../../../../../workflow-definitions/rules/schema';
import type { RuleChoices } from './ruleChoices';

type T = (key: string, values?: Record<string, unknown>) => string;

const nameIn = (list: Array<{ value: string; label: string }> | undefined, value: unknown) => list?.find((x) => x.value === value)?.label ?? String(value ?? '');

export function describeTrigger(t: T, when: RuleTrigger, choices?: RuleChoices): string {
  const event = t(`rules.events.${when.event}`);
  const detail =
    when.event === 'field_changed' && when.field
      ? ['priority', 'queue', 'assignee', 'group', 'tags'].includes(when.field)
        ? t(`rules.attributes.${when.field}`)
        : nameIn(choices?.fields, when.field)
      : when.event === 'commented' && when.by && when.by !== 'any'
        ? t(`rules.by.${when.by}`)
        : when.event === 'state_entered' && when.state
          ? nameIn(choices?.states, when.state)
          : (when.event === 'sla_warning' || when.event === 'sla_breached') && when.clock
            ? t(`rules.clocks.${when.clock}`)
            : when.event === 'idle' && when.minutes
              ? `${when.minutes} min`
              : '';
  return detail ? `${event} (${detail})` : event;
}

export function describeAction(t: T, a: RuleActionBody, choices?: RuleChoices): string {
  switch (a.action) {
    case 'assign':
      return t('rules.describe.assign', { who: a.assigneeId ? nameIn(choices?.agents, a.assigneeId) : t('rules.nobody') });
    case 'set_queue':
      return t('rules.describe.set_queue', { queue: nameIn(choices?.queues, a.queue) });
    case 'set_priority':
      return t('rules.describe.set_priority', { priority: t(`priorities.${a.priority}`) });
    case 'set_field':
      return t('rules.describe.set_field', { field: nameIn(choices?.fields, a.field), value: String(a.value) });
    case 'add_tags':
    case 'remove_tags':
      return t(`rules.describe.${a.action}`, { tags: a.tags.join(', ') });
    case 'apply_macro':
      return `${t('rules.describe.apply_macro')} ${nameIn(choices?.macros, a.macroId)}`.trim();
    case 'send_mail':
      return t('rules.describe.send_mail', { to: t(`rules.recipients.${a.to}`).toLowerCase() });
    case 'comment':
      return t('rules.describe.comment', { body: a.body.length > 60 ? `${a.body.slice(0, 59)}…` : a.body });
    case 'webhook':
      return t('rules.describe.webhook', { event: a.event });
    case 'transition':
      return t('rules.describe.transition', { transition: nameIn(choices?.transitions, a.transition) });
    case 'plugin':
      return t('rules.describe.plugin', { action: nameIn(choices?.pluginActions, `${a.plugin}/${a.run}`) });
  }
}
