// Builds the console from web/ into web/dist, which the API serves in production.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import type { Plugin } from 'vite';
import { definitionSchemaCheckModule } from '../workflow-definitions/standalone-check';

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
      return definitionSchemaCheckModule();
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
    __VUE_PROD_DEVTOOLS__: 'false',
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
