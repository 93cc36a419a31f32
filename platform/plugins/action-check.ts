// Checks what definitions and rules ask of plug-ins: the plug-in is loaded, it has the action, and `with` matches the
// action's schema. A plug-in that failed to load makes its actions unknown, so nothing is saved that could not run.
import type { PluginSet } from './loader';
import { compileSchema, problemsOf, type SchemaProblem } from './schema-check';

export interface PluginActionRequest {
  plugin: string;
  run: string;
  with?: Record<string, unknown>;
}

/** The problems of one request, each pointer below `at` (the request's own pointer in the document). */
export function pluginActionProblems(set: PluginSet | null, request: PluginActionRequest, at: string): SchemaProblem[] {
  const plugin = set?.loaded().find((p) => p.name === request.plugin);
  if (!plugin) return [{ pointer: `${at}/plugin`, message: `no plug-in named '${request.plugin}' is loaded` }];
  const action = plugin.actions.find((a) => a.name === request.run);
  if (!action) return [{ pointer: `${at}/run`, message: `the plug-in ${plugin.name} has no action '${request.run}' (it has: ${plugin.actions.map((a) => a.name).join(', ') || 'none'})` }];
  if (!action.schema) return [];
  const validate = compileSchema(action.schema);
  return validate(structuredClone(request.with ?? {})) ? [] : problemsOf(validate.errors).map((p) => ({ pointer: `${at}/with${p.pointer}`, message: p.message }));
}
