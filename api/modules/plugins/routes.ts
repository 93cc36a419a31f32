// The plug-ins' own routes, mounted under /api/plugins/{name}/ and documented with the desk's, and the admin's
// endpoints to see every plug-in and fill in its settings.
import type { RouteTable } from '../../http/routes';
import { ProblemError } from '../../http/problem';
import type { PluginSet } from '../../../platform/plugins/loader';
import { pluginActionListSchema, pluginListSchema, pluginSchema, pluginSettingsBody } from './schemas';
import type { PluginAdmin } from './service';
import type { PluginSchedules } from './schedules';
import type { PluginPanels } from './panels';
import type { PluginPages } from './pages';
import { pageContentSchema, panelContentSchema } from './content';

const isPluginError = (err: unknown): err is { status: number; message: string } =>
  (err as Error)?.name === 'PluginError' && Number.isInteger((err as { status?: unknown }).status);

/** Whether a request is for a plug-in's public route (its Authorization header is then the plug-in's, see v1.ts). */
export function publicPluginRoutes(set: PluginSet | null): (method: string, path: string) => boolean {
  const routes = (set?.loaded() ?? []).flatMap((plugin) =>
    plugin.routes
      .filter((r) => r.access === 'public')
      .map((r) => ({ method: r.method.toUpperCase(), path: new RegExp(`^/api/plugins/${plugin.name}${r.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]\w*/g, '[^/]+')}/?$`, 'i') })),
  );
  return (method, path) => routes.some((r) => r.method === method && r.path.test(path));
}

/** A plug-in's routes reach only its own handler: its faults are its own 5xx, reported on the admin page. */
export function mountPluginRoutes(table: RouteTable, set: PluginSet): void {
  for (const plugin of set.loaded()) {
    for (const route of plugin.routes) {
      const access = route.access === 'public' ? ({ auth: 'public' } as const) : route.access === 'user' ? ({ auth: 'user' } as const) : ({ auth: 'user', scope: 'admin', permission: 'admin.integrations' } as const);
      table.add<unknown, Record<string, unknown>>({
        ...access,
        method: route.method,
        path: `/api/plugins/${plugin.name}${route.path}`,
        summary: `${route.summary} (plug-in ${plugin.name})`,
        tag: `plugin: ${plugin.name}`,
        body: route.body,
        query: route.query,
        responses: { 200: { description: 'Answered by the plug-in', schema: route.response }, 503: { description: "The plug-in's settings are incomplete" } },
        handler: async ({ body, query, params, user, ctx }) => {
          const form = Boolean(ctx.is('application/x-www-form-urlencoded'));
          if (ctx.request.length && form !== (route.bodyFormat === 'form')) {
            throw new ProblemError(415, 'unsupported-media-type', 'Unsupported media type', `send the body as ${route.bodyFormat === 'form' ? 'application/x-www-form-urlencoded' : 'application/json'}`);
          }
          const rawBody = (ctx.request as { rawBody?: string }).rawBody ?? '';
          const headers = Object.fromEntries(Object.entries(ctx.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : (v ?? '')]));
          try {
            // Without a query schema the plug-in reads the query as sent (strings).
            const reply = await route.handler({ body, rawBody, headers, query: query ?? { ...ctx.query }, params: { ...params }, caller: user ? { id: user.id, email: user.email, role: user.role } : undefined });
            return { status: reply.status, body: reply.body };
          } catch (err) {
            if ((err as Error)?.name === 'PluginNotConfigured') throw new ProblemError(503, 'plugin-not-configured', 'Service unavailable', `the plug-in ${plugin.name} is not configured yet: an admin fills in its settings`);
            if (isPluginError(err) && err.status >= 400 && err.status < 500) throw new ProblemError(err.status, 'plugin-refused', 'Refused by the plug-in', err.message);
            await set.report(plugin, 'route', err);
            throw new ProblemError(500, 'plugin-failed', 'Internal server error', `the plug-in ${plugin.name} failed; the error is on its admin page`);
          }
        },
      });
    }
  }
}

