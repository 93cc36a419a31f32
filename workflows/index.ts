// Every workflow the worker registers.
export { ticketWorkflow } from './ticket';
export { webhookDeliveryWorkflow } from './webhook-delivery';
export { maintenancePlanWorkflow } from './maintenance-plan';
export { retentionWorkflow } from './retention';
export { directorySyncWorkflow } from './directory-sync';
export { rulesBroadcastWorkflow } from './rules-broadcast';
export { pluginActionWorkflow } from './plugin-action';
