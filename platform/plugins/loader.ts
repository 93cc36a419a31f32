// Loads the plug-ins PLUGINS names, each on its own: one that cannot be read, migrated or registered is marked failed,
// reported (log and admin page) and left out, and the desk starts without it.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type pg from 'pg';
import type { Logger } from '../logger';
import type { SecretBox } from '../secret-box';
import type { PluginErrorLog, PluginPhase } from './errors';
import { pluginFolder, readManifest } from './manifest';
import { applyPluginMigrations } from './migrations';
import { compileSchema } from './schema-check';
import { withinTime } from './time-limit';
import { PluginSettingsStore } from './settings';
import { pluginDirectory } from './directory';
import {
  PLUGIN_API_VERSION,
  PluginError,
  PluginNotConfigured,
  type GuichetPlugin,
  type PluginHost,
  type PluginManifest,
  type PluginAction,
  type PluginBackground,
  type PluginMailResult,
  type PluginTickets,
  type PluginPage,
  type PluginRoute,
  type PluginSchedule,
  type PluginTicketListener,
  type PluginTicketPanel,
} from './v1';

export interface LoadedPlugin {
  /** The PLUGINS entry it came from. */
  entry: string;
  /** The manifest's name, or the entry while the manifest could not be read. */
  name: string;
  folder: string | null;
  manifest: PluginManifest | null;
  status: 'loaded' | 'failed';
  /** Why it failed to load. */
  error: string | null;
  routes: PluginRoute[];
  listeners: PluginTicketListener[];
  panels: PluginTicketPanel[];
  actions: PluginAction[];
  pages: PluginPage[];
  schedules: PluginSchedule[];
  backgrounds: PluginBackground[];
  /** Its own migrations applied so far (as the API last saw them). */
  migrations: string[];
}

export interface PluginRuntime {
  process: 'api' | 'worker';
  /** The desk's database for plug-ins' own queries, their settings and their errors. */
  pool: pg.Pool;
  box: SecretBox;
  log: Logger;
  errors: PluginErrorLog;
  /** Where relative PLUGINS entries and npm package names are resolved from. */
  cwd: string;
}

/** How long a plug-in's register() may take before it counts as hung. */
const REGISTER_TIMEOUT_MS = 10_000;
const ROUTE_PATH = /^(\/(:?[A-Za-z0-9_.-]+))+$/;

/** The SMTP intake's limit, for mail plug-ins hand over too. */
const MAX_MAIL_BYTES = 30 * 1024 * 1024;

/** How often errors that could not be recorded yet are tried again. */
const PENDING_RETRY_MS = 2000;

export class PluginSet {
  readonly settings: PluginSettingsStore;
  private pending: { plugin: string; phase: PluginPhase; message: string }[] = [];
  private retry: NodeJS.Timeout | undefined;
  private flushing = false;
  private intake: ((raw: Buffer, mailbox: string) => Promise<PluginMailResult>) | undefined;
  private ticketAccess: PluginTickets | undefined;

  constructor(
    readonly plugins: LoadedPlugin[],
    readonly runtime: PluginRuntime,
  ) {
    this.settings = new PluginSettingsStore(runtime.pool, runtime.box);
  }

  /** The API hands over its mail intake once it has one; until then (and in the worker) plug-ins cannot pass mail on. */
  attachMailIntake(intake: (raw: Buffer, mailbox: string) => Promise<PluginMailResult>): void {
    this.intake = intake;
  }

  receiveMail(raw: Uint8Array, mailbox: string): Promise<PluginMailResult> {
    if (raw.byteLength > MAX_MAIL_BYTES) return Promise.reject(new Error(`the message is larger than ${MAX_MAIL_BYTES / 1024 / 1024} MB, the most the mail intake takes`));
    if (!this.intake) return Promise.reject(new Error(`mail is taken in by the API; this ${this.runtime.process} has no mail intake`));
    return this.intake(Buffer.from(raw), mailbox);
  }

