// Builds the console from web/ into web/dist, which the API serves in production.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  plugins: [vue()],
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
