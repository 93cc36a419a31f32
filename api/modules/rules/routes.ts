// Automation rule endpoints (admin): the rules in the order they run, their versions, and the dry run.
import type { RouteTable } from '../../http/routes';
import { listOf } from '../../http/shapes';
import type { RuleBody } from '../../../workflow-definitions/rules/schema';
import { dryRunBody, dryRunSchema, ruleBodySchema, rulePatchSchema, ruleSchema, ruleVersionSchema } from './schemas';
import type { RulePatch, RuleService } from './service';

const invalid = { 422: { description: 'Invalid: each error names its element (an unknown field, queue, state, transition, macro or agent; an operator that does not suit its subject)' } };

export function ruleRoutes(table: RouteTable, rules: RuleService): void {
  const common = { tag: 'rules', auth: 'user', scope: 'admin', permission: 'admin.definitions' } as const;
  table.add({
    ...common,
    method: 'get',
    path: '/api/rules',
    summary: 'Automation rules, in the order they run for each ticket event (admin)',
    responses: { 200: { description: 'Rules', schema: listOf(ruleSchema) } },
    handler: async () => ({ body: await rules.list() }),
  });
  table.add<RuleBody>({
    ...common,
    method: 'post',
    path: '/api/rules',
    summary: 'Add a rule at the end of the list; it runs from the next ticket event on once enabled (admin)',
    body: ruleBodySchema,
    audits: { entity: 'automation_rule', id: ({ reply }) => (reply as { id?: string } | undefined)?.id },
    responses: { 201: { description: 'The rule', schema: ruleSchema }, 409: { description: 'The name is taken, or the desk holds the most rules it may' }, ...invalid },
    handler: async ({ user, body }) => ({ status: 201, body: await rules.create(user, body) }),
  });
  table.add<{ rule: RuleBody; days?: number }>({
    ...common,
    method: 'post',
    path: '/api/rules/dry-run',
    summary: 'Dry run (admin): the tickets a rule would have fired on over the last days of real events, and what it would have changed; changes nothing',
    body: dryRunBody,
    responses: { 200: { description: 'What the rule would have done', schema: dryRunSchema }, ...invalid },
    handler: async ({ body }) => ({ body: await rules.dryRun(body.rule, body.days ?? 30) }),
  });
  table.add({
    ...common,
    method: 'get',
    path: '/api/rules/:id',
    summary: 'One rule (admin)',
    responses: { 200: { description: 'The rule', schema: ruleSchema }, 404: { description: 'No such rule' } },
    handler: async ({ params }) => ({ body: await rules.get(params.id!) }),
  });
  table.add({
    ...common,
    method: 'get',
    path: '/api/rules/:id/versions',
    summary: "A rule's versions, newest first: who changed it, when, and the whole rule after each change (admin)",
    responses: { 200: { description: 'Versions', schema: listOf(ruleVersionSchema) }, 404: { description: 'No such rule' } },
    handler: async ({ params }) => ({ body: await rules.versions(params.id!) }),
  });
  table.add<RulePatch>({
    ...common,
    method: 'patch',
    path: '/api/rules/:id',
    summary: 'Change, enable, disable or move a rule; a new version, applied from the next ticket event on (admin)',
    body: rulePatchSchema,
    audits: { entity: 'automation_rule', id: ({ params }) => params.id },
    responses: { 200: { description: 'The rule', schema: ruleSchema }, 404: { description: 'No such rule' }, 409: { description: 'The name is taken' }, ...invalid },
    handler: async ({ user, params, body }) => ({ body: await rules.update(user, params.id!, body) }),
  });
  table.add({
    ...common,
    method: 'delete',
    path: '/api/rules/:id',
    summary: 'Delete a rule; its versions stay for the record (admin)',
    audits: { entity: 'automation_rule', id: ({ params }) => params.id },
    responses: { 204: { description: 'Deleted' }, 404: { description: 'No such rule' } },
    handler: async ({ user, params }) => {
      await rules.remove(user, params.id!);
      return {};
    },
  });
}