  /** The API hands over ticket access once its services exist; the worker has none. */
  attachTickets(tickets: PluginTickets): void {
    this.ticketAccess = tickets;
  }

  /** What `host.tickets` answers: the API's, or a refusal naming the process. */
  readonly tickets: PluginTickets = {
    get: (id, as) => this.withTickets((t) => t.get(id, as)),
    transitions: (id, as) => this.withTickets((t) => t.transitions(id, as)),
    act: (id, as, action) => this.withTickets((t) => t.act(id, as, action)),
  };

  private withTickets<T>(use: (t: PluginTickets) => Promise<T>): Promise<T> {
    if (!this.ticketAccess) return Promise.reject(new Error(`tickets are changed through the API; this ${this.runtime.process} cannot`));
    return use(this.ticketAccess);
  }

  loaded(): LoadedPlugin[] {
    return this.plugins.filter((p) => p.status === 'loaded');
  }

  /** Reports an error a plug-in raised; `load` and `migration` errors also take it out of this process. */
  async report(plugin: LoadedPlugin, phase: PluginPhase, err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    if (phase === 'load' || phase === 'migration') {
      plugin.status = 'failed';
      plugin.error = message;
      plugin.routes = [];
      plugin.listeners = [];
      plugin.panels = [];
      plugin.actions = [];
      plugin.pages = [];
      plugin.schedules = [];
      plugin.backgrounds = [];
    }
    this.runtime.log.error({ plugin: plugin.name, phase, err }, `plug-in ${plugin.name}: ${phase} failed`);
    await this.runtime.errors.record(plugin.name, phase, message).catch(() => this.keep({ plugin: plugin.name, phase, message }));
  }

  /**
   * A worker starting beside the API on a new database loads its plug-ins before the API has created the error
   * table: those errors are kept and recorded once it exists, so the admin page shows them too.
   */
  private keep(entry: { plugin: string; phase: PluginPhase; message: string }): void {
    if (this.pending.length < 100) this.pending.push(entry);
    this.retry ??= setInterval(() => void this.flush(), PENDING_RETRY_MS);
    this.retry.unref();
  }

  private async flush(): Promise<void> {
    // A slow database must not let two rounds record the same error twice.
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.pending.length) {
        const [next] = this.pending;
        await this.runtime.errors.record(next!.plugin, next!.phase, next!.message);
        this.pending.shift();
      }
      clearInterval(this.retry);
      this.retry = undefined;
    } catch {
      // Still unreachable: the next round tries again.
    } finally {
      this.flushing = false;
    }
  }

  /** Stops retrying errors not yet recorded (the process is stopping). */
  close(): void {
    clearInterval(this.retry);
  }
}

/** Reads every entry's manifest; entries that cannot be used are failed, duplicates of a name too. */
export async function findPlugins(entries: readonly string[], runtime: PluginRuntime): Promise<PluginSet> {
  const set = new PluginSet([], runtime);
  for (const entry of entries) {
    const plugin: LoadedPlugin = { entry, name: entry, folder: null, manifest: null, status: 'loaded', error: null, routes: [], listeners: [], panels: [], actions: [], pages: [], schedules: [], backgrounds: [], migrations: [] };
    set.plugins.push(plugin);
    try {
      plugin.folder = pluginFolder(entry, runtime.cwd);
      plugin.manifest = await readManifest(plugin.folder);
      plugin.name = plugin.manifest.name;
      const twin = set.plugins.find((p) => p !== plugin && p.name === plugin.name);
      if (twin) throw new Error(`another plug-in named ${plugin.name} is already loaded (from ${twin.entry})`);
    } catch (err) {
      await set.report(plugin, 'load', err);
    }
  }
  return set;
}

/** Applies each plug-in's migrations; run by the API while it holds the desk's migration lock. */
export async function migratePlugins(set: PluginSet, client: pg.ClientBase): Promise<void> {
  for (const plugin of set.loaded()) {
    if (!plugin.manifest?.migrations || !plugin.folder) continue;
    try {
      const applied = await applyPluginMigrations(client, plugin.name, path.resolve(plugin.folder, plugin.manifest.migrations));
      if (applied.length) set.runtime.log.info({ plugin: plugin.name, applied }, 'plug-in migrations applied');
    } catch (err) {
      await set.report(plugin, 'migration', err);
    }
  }
}

