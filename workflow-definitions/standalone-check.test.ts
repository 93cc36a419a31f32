// The console's build-time schema check agrees with the server's run-time one, error for error.
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_DEFINITIONS, validateDefinition, validateDefinitionWith, type SchemaCheck } from './index';
import { definitionSchemaCheckModule } from './standalone-check';

let check: SchemaCheck;
beforeAll(async () => {
  // Written inside the repository so the module's imports of ajv's runtime resolve through its node_modules.
  const dir = path.resolve(import.meta.dirname, '..', 'tests', '.artifacts');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'definition-schema-check.mjs');
  fs.writeFileSync(file, definitionSchemaCheckModule());
  check = (await import(file)).default as SchemaCheck;
});

const broken: Array<[string, (d: Record<string, unknown>) => void]> = [
  ['an unknown property', (d) => (d.colour = 'red')],
  ['a bad state name', (d) => ((d.states as Array<{ name: string }>)[1]!.name = 'Bad Name')],
  ['a label too long', (d) => ((d.name as { en: string }).en = 'x'.repeat(201))],
  ['an emoji-counted label at the limit', (d) => ((d.name as { en: string }).en = '😀'.repeat(200))],
  ['a bad holiday date', (d) => ((d.calendars as Record<string, { holidays: string[] }>).business!.holidays = ['2026-13-40'])],
  ['an unknown escalation action', (d) => ((d.escalations as Array<{ actions: unknown[] }>)[0]!.actions = [{ type: 'explode' }])],
  ['a bad layout position', (d) => (d.layout = { states: { new: { x: 'left', y: 0 } } })],
  ['an unreachable state', (d) => (d.states as unknown[]).push({ name: 'limbo', category: 'open', label: { en: 'Limbo', fr: 'Limbes' } })],
];

describe('standalone definition schema check', () => {
  it.each(DEFAULT_DEFINITIONS.map((d) => [d.key, d] as const))('should accept the default definition %s as the server does', (_key, def) => {
    expect(validateDefinitionWith(check, def)).toEqual(validateDefinition(def));
    expect(validateDefinitionWith(check, def).valid).toBe(true);
  });

  it.each(broken)('should report %s with the same pointers and messages as the server', (_what, breakIt) => {
    const def = structuredClone(DEFAULT_DEFINITIONS.find((d) => d.key === 'incident')!) as unknown as Record<string, unknown>;
    breakIt(def);
    const server = validateDefinition(def);
    expect(validateDefinitionWith(check, def)).toEqual(server);
  });
});
