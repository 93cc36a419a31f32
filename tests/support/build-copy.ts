// A second build of the desk for deploy tests: the worker's code as it is in this tree (tracked and new files), copied
// to a directory of its own with one source changed, sharing this tree's node_modules.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../platform/processes';

/** The worker's own code: what the console, the tests and the benchmarks are not. */
const LEFT_OUT = ['web/', 'tests/', 'bench/', 'docs/', '.ci/'];

export function copyBuild(into: string, changes: Array<{ file: string; replace: string; with: string }>): string {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && !LEFT_OUT.some((p) => f.startsWith(p)) && fs.existsSync(path.join(ROOT, f)));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(into, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(into, f));
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(into, 'node_modules'), 'dir');
  for (const change of changes) {
    const file = path.join(into, change.file);
    const source = fs.readFileSync(file, 'utf8');
    if (!source.includes(change.replace)) throw new Error(`${change.file} no longer holds the text the changed build replaces: ${change.replace}`);
    fs.writeFileSync(file, source.replace(change.replace, change.with));
  }
  return into;
}
