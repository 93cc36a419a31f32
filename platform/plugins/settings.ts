// Each plug-in's settings as the admin saved them: checked against the plug-in's schema, secrets sealed at rest and
// never shown again (the form only learns that one is set).
import type pg from 'pg';
import type { SecretBox } from '../secret-box';
import { compileSchema, problemsOf, type SchemaProblem } from './schema-check';
import type { PluginManifest } from './v1';

export interface PluginSettingsView {
  /** Saved values, secrets left out. */
  values: Record<string, unknown>;
  /** Secret settings that hold a value. */
  secretsSet: string[];
  /** Why the saved settings cannot be used yet (missing, no longer matching the schema); empty when they can. */
  problems: SchemaProblem[];
  updatedAt: string | null;
}

/** How long a process reuses settings it read: a change saved on one replica reaches the others within this. */
const FRESH_MS = 5000;

interface Stored {
  values: Record<string, unknown>;
  /** Sealed by the SecretBox, by setting name. */
  secrets: Record<string, string>;
  updatedAt: string;
}

const secretKeys = (manifest: PluginManifest): string[] =>
  Object.entries((manifest.settings?.properties ?? {}) as Record<string, { writeOnly?: boolean }>)
    .filter(([, p]) => p?.writeOnly === true)
    .map(([k]) => k);

export class PluginSettingsStore {
  private readonly cache = new Map<string, { at: number; read: Promise<{ values: Record<string, unknown>; problems: SchemaProblem[] }> }>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly box: SecretBox,
  ) {}

  private async stored(name: string): Promise<Stored | null> {
    const { rows } = await this.pool.query<{ values: Record<string, unknown>; secrets: Record<string, string>; updated_at: Date }>(
      'select "values", secrets, updated_at from plugin_settings where plugin = $1',
      [name],
    );
    return rows[0] ? { values: rows[0].values, secrets: rows[0].secrets, updatedAt: rows[0].updated_at.toISOString() } : null;
  }

  /** Values and secrets opened, together; a secret sealed under another key is reported, not thrown. */
  private open(manifest: PluginManifest, stored: Stored | null): { values: Record<string, unknown>; problems: SchemaProblem[] } {
    const opened: Record<string, unknown> = { ...stored?.values };
    const problems: SchemaProblem[] = [];
    for (const key of secretKeys(manifest)) {
      const sealed = stored?.secrets[key];
      if (typeof sealed !== 'string') continue;
      try {
        opened[key] = this.box.open(sealed);
      } catch (err) {
        problems.push({ pointer: `/${key}`, message: `cannot be read: ${(err as Error).message}` });
      }
    }
    return { values: opened, problems };
  }

  private check(manifest: PluginManifest, values: Record<string, unknown>): SchemaProblem[] {
    if (!manifest.settings) return [];
    const validate = compileSchema(manifest.settings);
    return validate(structuredClone(values)) ? [] : problemsOf(validate.errors);
  }

  /** The settings a plug-in runs with, and why they cannot be used (empty: they can). */
  current(manifest: PluginManifest): Promise<{ values: Record<string, unknown>; problems: SchemaProblem[] }> {
    const hit = this.cache.get(manifest.name);
    if (hit && Date.now() - hit.at < FRESH_MS) return hit.read;
    const read = (async () => {
      const opened = this.open(manifest, await this.stored(manifest.name));
      return { values: opened.values, problems: [...opened.problems, ...this.check(manifest, opened.values)] };
    })();
    this.cache.set(manifest.name, { at: Date.now(), read });
    read.catch(() => this.cache.delete(manifest.name));
    return read;
  }

  /** Drops what this process remembers of a plug-in's settings: the next read sees what is saved now. */
  forget(name: string): void {
    this.cache.delete(name);
  }

  async view(manifest: PluginManifest): Promise<PluginSettingsView> {
    const stored = await this.stored(manifest.name);
    const { problems } = await this.current(manifest);
    return { values: stored?.values ?? {}, secretsSet: secretKeys(manifest).filter((k) => typeof stored?.secrets[k] === 'string'), problems, updatedAt: stored?.updatedAt ?? null };
  }

  /**
   * Replaces the settings with `input`: a secret left out keeps its saved value, a secret sent as null is cleared.
   * Nothing is saved when the result does not match the schema; the problems say where.
   */
  async save(manifest: PluginManifest, input: Record<string, unknown>, userId: string | null): Promise<SchemaProblem[]> {
    if (!manifest.settings) return [{ pointer: '', message: 'this plug-in has no settings' }];
    const secrets = secretKeys(manifest);
    const saved = (await this.stored(manifest.name))?.secrets ?? {};
    const merged: Record<string, unknown> = { ...input };
    for (const key of secrets) {
      if (input[key] === undefined && typeof saved[key] === 'string') {
        // A secret sealed under a lost key counts as missing: the admin types it again.
        try {
          merged[key] = this.box.open(saved[key]);
        } catch {
          delete merged[key];
        }
      }
      if (input[key] === null) delete merged[key];
    }
    const problems = this.check(manifest, merged);
    if (problems.length) return problems;
    const values = Object.fromEntries(Object.entries(merged).filter(([k]) => !secrets.includes(k)));
    const sealed = Object.fromEntries(secrets.filter((k) => typeof merged[k] === 'string').map((k) => [k, this.box.seal(merged[k] as string)]));
    await this.pool.query(
      `insert into plugin_settings (plugin, "values", secrets, updated_by) values ($1, $2, $3, $4)
       on conflict (plugin) do update set "values" = excluded."values", secrets = excluded.secrets, updated_by = excluded.updated_by, updated_at = now()`,
      [manifest.name, JSON.stringify(values), JSON.stringify(sealed), userId],
    );
    this.cache.delete(manifest.name);
    return [];
  }
}
