// Shapes of the plug-in admin endpoints.
import { listOf } from '../../http/shapes';

const problem = { type: 'object', required: ['pointer', 'message'], properties: { pointer: { type: 'string' }, message: { type: 'string' } } } as const;

const count = { type: 'integer', minimum: 0 } as const;

export const scheduleRunSchema = {
  type: 'object',
  required: ['id', 'trigger', 'status', 'report', 'error', 'startedAt', 'finishedAt'],
  properties: {
    id: { type: 'string' },
    trigger: { type: 'string', enum: ['schedule', 'admin'] },
    status: { type: 'string', enum: ['running', 'succeeded', 'failed'] },
    report: {
      type: ['object', 'null'],
      required: ['created', 'updated', 'unchanged', 'skipped', 'notes'],
      properties: { created: count, updated: count, unchanged: count, skipped: count, notes: { type: 'array', items: { type: 'string' } } },
    },
    error: { type: ['string', 'null'] },
    startedAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

/** Work a plug-in runs on a Temporal schedule in the worker, with its recent runs. */
const scheduleSchema = {
  type: 'object',
  required: ['key', 'title', 'everyMinutes', 'paused', 'nextRunAt', 'runs'],
  properties: {
    key: { type: 'string' },
    title: { type: 'string' },
    /** Minutes between runs under the current settings; null: off (paused). */
    everyMinutes: { type: ['integer', 'null'] },
    /** null: Temporal could not be asked just now. */
    paused: { type: ['boolean', 'null'] },
    nextRunAt: { type: ['string', 'null'], format: 'date-time' },
    /** The last ten, newest first. */
    runs: { type: 'array', items: scheduleRunSchema },
  },
} as const;

export const pluginSchema = {
  type: 'object',
  required: ['name', 'entry', 'version', 'description', 'status', 'error', 'settingsSchema', 'settings', 'routes', 'listeners', 'panels', 'actions', 'pages', 'schedules', 'backgrounds', 'migrations', 'recentErrors'],
  properties: {
    name: { type: 'string' },
    /** The PLUGINS entry it was loaded from. */
    entry: { type: 'string' },
    version: { type: ['string', 'null'] },
    description: { type: ['string', 'null'] },
    /** failed: not running (see error); not_configured: loaded, waiting for valid settings; running. */
    status: { type: 'string', enum: ['running', 'not_configured', 'failed'] },
    error: { type: ['string', 'null'] },
    settingsSchema: { type: ['object', 'null'] },
    settings: {
      type: 'object',
      required: ['values', 'secretsSet', 'problems', 'updatedAt'],
      properties: {
        values: { type: 'object' },
        secretsSet: { type: 'array', items: { type: 'string' } },
        problems: { type: 'array', items: problem },
        updatedAt: { type: ['string', 'null'], format: 'date-time' },
      },
    },
    routes: {
      type: 'array',
      items: { type: 'object', required: ['method', 'path', 'summary', 'access'], properties: { method: { type: 'string' }, path: { type: 'string' }, summary: { type: 'string' }, access: { type: 'string' } } },
    },
    listeners: { type: 'integer' },
    /** Keys of its ticket-side panels. */
    panels: { type: 'array', items: { type: 'string' } },
    /** Names of the actions definitions and rules may run. */
    actions: { type: 'array', items: { type: 'string' } },
    /** Keys of its console pages. */
    pages: { type: 'array', items: { type: 'string' } },
    schedules: { type: 'array', items: scheduleSchema },
    /** Titles of its background tasks (run in one API process at a time). */
    backgrounds: { type: 'array', items: { type: 'string' } },
    migrations: { type: 'array', items: { type: 'string' } },
    recentErrors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['at', 'process', 'phase', 'message'],
        properties: {
          at: { type: 'string', format: 'date-time' },
          process: { type: 'string', enum: ['api', 'worker'] },
          phase: { type: 'string', enum: ['load', 'migration', 'route', 'listener', 'action', 'schedule', 'background'] },
          message: { type: 'string' },
        },
      },
    },
  },
} as const;

export const pluginListSchema = listOf(pluginSchema);

export const pluginActionListSchema = listOf({
  type: 'object',
  required: ['plugin', 'name', 'title', 'schema'],
  properties: { plugin: { type: 'string' }, name: { type: 'string' }, title: { type: 'string' }, schema: { type: ['object', 'null'], description: 'JSON Schema of the action\'s `with`' } },
} as const);

/** Values by setting name; a secret left out keeps its saved value, null clears it. */
export const pluginSettingsBody = { type: 'object', maxProperties: 200 } as const;
