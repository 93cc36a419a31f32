// Builds every activity the workflows call, with their dependencies injected (a factory, so tests can pass their own).
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordTicketEventsWith } from './record-ticket-events';

export interface ActivityDeps {
  em: EntityManager;
}

export function createActivities(deps: ActivityDeps) {
  return {
    recordTicketEvents: recordTicketEventsWith(deps.em),
  };
}

export type Activities = ReturnType<typeof createActivities>;
