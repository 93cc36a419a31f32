// SLA policy endpoints (admin): targets and calendars for the tickets of chosen customer organisations.
import type { RouteTable } from '../../http/routes';
import { listOf } from '../../http/shapes';
import { slaPolicyBody, slaPolicyPatch, slaPolicySchema, slaPreviewBody, slaPreviewSchema } from './schemas';
import type { SlaPolicyBody, SlaPolicyService } from './service';

const invalid = { 422: { description: 'Invalid: each error names its element (an organisation already in another policy, an unknown time zone, a resolution before the first response)' } };

export function slaPolicyRoutes(table: RouteTable, policies: SlaPolicyService): void {
  const common = { tag: 'sla-policies', auth: 'user', scope: 'admin', permission: 'admin.definitions' } as const;
  table.add({
    ...common,
    method: 'get',
    path: '/api/sla-policies',
    summary: 'SLA policies of customer organisations (admin)',
    responses: { 200: { description: 'Policies', schema: listOf(slaPolicySchema) } },
    handler: async () => ({ body: { items: await policies.list() } }),
  });
  table.add<SlaPolicyBody>({
    ...common,
    method: 'post',
    path: '/api/sla-policies',
    summary: "Add an SLA policy: its targets replace the definitions' for tickets opened from then on by its organisations (admin)",
    body: slaPolicyBody,
    audits: { entity: 'sla_policy', id: ({ reply }) => (reply as { id?: string } | undefined)?.id },
    responses: { 201: { description: 'The policy', schema: slaPolicySchema }, 409: { description: 'An organisation was taken meanwhile' }, ...invalid },
    handler: async ({ body }) => ({ status: 201, body: await policies.create(body) }),
  });
  table.add<Pick<SlaPolicyBody, 'organisationIds' | 'calendar' | 'targets'> & { days?: number }>({
    ...common,
    method: 'post',
    path: '/api/sla-policies/preview',
    summary: "Dry run (admin): how the organisations' tickets of the last days would have done under these targets, beside how they did; changes nothing",
    body: slaPreviewBody,
    responses: { 200: { description: 'The outcomes, and the tickets whose outcome would differ', schema: slaPreviewSchema }, 422: { description: 'An invalid calendar' } },
    handler: async ({ body }) => ({ body: await policies.preview(body, body.days ?? 30) }),
  });
  table.add({
    ...common,
    method: 'get',
    path: '/api/sla-policies/:id',
    summary: 'One SLA policy (admin)',
    responses: { 200: { description: 'The policy', schema: slaPolicySchema }, 404: { description: 'No such policy' } },
    handler: async ({ params }) => ({ body: await policies.get(params.id!) }),
  });
  table.add<Partial<SlaPolicyBody>>({
    ...common,
    method: 'patch',
    path: '/api/sla-policies/:id',
    summary: 'Change an SLA policy; tickets already open keep the targets they opened with (admin)',
    body: slaPolicyPatch,
    audits: { entity: 'sla_policy', id: ({ params }) => params.id },
    responses: { 200: { description: 'The policy', schema: slaPolicySchema }, 404: { description: 'No such policy' }, 409: { description: 'An organisation was taken meanwhile' }, ...invalid },
    handler: async ({ params, body }) => ({ body: await policies.update(params.id!, body) }),
  });
  table.add({
    ...common,
    method: 'delete',
    path: '/api/sla-policies/:id',
    summary: 'Delete an SLA policy; its tickets keep the targets they opened with (admin)',
    audits: { entity: 'sla_policy', id: ({ params }) => params.id },
    responses: { 204: { description: 'Deleted' }, 404: { description: 'No such policy' } },
    handler: async ({ params }) => {
      await policies.remove(params.id!);
      return {};
    },
  });
}