export function pluginAdminRoutes(table: RouteTable, admin: PluginAdmin, schedules: PluginSchedules): void {
  const common = { tag: 'plugins', auth: 'user', scope: 'admin', permission: 'admin.integrations' } as const;
  table.add({
    ...common,
    method: 'get',
    path: '/api/plugins',
    summary: 'Plug-ins named by PLUGINS: status, settings (secrets left out), what each adds and its recent errors (admin)',
    responses: { 200: { description: 'Plug-ins', schema: pluginListSchema } },
    handler: async ({ user }) => ({ body: await admin.list(user.locale) }),
  });
  table.add({
    ...common,
    permission: 'admin.definitions',
    method: 'get',
    path: '/api/plugins/actions',
    summary: "Actions of loaded plug-ins that definitions' escalations and automation rules may run, with the schema of their values (admin)",
    responses: { 200: { description: 'Plug-in actions', schema: pluginActionListSchema } },
    handler: ({ user }) => ({ body: admin.actions(user.locale) }),
  });
  table.add<Record<string, unknown>>({
    ...common,
    method: 'put',
    path: '/api/plugins/:name/settings',
    summary: "Replace a plug-in's settings, checked against its schema; a secret left out keeps its value, null clears it (admin)",
    body: pluginSettingsBody,
    audits: { entity: 'plugin_settings', id: ({ params }) => params.name },
    responses: { 200: { description: 'The plug-in, with its settings', schema: pluginSchema }, 404: { description: 'No such plug-in' }, 422: { description: 'The settings do not match the schema: each error names its setting' } },
    handler: async ({ params, body, user }) => ({ body: await admin.saveSettings(params.name!, body, user.id, user.locale) }),
  });
  table.add({
    ...common,
    method: 'post',
    path: '/api/plugins/:name/schedules/:key/runs',
    summary: "Run a plug-in's schedule now, in the worker; its outcome appears among the schedule's runs (admin)",
    responses: {
      202: { description: 'Started', schema: { type: 'object', required: ['id'], properties: { id: { type: 'string', description: 'The run, as listed in the schedule\'s runs' } } } },
      404: { description: 'No such plug-in or schedule' },
      409: { description: 'A run is already going on, or the plug-in is not configured' },
    },
    handler: async ({ params }) => ({ status: 202, body: await schedules.runNow(params.name!, params.key!) }),
  });
}

const panelSchema = { type: 'object', required: ['plugin', 'key', 'title'], properties: { plugin: { type: 'string' }, key: { type: 'string' }, title: { type: 'string' } } } as const;

export function pluginPanelRoutes(table: RouteTable, panels: PluginPanels): void {
  table.add({
    method: 'get',
    path: '/api/tickets/:id/panels',
    summary: "The plug-ins' panels beside a ticket, titled in the caller's language (agents and admins)",
    tag: 'plugins',
    auth: 'user',
    responses: { 200: { description: 'Panels', schema: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: panelSchema } } } }, 403: { description: 'Customers see no panels' }, 404: { description: 'No such ticket' } },
    handler: async ({ user, params }) => ({ body: await panels.list(user, params.id!) }),
  });
  table.add({
    method: 'get',
    path: '/api/tickets/:id/panels/:plugin/:key',
    summary: "One plug-in panel's content for a ticket: text, labelled values and links (agents and admins)",
    tag: 'plugins',
    auth: 'user',
    responses: {
      200: { description: 'The panel', schema: { type: 'object', required: ['plugin', 'key', 'title', 'content'], properties: { ...panelSchema.properties, content: panelContentSchema } } },
      403: { description: 'Customers see no panels' },
      404: { description: 'No such ticket, or no such panel among running plug-ins' },
      502: { description: 'The plug-in failed, or answered what the console cannot show' },
      503: { description: "The plug-in's settings are incomplete" },
    },
    handler: async ({ user, params }) => ({ body: await panels.content(user, params.id!, params.plugin!, params.key!) }),
  });
}

const pageSchema = { type: 'object', required: ['plugin', 'key', 'title', 'access'], properties: { ...panelSchema.properties, access: { type: 'string', enum: ['staff', 'admin'] } } } as const;

export function pluginPageRoutes(table: RouteTable, pages: PluginPages): void {
  table.add({
    method: 'get',
    path: '/api/plugins/pages',
    summary: "The console pages of running plug-ins the caller may open, titled in the caller's language (agents and admins)",
    tag: 'plugins',
    auth: 'user',
    responses: { 200: { description: 'Pages', schema: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: pageSchema } } } }, 403: { description: 'Customers see no plug-in pages' } },
    handler: async ({ user }) => ({ body: await pages.list(user) }),
  });
  table.add({
    method: 'get',
    path: '/api/plugins/pages/:plugin/:key',
    summary: "One plug-in page's content: text, labelled values, links and a table (agents and admins; admin pages to admins)",
    tag: 'plugins',
    auth: 'user',
    responses: {
      200: { description: 'The page', schema: { type: 'object', required: ['plugin', 'key', 'title', 'content'], properties: { ...panelSchema.properties, content: pageContentSchema } } },
      403: { description: 'Customers, or an agent opening an admin page' },
      404: { description: 'No such page among running plug-ins' },
      502: { description: 'The plug-in failed, or answered what the console cannot show' },
      503: { description: "The plug-in's settings are incomplete" },
    },
    handler: async ({ user, params }) => ({ body: await pages.content(user, params.plugin!, params.key!) }),
  });
}
