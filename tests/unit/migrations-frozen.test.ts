// A committed migration is frozen: it imports nothing but the migration base class, so changing live code can never
// change what an old migration does on a fresh database.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../../platform/db/migrations/', import.meta.url));

it('should import nothing but @mikro-orm/migrations in any migration', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.ts'));
  expect(files.length).toBeGreaterThan(30);
  const imports = files.flatMap((f) => [...readFileSync(DIR + f, 'utf8').matchAll(/^\s*import\b[^'"]*['"]([^'"]+)['"]/gm)].map((m) => `${f}: ${m[1]}`));
  expect(imports.filter((i) => !i.endsWith(': @mikro-orm/migrations'))).toEqual([]);
});
