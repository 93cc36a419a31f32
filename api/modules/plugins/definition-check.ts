// Plug-in actions in definitions and rules are checked against the plug-ins this API loaded: the plug-in, its action,
// and `with` against the action's schema, each error at its element.
import type { DefinitionError, WorkflowDefinition } from '../../../workflow-definitions/index';
import { pluginActionProblems } from '../../../platform/plugins/action-check';
import type { PluginSet } from '../../../platform/plugins/loader';

export const pluginActionCheck = (set: PluginSet | null) => (request: { plugin: string; run: string; with?: Record<string, unknown> }, at: string) => pluginActionProblems(set, request, at);

/** Every plug-in action of a definition (escalations, approvals' escalations) that could not run here. */
export function definitionPluginErrors(set: PluginSet | null) {
  return (def: WorkflowDefinition): DefinitionError[] => [
    ...(def.escalations ?? []).flatMap((e, i) => e.actions.flatMap((a, j) => (a.type === 'plugin' ? pluginActionProblems(set, a, `/escalations/${i}/actions/${j}`) : []))),
    ...def.states.flatMap((s, k) => (s.approval?.escalate ?? []).flatMap((a, j) => (a.type === 'plugin' ? pluginActionProblems(set, a, `/states/${k}/approval/escalate/${j}`) : []))),
  ];
}
