// Writes the console's API types from the OpenAPI document the API serves, so the two cannot drift.
// `--check` writes nothing and fails when the committed file differs from what the document gives (CI runs it).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { createApp } from '../api/app';
import { buildOpenApi } from '../api/openapi';
import { loadConfig } from '../platform/config';
import type { Logger } from '../platform/logger';

const TARGET = fileURLToPath(new URL('../web/src/api/generated.ts', import.meta.url));
const HEADER = `// Generated from the API's OpenAPI document by \`npm run generate:types\`: do not edit. CI fails when it is stale.\n`;

const quiet: Logger = { info() {}, warn() {}, error() {}, debug() {}, child: () => quiet } as unknown as Logger;

/** The document as the API serves it; building the routes touches neither PostgreSQL nor Temporal. */
function document(): OpenAPI3 {
  const { mail } = loadConfig({});
  const app = createApp({
    em: {} as never,
    temporal: {} as never,
    namespace: 'default',
    taskQueue: 'generate',
    log: quiet,
    webDist: '',
    sessionTtlHours: 1,
    secureCookies: false,
    version: 'generated',
    publicRateLimit: 1,
    mail,
    mailTransport: {} as never,
  });
  return buildOpenApi(app.routes, 'generated') as unknown as OpenAPI3;
}

/** Every named enumeration also as a list, so the console offers exactly the values the API accepts. */
function enumLists(doc: OpenAPI3): string {
  return Object.entries(doc.components?.schemas ?? {})
    .filter(([, schema]) => Array.isArray((schema as { enum?: unknown[] }).enum))
    .map(([name, schema]) => {
      const values = ((schema as { enum: unknown[] }).enum).filter((v) => v !== null);
      return `export const ${name[0]!.toLowerCase()}${name.slice(1)}Values = ${JSON.stringify(values)} as const satisfies readonly ${name}[];\n`;
    })
    .join('');
}

const doc = document();
const ast = await openapiTS(doc, { rootTypes: true, rootTypesNoSchemaPrefix: true, emptyObjectsUnknown: true, silent: true });
const text = HEADER + astToString(ast) + enumLists(doc);

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(TARGET, 'utf8');
  } catch {
    // Missing counts as stale.
  }
  if (current !== text) {
    console.error('web/src/api/generated.ts is stale: the API changed its routes or schemas. Run `npm run generate:types` and commit the result.');
    process.exit(1);
  }
  console.log('web/src/api/generated.ts matches the OpenAPI document');
} else {
  writeFileSync(TARGET, text);
  console.log(`wrote ${TARGET}`);
}
