// What plug-ins hand the console (panels, pages) is loaded within a time limit and checked before it reaches it:
// plain text and http(s) links only, so a plug-in can never put markup or script in front of an agent.
import { ProblemError } from '../../http/problem';
import { ajv } from '../../http/validation';
import type { LoadedPlugin, PluginSet } from '../../../platform/plugins/loader';
import { withinTime } from '../../../platform/plugins/time-limit';

/** How long a panel or a page may take: someone is waiting for the screen. */
const LOAD_TIMEOUT_MS = 5000;

const link = { type: 'string', maxLength: 2000, pattern: '^https?://' } as const;
const text = (max: number) => ({ type: 'string', maxLength: max }) as const;
const contentProperties = {
  summary: text(2000),
  rows: {
    type: 'array',
    maxItems: 50,
    items: { type: 'object', required: ['label', 'value'], additionalProperties: false, properties: { label: text(200), value: text(2000), href: link } },
  },
  links: { type: 'array', maxItems: 20, items: { type: 'object', required: ['label', 'href'], additionalProperties: false, properties: { label: text(200), href: link } } },
} as const;

export const panelContentSchema = { type: 'object', additionalProperties: false, properties: contentProperties } as const;
export const pageContentSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...contentProperties,
    table: {
      type: 'object',
      required: ['columns', 'rows'],
      additionalProperties: false,
      properties: { columns: { type: 'array', maxItems: 20, items: text(200) }, rows: { type: 'array', maxItems: 1000, items: { type: 'array', maxItems: 20, items: text(2000) } } },
    },
  },
} as const;

/** Plug-ins that run now (loaded, settings complete) and add what `has` looks for. */
export async function runningPlugins(set: PluginSet | null, has: (p: LoadedPlugin) => boolean): Promise<LoadedPlugin[]> {
  const candidates = (set?.loaded() ?? []).filter(has);
  const ready = await Promise.all(candidates.map(async (p) => ((await set!.settings.current(p.manifest!)).problems.length ? null : p)));
  return ready.filter((p): p is LoadedPlugin => p !== null);
}

export function titleIn(title: string | { en: string; fr: string }, locale: string): string;
export function titleIn(title: string | { en: string; fr: string } | null, locale: string): string | null;
export function titleIn(title: string | { en: string; fr: string } | null, locale: string): string | null {
  return title === null || typeof title === 'string' ? title : locale === 'fr' ? title.fr : title.en;
}

/** `load`'s answer once checked against `schema`; the plug-in's fault (a throw, a hang, bad content) is its 502, reported. */
export async function loadContent<T>(set: PluginSet, plugin: LoadedPlugin, what: string, load: () => Promise<T>, schema: object): Promise<T> {
  let content: T;
  try {
    content = await withinTime(load, LOAD_TIMEOUT_MS, `${what} did not answer within ${LOAD_TIMEOUT_MS / 1000} s`);
  } catch (err) {
    if ((err as Error)?.name === 'PluginNotConfigured') throw new ProblemError(503, 'plugin-not-configured', 'Service unavailable', `the plug-in ${plugin.name} is not configured yet`);
    await set.report(plugin, 'route', err);
    throw new ProblemError(502, 'plugin-failed', 'Bad gateway', `the ${what} of ${plugin.name} failed; the error is on the plug-in's admin page`);
  }
  const check = ajv.compile(schema);
  if (!check(content)) {
    await set.report(plugin, 'route', new Error(`${what} answered content the console cannot show: ${ajv.errorsText(check.errors)}`));
    throw new ProblemError(502, 'plugin-failed', 'Bad gateway', `the ${what} of ${plugin.name} answered content the console cannot show`);
  }
  return content;
}
