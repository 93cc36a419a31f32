// The default definitions shipped with the desk: ITIL-like incident, service request, problem and maintenance work order.
import incident from './incident.json';
import serviceRequest from './service-request.json';
import problem from './problem.json';
import maintenance from './maintenance.json';
import type { WorkflowDefinition } from '../schema';

export const DEFAULT_DEFINITIONS = [incident, serviceRequest, problem, maintenance] as unknown as WorkflowDefinition[];
