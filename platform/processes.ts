// Spawns the desk's own processes (API, worker) under Node with the TypeScript loader, and stops them by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');
// How much of a quiet child's output is kept, to explain an early exit.
const TAIL_LINES = 40;

export interface Child {
  name: string;
  process: ChildProcess;
  /** Resolves when the child reports ready over IPC; rejects if it exits first. */
  ready: Promise<void>;
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

/** `root`: another copy of the desk's code to run (a deploy test runs a changed build beside this one). */
export function spawnTs(name: string, entry: string, env: NodeJS.ProcessEnv, opts: { stdio?: 'inherit' | 'pipe' | 'ignore'; onOutput?: (line: string) => void; root?: string } = {}): Child {
  const root = opts.root ?? ROOT;
  const output = opts.stdio === 'ignore' ? 'pipe' : (opts.stdio ?? 'inherit');
  // GUICHET_CPU_PROFILE_DIR makes each child write a V8 CPU profile there when it exits (Node refuses --cpu-prof in NODE_OPTIONS).
  const profile = process.env.GUICHET_CPU_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.GUICHET_CPU_PROFILE_DIR] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', path.join(root, entry)], {
    cwd: root,
    // glibc gives each thread its own malloc arena; the worker's native Temporal core frees per-run memory across them
    // and RSS kept climbing after its workflow cache was full (bench/worker-memory.ts: 1.79 GiB at 10,000 open tickets
    // with the default, 1.53 GiB with 2 arenas). glibc reads it at start, so it is set here, for the child.
    env: { MALLOC_ARENA_MAX: '2', ...env },
    // Output nobody wants to see is still read, so a child that dies before it is ready can say why.
    stdio: [opts.stdio === 'inherit' ? 'inherit' : 'ignore', output, output, 'ipc'],
  });
  const tail: string[] = [];
  const hear = (d: Buffer) => {
    const text = String(d);
    opts.onOutput?.(text);
    if (opts.stdio === 'ignore') tail.push(...text.split('\n').filter(Boolean).slice(-TAIL_LINES));
    tail.splice(0, Math.max(0, tail.length - TAIL_LINES));
  };
  child.stdout?.on('data', hear);
  child.stderr?.on('data', hear);
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (m: { ready?: boolean }) => m?.ready && resolve());
    // 'close' rather than 'exit': it comes after the child's output has all been read.
    child.once('close', (code, signal) => {
      const said = tail.length ? `; its last output:\n${tail.join('\n')}` : '';
      reject(new Error(`${name} exited (code ${code}, signal ${signal}) before it was ready${said}`));
    });
  });
  ready.catch(() => {});
  return {
    name,
    process: child,
    ready,
    stop: (signal = 'SIGTERM', graceMs = 15_000) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
        setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
      }),
  };
}
