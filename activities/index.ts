// Builds every activity the workflows call, with their dependencies injected (a factory, so tests can pass their own).
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordTicketEventsWith, type TicketEventListener } from './record-ticket-events';
import { planActivitiesWith } from './maintenance-plans';

export interface ActivityDeps {
  em: EntityManager;
  /** Run after each committed batch of ticket events, in order (see TicketEventListener). */
  ticketEventListeners?: TicketEventListener[];
}

export function createActivities(deps: ActivityDeps) {
  return {
    recordTicketEvents: recordTicketEventsWith(deps.em, deps.ticketEventListeners),
    ...planActivitiesWith(deps.em),
  };
}

export type Activities = ReturnType<typeof createActivities>;
