// Builds the console from web/ into web/dist, which the API serves in production.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import type { Plugin } from 'vite';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import standaloneCode from 'ajv/dist/standalone';
import { definitionSchema } from '../workflow-definitions/schema';
import { DEFINITION_AJV_OPTIONS } from '../workflow-definitions/validate';

const root = fileURLToPath(new URL('.', import.meta.url));

const SCHEMA_CHECK = 'virtual:definition-schema-check';

/**
 * The workflow definition JSON Schema compiled at build time into plain code (ajv standalone): the designer validates
 * with the server's schema without `new Function`, which the console's Content-Security-Policy forbids.
 */
function definitionSchemaCheck(): Plugin {
  return {
    name: 'definition-schema-check',
    resolveId: (source) => (source === SCHEMA_CHECK ? `\0${SCHEMA_CHECK}` : null),
    load(id) {
      if (id !== `\0${SCHEMA_CHECK}`) return null;
      const ajv = new Ajv2020({ ...DEFINITION_AJV_OPTIONS, code: { source: true, esm: true } });
      addFormats(ajv);
      const code = standaloneCode(ajv, ajv.compile(definitionSchema));
      // The generated code still calls require() for ajv's runtime helpers and formats: hand it ES imports instead.
      const modules = [...new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!))];
      const imports = modules.map((m, i) => `import * as __dep${i} from ${JSON.stringify(m)};`).join('\n');
      const table = `const require = (m) => ({ ${modules.map((m, i) => `${JSON.stringify(m)}: __dep${i}`).join(', ')} })[m];`;
      return `${imports}\n${table}\n${code.replace(/^"use strict";/, '')}`;
    },
  };
}

export default defineConfig({
  root,
  plugins: [vue(), definitionSchemaCheck()],
  define: {
    // Composition API only, no devtools in production: lets the bundler drop vue-i18n's legacy layer.
    __VUE_I18N_FULL_INSTALL__: 'true',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: {
    // In development the API runs separately; in production it serves this build on the same origin.
    proxy: { '/api': process.env.GUICHET_API_URL ?? 'http://127.0.0.1:8080' },
  },
});
