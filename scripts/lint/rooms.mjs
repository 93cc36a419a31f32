// An ESLint rule: a room (top-level folder) imports only from the rooms below it, and workflow code takes only types
// from activities (it must stay deterministic). The order is the one CONTRIBUTING.md draws.
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** What each room may import from, besides itself. Rooms not listed (tests, bench, scripts) may import any room. */
export const ALLOWED = {
  'workflow-definitions': [],
  workflows: ['workflow-definitions', 'activities'],
  platform: ['workflow-definitions', 'workflows'],
  mail: ['workflow-definitions', 'platform'],
  webhooks: ['workflow-definitions', 'workflows', 'platform'],
  activities: ['workflow-definitions', 'workflows', 'platform', 'mail', 'webhooks'],
  api: ['workflow-definitions', 'workflows', 'platform', 'mail', 'webhooks', 'activities'],
  worker: ['workflow-definitions', 'workflows', 'platform', 'mail', 'webhooks', 'activities'],
  // The console is built for the browser: only pure shapes (definitions, the webhook event list) cross into it.
  web: ['workflow-definitions', 'webhooks'],
  // First-party plug-ins are written as anyone's would be: against the plug-in API's contract only (checked below).
  plugins: ['platform'],
};

/** The one file of platform/ a plug-in may import. */
const PLUGIN_CONTRACT = path.join(ROOT, 'platform', 'plugins', 'v1');

const ROOMS = new Set([...Object.keys(ALLOWED), 'tests', 'bench', 'scripts']);

/** The room a file is in; files at the top (package.json, configs) are in none. */
const roomOf = (file) => {
  const [first, ...rest] = path.relative(ROOT, file).split(path.sep);
  return rest.length && ROOMS.has(first) ? first : null;
};

export const roomsRule = {
  meta: {
    type: 'problem',
    docs: { description: 'forbid imports from a room above (see CONTRIBUTING.md) and value imports of activities into workflows' },
    messages: {
      upward: "'{{from}}' may not import from '{{to}}': rooms import only from the rooms below them ({{allowed}}).",
      contract: "a plug-in imports only the plug-in API's contract (platform/plugins/v1), never the desk's own modules.",
      typeOnly: 'workflow code may import only types from activities (use `import type`): activities do I/O, workflows must stay deterministic.',
    },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const from = roomOf(file);
    const allowed = from && ALLOWED[from];
    if (!allowed) return {};
    const check = (node, source, typeOnly) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), source);
      const to = roomOf(target);
      if (!to || to === from) return;
      if (from === 'plugins' && target.replace(/\.(ts|js)$/, '') !== PLUGIN_CONTRACT) {
        context.report({ node, messageId: 'contract' });
        return;
      }
      if (!allowed.includes(to)) {
        context.report({ node, messageId: 'upward', data: { from, to, allowed: allowed.join(', ') || 'none' } });
      } else if (from === 'workflows' && to === 'activities' && !typeOnly) {
        context.report({ node, messageId: 'typeOnly' });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value, node.importKind === 'type' || (node.specifiers.length > 0 && node.specifiers.every((s) => s.importKind === 'type'))),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value, node.exportKind === 'type'),
      ExportAllDeclaration: (node) => check(node, node.source.value, node.exportKind === 'type'),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value, false),
    };
  },
};