function checkTitle(title: string | { en: string; fr: string } | undefined, what: string): void {
  if (!(typeof title === 'string' ? title : title?.en && title?.fr)) throw new Error(`${what} needs a title (a string, or en and fr)`);
}

/** A declaration (panel, action, page, schedule, background task): its key or name well formed and its own, and a title. */
function checkDeclared(what: string, field: 'key' | 'name', id: string | undefined, taken: readonly string[], title: string | { en: string; fr: string } | undefined): void {
  if (!/^[a-z][a-z0-9-]{0,39}$/.test(id ?? '')) throw new Error(`${what} ${field} '${id}' must be lower-case letters, digits and dashes`);
  if (taken.includes(id!)) throw new Error(`${what} ${id} is declared twice`);
  checkTitle(title, `${what} ${id}`);
}

/** The host a plug-in registers through; `close` ends registration (a register() that timed out cannot add anything later). */
function hostFor(set: PluginSet, plugin: LoadedPlugin, manifest: PluginManifest): { host: PluginHost; close(): void } {
  const { runtime } = set;
  const log = runtime.log.child({ plugin: plugin.name });
  let open = true;
  const registering = (what: string) => {
    if (!open) throw new Error(`${what} after register() finished: declare everything while it runs`);
  };
  const host: PluginHost = {
    apiVersion: PLUGIN_API_VERSION,
    plugin: { name: manifest.name, version: manifest.version },
    process: runtime.process,
    log: {
      info: (message, detail) => log.info(detail ?? {}, message),
      warn: (message, detail) => log.warn(detail ?? {}, message),
      error: (message, detail) => log.error(detail ?? {}, message),
    },
    db: { query: async <R>(sql: string, params?: readonly unknown[]) => (await runtime.pool.query(sql, params ? [...params] : undefined)).rows as R[] },
    directory: pluginDirectory(runtime.pool),
    mail: { receive: (raw, source) => set.receiveMail(raw, String(source?.mailbox ?? '')) },
    tickets: set.tickets,
    settings: async <T>() => {
      const { values, problems } = await set.settings.current(manifest);
      if (problems.length) throw new PluginNotConfigured(problems.map((p) => `${p.pointer || '/'} ${p.message}`));
      return values as T;
    },
    route(route) {
      registering('a route');
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(route.method)) throw new Error(`route ${route.path}: unknown method ${route.method}`);
      if (!ROUTE_PATH.test(route.path)) throw new Error(`route path '${route.path}' must start with / and hold letters, digits, '-', '_', '.' and :parameters`);
      if (route.path === '/settings') throw new Error("route path '/settings' is the desk's own (the plug-in's settings)");
      if (route.path === '/schedules' || route.path.startsWith('/schedules/')) throw new Error("route paths under '/schedules' are the desk's own (the plug-in's schedule runs)");
      if (!['public', 'user', 'admin'].includes(route.access)) throw new Error(`route ${route.path}: access must be public, user or admin`);
      if (route.bodyFormat !== undefined && route.bodyFormat !== 'json' && route.bodyFormat !== 'form') throw new Error(`route ${route.path}: bodyFormat must be json or form`);
      if (plugin.routes.some((r) => r.method === route.method && r.path === route.path)) throw new Error(`route ${route.method.toUpperCase()} ${route.path} is declared twice`);
      for (const [what, schema] of [['body', route.body], ['query', route.query], ['response', route.response]] as const) {
        if (!schema) continue;
        try {
          compileSchema(schema);
        } catch (err) {
          throw new Error(`route ${route.path}: the ${what} schema is not a valid JSON Schema: ${(err as Error).message}`);
        }
      }
      plugin.routes.push(route);
    },
    onTicketEvents(listener) {
      registering('a listener');
      if (typeof listener !== 'function') throw new Error('onTicketEvents needs a function');
      plugin.listeners.push(listener);
    },
    refuse(status, detail) {
      throw new PluginError(status, detail);
    },
    ticketPanel(panel) {
      registering('a panel');
      checkDeclared('panel', 'key', panel?.key, plugin.panels.map((p) => p.key), panel?.title);
      if (typeof panel.load !== 'function') throw new Error(`panel ${panel.key} needs a load function`);
      plugin.panels.push(panel);
    },
    action(action) {
      registering('an action');
      checkDeclared('action', 'name', action?.name, plugin.actions.map((a) => a.name), action?.title);
      if (typeof action.run !== 'function') throw new Error(`action ${action.name} needs a run function`);
      if (action.schema) {
        try {
          compileSchema(action.schema);
        } catch (err) {
          throw new Error(`action ${action.name}: the schema is not a valid JSON Schema: ${(err as Error).message}`);
        }
      }
      plugin.actions.push(action);
    },
    page(page) {
      registering('a page');
      checkDeclared('page', 'key', page?.key, plugin.pages.map((p) => p.key), page?.title);
      if (page.access !== 'staff' && page.access !== 'admin') throw new Error(`page ${page.key}: access must be staff or admin`);
      if (typeof page.load !== 'function') throw new Error(`page ${page.key} needs a load function`);
      plugin.pages.push(page);
    },
    schedule(schedule) {
      registering('a schedule');
      checkDeclared('schedule', 'key', schedule?.key, plugin.schedules.map((x) => x.key), schedule?.title);
      if (typeof schedule.everyMinutes !== 'function') throw new Error(`schedule ${schedule.key} needs an everyMinutes function`);
      if (typeof schedule.run !== 'function') throw new Error(`schedule ${schedule.key} needs a run function`);
      plugin.schedules.push(schedule);
    },
    background(task) {
      registering('a background task');
      checkDeclared('background task', 'key', task?.key, plugin.backgrounds.map((x) => x.key), task?.title);
      if (typeof task.run !== 'function') throw new Error(`background task ${task.key} needs a run function`);
      plugin.backgrounds.push(task);
    },
  };
  return { host, close: () => void (open = false) };
}

