// Builds every activity the workflows call, with their dependencies injected (a factory, so tests can pass their own).
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordTicketEventsWith, type FanoutQueue } from './record-ticket-events';
import { createWebhookActivities, type WebhookActivityDeps } from './webhook-delivery';
import { SecretBox } from '../platform/secret-box';
import { planActivitiesWith } from './maintenance-plans';
import { retentionActivitiesWith } from './retention';
import { directorySyncActivitiesWith } from './directory-sync';
import { findApproversWith } from './find-approvers';
import { automationRulesWith } from './automation-rules';
import { rulesBroadcastActivitiesWith, type TellRulesChanged } from './rules-broadcast';
import type { TellWorkflows } from '../platform/privacy/tell-workflows';
import type { PluginSet } from '../platform/plugins/loader';
import { pluginActionActivitiesWith } from './plugin-actions';
import { pluginScheduleActivitiesWith } from './plugin-schedules';

export interface ActivityDeps {
  em: EntityManager;
  /** Queues each committed batch of ticket events for the listeners (see TicketEventFanout); without it, none are queued. */
  fanout?: FanoutQueue;
  /** Tells ticket workflows their text was anonymised (retention); without it they are not told. */
  tellWorkflows?: TellWorkflows;
  /** Tells a ticket's workflow the automation rules changed; without it, tickets learn at their next event. */
  tellRulesChanged?: TellRulesChanged;
  /** Outbound webhook delivery settings; defaults: secrets stored plainly, disable after 20 give-ups or 72 h failing. */
  webhooks?: Omit<WebhookActivityDeps, 'em'>;
  /** The plug-ins this worker loaded, whose actions and schedules it runs; without them every plug-in action is unknown. */
  plugins?: PluginSet;
}

export function createActivities(deps: ActivityDeps) {
  const rules = automationRulesWith(deps.em);
  return {
    recordTicketEvents: recordTicketEventsWith(deps.em, deps.fanout, rules.rulesFor),
    currentIdleRules: rules.currentIdleRules,
    ...rulesBroadcastActivitiesWith(deps.em, deps.tellRulesChanged),
    ...createWebhookActivities({ em: deps.em, box: new SecretBox(undefined), disableAfterFailures: 20, disableAfterHours: 72, ...deps.webhooks }),
    ...planActivitiesWith(deps.em),
    ...retentionActivitiesWith(deps.em, deps.tellWorkflows),
    ...directorySyncActivitiesWith(deps.em, deps.webhooks?.box ?? new SecretBox(undefined)),
    ...findApproversWith(deps.em),
    ...pluginActionActivitiesWith(deps.plugins),
    ...pluginScheduleActivitiesWith(deps.plugins),
  };
}

export type Activities = ReturnType<typeof createActivities>;
