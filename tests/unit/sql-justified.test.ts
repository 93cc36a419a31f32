// One typed way to the database (CONTRIBUTING, "Entity"): ordinary reads and writes go through em and the entities, and a
// SQL string is allowed only where a comment says why (a measured hot path, the database's clock, a statement the ORM
// cannot say). This holds the server code to it: every raw `execute('…')` has a comment naming "SQL" in the statement's
// own comment or its function's, and no hand-written `…Row` interface stands in for an entity's row type.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const ROOMS = ['api', 'activities', 'platform', 'plugins'];

/** A raw statement: execute with a string, template or SQL constant first (the QueryBuilder's execute takes 'all', 'get' or 'run'). */
const RAW_EXECUTE = /\.execute(?:<(?:[^<>]|<(?:[^<>]|<[^<>]*>)*>)*>)?\(\s*(?!'(?:all|get|run)'\s*\))(?:[`'"]|[A-Z][A-Z_]*\b)/gs;
/** Where a function or a class's method starts: its comment, if any, speaks for the statements in it. */
const DECLARATION = /^(?:export\s+)?(?:async\s+)?function\s|^ {2}(?:private\s+|public\s+|protected\s+|static\s+)*(?:async\s+)?\*?\w+\s*\(/;

/** Hand-written row types allowed: each the result type of a measured SQL statement, which says so where it is declared. */
const ROW_TYPES_ALLOWED = new Set([
  'api/modules/tickets/repository.ts:TicketRow', // the queue and the ticket page (bench/queue-listing.ts)
  'api/modules/tickets/repository.ts:EventRow', // the timeline's events with their authors
  'api/modules/auth/types.ts:RequestAccountRow', // the per-request session and token checks (bench/permissions.ts)
  'activities/automation-rules.ts:MacroRow', // the rule set's one-snapshot read (bench/rules.ts)
]);

function serverFiles(): string[] {
  return execFileSync('git', ['ls-files', ...ROOMS], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.includes('/migrations/'));
}

/** The comment lines that speak for line `at`: those of the dozen lines above it, and those above its enclosing declaration. */
function commentFor(lines: string[], at: number): string {
  const isComment = (l: string) => /^\s*(\/\/|\/\*|\*)/.test(l);
  const near = lines.slice(Math.max(0, at - 12), at + 1);
  let i = at;
  while (i >= 0 && !DECLARATION.test(lines[i]!)) i--;
  const above: string[] = [];
  for (i -= 1; i >= 0 && isComment(lines[i]!); i--) above.push(lines[i]!);
  return [...near.filter(isComment), lines[at]!, ...above].join('\n');
}

describe('database access', () => {
  const files = serverFiles();

  it('should say why wherever a SQL string stands instead of the entities', () => {
    const unexplained: string[] = [];
    for (const file of files) {
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      const lines = text.split('\n');
      for (const m of text.matchAll(RAW_EXECUTE)) {
        const line = text.slice(0, m.index).split('\n').length - 1;
        if (!/\bSQL\b/.test(commentFor(lines, line))) unexplained.push(`${file}:${line + 1}: ${lines[line]!.trim().slice(0, 100)}`);
      }
    }
    expect(unexplained).toEqual([]);
  });

  it('should take row types from the entities, not from hand-written interfaces', () => {
    const handWritten = files.flatMap((file) =>
      [...readFileSync(path.join(ROOT, file), 'utf8').matchAll(/interface (\w*Row)\b/g)].map((m) => `${file}:${m[1]}`).filter((r) => !ROW_TYPES_ALLOWED.has(r)),
    );
    expect(handWritten).toEqual([]);
  });

  it('should find the statements it checks (the pattern is not blind)', () => {
    const sample = "const [row] = await em.fork().execute<Array<{ n: string }>>(`select nextval('s') as n`);\nawait qb.execute('all');";
    expect([...sample.matchAll(RAW_EXECUTE)]).toHaveLength(1);
  });
});
