// Maintenance over HTTP (agents of the owner group and admins): plans and their commands, date previews, calendar, overdue list, PM compliance, work-order checklists.
import type { RouteTable } from '../../http/routes';
import type { MaintenanceService } from './service';
import {
  checklistSchema,
  checklistTickBody,
  complianceQuery,
  failedCheckBody,
  occurrenceBody,
  planBody,
  planSchema,
  previewBody,
  rangeQuery,
  resumeBody,
  upcomingQuery,
  workOrderSchema,
  type PlanBody,
  type PreviewBody,
} from './schemas';
import { listOf } from '../../http/shapes';

const refused = { 401: { description: 'Not logged in' }, 403: { description: 'Customers, or a group the agent is not in' } };
const upcomingSchema = { type: 'array', items: { type: 'object', required: ['occurrence', 'dueAt'], properties: { occurrence: { type: 'string' }, dueAt: { type: 'string', format: 'date-time' } } } } as const;
const planDetail = {
  title: 'PlanDetail',
  allOf: [planSchema, { type: 'object', required: ['upcoming', 'workOrders'], properties: { upcoming: upcomingSchema, workOrders: { type: 'array', items: workOrderSchema } } }],
} as const;

export function maintenanceRoutes(table: RouteTable, m: MaintenanceService): void {
  table.add({
    method: 'get',
    path: '/api/maintenance/plans',
    summary: 'Maintenance plans the caller may see',
    tag: 'maintenance',
    auth: 'user',
    responses: { 200: { description: 'Plans', schema: listOf(planSchema) }, ...refused },
    handler: async ({ user }) => ({ body: { items: await m.listPlans(user) } }),
  });
  table.add<PlanBody>({
    method: 'post',
    path: '/api/maintenance/plans',
    summary: 'Create a maintenance plan; its workflow starts at once and opens each work order lead days before it is due',
    tag: 'maintenance',
    auth: 'user',
    body: planBody,
    responses: { 201: { description: 'Created', schema: planDetail }, 400: { description: 'Invalid body' }, 422: { description: 'Invalid recurrence, unknown asset or group' }, ...refused },
    handler: async ({ user, body }) => ({ status: 201, body: await m.createPlan(user, body) }),
  });
  table.add<PreviewBody>({
    method: 'post',
    path: '/api/maintenance/preview',
    summary: 'The next dates of a recurrence, computed by the same function the plan workflow uses',
    tag: 'maintenance',
    auth: 'user',
    scope: 'read',
    body: previewBody,
    responses: {
      200: { description: 'Dates', schema: { type: 'object', required: ['dates', 'dependsOnCompletion'], properties: { dates: { type: 'array', items: { type: 'string' } }, dependsOnCompletion: { type: 'boolean' } } } },
      400: { description: 'Invalid body' },
      422: { description: 'Invalid recurrence' },
      ...refused,
    },
    handler: ({ user, body }) => ({ body: m.preview(user, body) }),
  });
  table.add({
    method: 'get',
    path: '/api/maintenance/plans/:id',
    summary: 'A plan with its next due dates and its work orders',
    tag: 'maintenance',
    auth: 'user',
    responses: { 200: { description: 'Plan', schema: planDetail }, 404: { description: 'No such plan' }, ...refused },
    handler: async ({ user, params }) => ({ body: await m.getPlan(user, params.id) }),
  });
  table.add<PlanBody>({
    method: 'put',
    path: '/api/maintenance/plans/:id',
    summary: 'Edit a plan; the change applies from the next occurrence',
    tag: 'maintenance',
    auth: 'user',
    body: planBody,
    responses: { 200: { description: 'Plan', schema: planDetail }, 400: { description: 'Invalid body' }, 404: { description: 'No such plan' }, 409: { description: 'The plan has ended' }, 422: { description: 'Refused' }, ...refused },
    handler: async ({ user, params, body }) => ({ body: await m.editPlan(user, params.id, body) }),
  });
  table.add<unknown, { count?: string }>({
    method: 'get',
    path: '/api/maintenance/plans/:id/upcoming',
    summary: 'The next N due dates of a plan',
    tag: 'maintenance',
    auth: 'user',
    query: upcomingQuery,
    responses: { 200: { description: 'Dates', schema: listOf({ type: 'object' }) }, 400: { description: 'Bad query' }, 404: { description: 'No such plan' }, ...refused },
    handler: async ({ user, params, query }) => ({ body: { items: await m.upcoming(user, params.id, Number(query.count ?? 10)) } }),
  });
  const command = (name: 'pause' | 'resume' | 'skip' | 'postpone' | 'stop', summary: string, body?: object) =>
    table.add<{ backfill?: boolean; occurrence?: string; to?: string }>({
      method: 'post',
      path: `/api/maintenance/plans/:id/${name}`,
      summary,
      tag: 'maintenance',
      auth: 'user',
      ...(body ? { body } : {}),
      responses: { 200: { description: 'Plan', schema: planDetail }, 400: { description: 'Invalid body' }, 404: { description: 'No such plan' }, 409: { description: 'The plan has ended' }, 422: { description: 'Refused' }, ...refused },
      handler: async ({ user, params, body }) => ({ body: await m.command(user, params.id, name, body ?? {}) }),
    });
  command('pause', 'Pause a plan: no work order is opened until it resumes');
  command('resume', 'Resume a plan from its next due date; backfill=true also opens those missed while paused', resumeBody);
  command('skip', 'Skip one upcoming occurrence', occurrenceBody);
  command('postpone', 'Move one upcoming occurrence to a later date (body: occurrence, to)', occurrenceBody);
  command('stop', 'End a plan for good');
  table.add<unknown, { from: string; to: string }>({
    method: 'get',
    path: '/api/maintenance/calendar',
    summary: 'Work orders and planned occurrences due between two dates (at most a year)',
    tag: 'maintenance',
    auth: 'user',
    query: rangeQuery,
    responses: { 200: { description: 'Calendar', schema: listOf(workOrderSchema) }, 400: { description: 'Bad query' }, 422: { description: 'Bad range' }, ...refused },
    handler: async ({ user, query }) => ({ body: { items: await m.calendar(user, query.from, query.to) } }),
  });
  table.add({
    method: 'get',
    path: '/api/maintenance/overdue',
    summary: 'Work orders past their due date and not done',
    tag: 'maintenance',
    auth: 'user',
    responses: { 200: { description: 'Overdue work orders', schema: listOf(workOrderSchema) }, ...refused },
    handler: async ({ user }) => ({ body: { items: await m.overdue(user) } }),
  });
  table.add<unknown, { by?: 'plan' | 'asset' | 'group' }>({
    method: 'get',
    path: '/api/maintenance/compliance',
    summary: 'PM compliance: work orders done on time out of those due, per plan, asset or group',
    tag: 'maintenance',
    auth: 'user',
    query: complianceQuery,
    responses: {
      200: {
        description: 'Compliance',
        schema: listOf({ type: 'object', required: ['key', 'label', 'due', 'onTime', 'rate'], properties: { key: { type: 'string' }, label: { type: 'string' }, due: { type: 'integer' }, onTime: { type: 'integer' }, rate: { type: ['number', 'null'] } } }),
      },
      400: { description: 'Bad query' },
      ...refused,
    },
    handler: async ({ user, query }) => ({ body: { items: await m.compliance(user, query.by ?? 'plan') } }),
  });
  table.add({
    method: 'get',
    path: '/api/maintenance/work-orders/:id/checklist',
    summary: "A work order's checklist",
    tag: 'maintenance',
    auth: 'user',
    responses: { 200: { description: 'Checklist', schema: checklistSchema }, 404: { description: 'No such work order' }, ...refused },
    handler: async ({ user, params }) => ({ body: await m.workOrders.checklist(user, params.id) }),
  });
  table.add<{ done: boolean; reading?: number | null; note?: string | null }>({
    method: 'put',
    path: '/api/maintenance/work-orders/:id/checklist/:item',
    summary: 'Tick (or untick) a checklist item with its reading or note',
    tag: 'maintenance',
    auth: 'user',
    body: checklistTickBody,
    responses: { 200: { description: 'Checklist', schema: checklistSchema }, 400: { description: 'Invalid body' }, 404: { description: 'No such work order or item' }, 409: { description: 'Work order finished' }, 422: { description: 'Reading or note required' }, ...refused },
    handler: async ({ user, params, body }) => ({ body: await m.workOrders.tick(user, params.id, params.item, body) }),
  });
  table.add<{ title: string; description?: string; itemId?: string; priority?: 'low' | 'medium' | 'high' | 'critical' }>({
    method: 'post',
    path: '/api/maintenance/work-orders/:id/incident',
    summary: 'Open an incident on the work order’s asset from a failed check, related to the work order',
    tag: 'maintenance',
    auth: 'user',
    body: failedCheckBody,
    responses: { 201: { description: 'The incident', schema: { type: 'object', required: ['id', 'number'], properties: { id: { type: 'string' }, number: { type: 'string' } } } }, 400: { description: 'Invalid body' }, 404: { description: 'No such work order or item' }, 422: { description: 'Refused' }, ...refused },
    handler: async ({ user, params, body }) => ({ status: 201, body: await m.workOrders.openIncident(user, params.id, body) }),
  });
}
