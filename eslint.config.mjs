// `npm run lint`: TypeScript and Vue presets, plus the rooms rule (scripts/lint/rooms.mjs) that keeps imports flowing down.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import globals from 'globals';
import { roomsRule } from './scripts/lint/rooms.mjs';

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'web/dist/**', '.tools/**', 'tests/.artifacts/**', 'tmp-scratch/**', 'bench/results/**', 'deploy/**', '**/*.d.ts', 'tests/plugins/broken/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/essential'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
  },
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2024, sourceType: 'module' },
    plugins: { guichet: { rules: { rooms: roomsRule } } },
    rules: {
      'guichet/rooms': 'error',
      // The desk refuses and strips control characters on purpose (PostgreSQL text cannot hold NUL).
      'no-control-regex': 'off',
      // Vue 3 has no filters: a TypeScript union in a template (`x as number | null`) is not one.
      'vue/no-deprecated-filter': 'off',
      // A leading underscore marks what is left unused on purpose (a destructured field dropped, a handler's unused argument).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  { files: ['web/**'], languageOptions: { globals: { ...globals.browser } } },
  // Tests read untyped JSON answers; `any` there is the honest type.
  { files: ['tests/**', 'bench/**', 'scripts/**', '**/*.test.ts'], languageOptions: { globals: { ...globals.jest } }, rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
