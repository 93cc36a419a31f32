// Every workflow the worker registers.
export { ticketWorkflow } from './ticket';
export { maintenancePlanWorkflow } from './maintenance-plan';