/** Imports each plug-in and lets it register; one that throws, hangs or exports no plug-in is failed and left out. */
export async function registerPlugins(set: PluginSet): Promise<void> {
  for (const plugin of set.loaded()) {
    const manifest = plugin.manifest!;
    try {
      const mod = (await import(pathToFileURL(path.resolve(plugin.folder!, manifest.main)).href).catch((err: Error) => {
        throw new Error(`${manifest.main} cannot be loaded: ${err.message}`);
      })) as { default?: GuichetPlugin; plugin?: GuichetPlugin };
      const exported = mod.plugin ?? mod.default;
      if (typeof exported?.register !== 'function') throw new Error(`${manifest.main} exports no plug-in (a default export or \`plugin\` with a register function)`);
      const { host, close } = hostFor(set, plugin, manifest);
      try {
        await withinTime(() => exported.register(host), REGISTER_TIMEOUT_MS, `register() did not finish within ${REGISTER_TIMEOUT_MS / 1000} s`);
      } finally {
        close();
      }
      const { rows } = await set.runtime.pool.query<{ name: string }>('select name from plugin_migrations where plugin = $1 order by name', [plugin.name]).catch(() => ({ rows: [] }));
      plugin.migrations = rows.map((r) => r.name);
      set.runtime.log.info({ plugin: plugin.name, version: manifest.version, routes: plugin.routes.length, listeners: plugin.listeners.length, panels: plugin.panels.length, actions: plugin.actions.length, pages: plugin.pages.length, schedules: plugin.schedules.length, backgrounds: plugin.backgrounds.length }, 'plug-in loaded');
    } catch (err) {
      await set.report(plugin, 'load', err);
    }
  }
}
