// Compiles the definition JSON Schema into a standalone ES module (ajv standalone code), for the console: its
// Content-Security-Policy forbids the `new Function` ajv compiles with at run time. Build-time only, not in the index.
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import standaloneCode from 'ajv/dist/standalone';
import { definitionSchema } from './schema';
import { DEFINITION_AJV_OPTIONS } from './validate';

/** ES module source whose default export is the schema check `validateDefinitionWith` takes. */
export function definitionSchemaCheckModule(): string {
  const ajv = new Ajv2020({ ...DEFINITION_AJV_OPTIONS, code: { source: true, esm: true } });
  addFormats(ajv);
  const code = standaloneCode(ajv, ajv.compile(definitionSchema));
  // The generated code still calls require() for ajv's runtime helpers and formats (CommonJS): hand it ES imports.
  // Node puts a CommonJS module's exports under the namespace's `default`, bundlers spread them on the namespace.
  const modules = [...new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!))];
  const imports = modules.map((m, i) => `import * as __dep${i} from ${JSON.stringify(m)};`).join('\n');
  const table = [
    'const __exports = (ns) => (ns.default && typeof ns.default === "object" && ns.default.__esModule ? ns.default : ns);',
    `const require = (m) => __exports({ ${modules.map((m, i) => `${JSON.stringify(m)}: __dep${i}`).join(', ')} }[m]);`,
  ].join('\n');
  return `${imports}\n${table}\n${code.replace(/^"use strict";/, '')}`;
}
