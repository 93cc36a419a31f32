// The default definitions shipped with the desk: ITIL-like incident, service request, problem and maintenance work order.
import incident from './incident.json' with { type: 'json' };
import serviceRequest from './service-request.json' with { type: 'json' };
import problem from './problem.json' with { type: 'json' };
import maintenance from './maintenance.json' with { type: 'json' };
import type { WorkflowDefinition } from '../schema';

export const DEFAULT_DEFINITIONS = [incident, serviceRequest, problem, maintenance] as unknown as WorkflowDefinition[];
