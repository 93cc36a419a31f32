// Public surface of workflow-definitions: schema, types, validation, lifecycle and SLA maths (pure, no I/O).
export * from './schema';
export * from './calendar';
export * from './lifecycle';
export * from './sla';
export * from './recurrence';
export * from './validate';
export * from './diff';
export * from './simulate';
export * from './ticket-machine/index';
export { DEFAULT_DEFINITIONS } from './defaults/index';
export * from './forms/index';
export * from './sla-policy';
