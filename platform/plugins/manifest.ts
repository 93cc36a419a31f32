// Finds a plug-in from its PLUGINS entry and reads its manifest (guichet-plugin.json), refusing one the desk cannot run.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { compileSchema, problemsOf } from './schema-check';
import { PLUGIN_API_VERSION, type PluginManifest } from './v1';

export const MANIFEST_FILE = 'guichet-plugin.json';
const RESERVED = ['actions', 'pages'];

const manifestSchema = {
  type: 'object',
  required: ['name', 'version', 'apiVersion', 'main'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,39}$' },
    version: { type: 'string', minLength: 1, maxLength: 40 },
    apiVersion: { type: 'integer' },
    description: {
      oneOf: [
        { type: 'string', maxLength: 500 },
        { type: 'object', required: ['en', 'fr'], additionalProperties: false, properties: { en: { type: 'string', maxLength: 500 }, fr: { type: 'string', maxLength: 500 } } },
      ],
    },
    main: { type: 'string', minLength: 1 },
    settings: { type: 'object', properties: { type: { const: 'object' } }, required: ['type'] },
    migrations: { type: 'string', minLength: 1 },
  },
};
const checkManifest = compileSchema(manifestSchema);

/** Where a PLUGINS entry lives: a folder path as given, or an npm package resolved from the working directory. */
export function pluginFolder(entry: string, cwd: string): string {
  if (entry.startsWith('.') || path.isAbsolute(entry)) return path.resolve(cwd, entry);
  const require = createRequire(path.join(cwd, 'package.json'));
  return path.dirname(require.resolve(`${entry}/${MANIFEST_FILE}`));
}

/** The folder's manifest, checked: a clear message names what is wrong (and the file) when it cannot be used. */
export async function readManifest(folder: string): Promise<PluginManifest> {
  const file = path.join(folder, MANIFEST_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  if (!checkManifest(raw)) {
    throw new Error(`${file} is invalid: ${problemsOf(checkManifest.errors).map((p) => `${p.pointer || '/'} ${p.message}`).join('; ')}`);
  }
  const manifest = raw as unknown as PluginManifest;
  // The desk's own paths below /api/plugins/ take these names.
  if (RESERVED.includes(manifest.name)) throw new Error(`${file}: the name '${manifest.name}' is the desk's own; choose another`);
  if (manifest.apiVersion !== PLUGIN_API_VERSION) {
    throw new Error(`${manifest.name} is written for plug-in API ${manifest.apiVersion}; this desk offers version ${PLUGIN_API_VERSION}`);
  }
  if (manifest.settings) {
    try {
      compileSchema(manifest.settings);
    } catch (err) {
      throw new Error(`${file}: the settings schema is not a valid JSON Schema: ${(err as Error).message}`);
    }
  }
  return manifest;
}
