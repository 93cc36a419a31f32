// The deterministic part of workflow-definitions (types, calendar, lifecycle, SLA): safe to import from workflow code.
export * from './schema';
export * from './calendar';
export * from './lifecycle';
export * from './sla';
export * from './recurrence';
export * from './ticket-machine/index';
