// Every workflow the worker registers.
export { ticketWorkflow } from './ticket';
