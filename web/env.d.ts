// Ambient types for the console: Vite's client globals.
/// <reference types="vite/client" />

declare module 'virtual:definition-schema-check' {
  import type { SchemaCheck } from '../workflow-definitions/validate';
  const check: SchemaCheck;
  export default check;
}
