// Spawns the desk's own processes (API, worker) under Node with the TypeScript loader, and stops them by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');

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
  // GUICHET_CPU_PROFILE_DIR makes each child write a V8 CPU profile there when it exits (Node refuses --cpu-prof in NODE_OPTIONS).
  const profile = process.env.GUICHET_CPU_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.GUICHET_CPU_PROFILE_DIR] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', path.join(root, entry)], {
    cwd: root,
    // glibc gives each thread its own malloc arena; the worker's native Temporal core frees per-run memory across them
    // and RSS kept climbing after its workflow cache was full (bench/worker-memory.ts: 1.79 GiB at 10,000 open tickets
    // with the default, 1.53 GiB with 2 arenas). glibc reads it at start, so it is set here, for the child.
    env: { MALLOC_ARENA_MAX: '2', ...env },
    stdio: [opts.stdio === 'inherit' ? 'inherit' : 'ignore', opts.stdio ?? 'inherit', opts.stdio ?? 'inherit', 'ipc'],
  });
  if (opts.onOutput) {
    child.stdout?.on('data', (d) => opts.onOutput!(String(d)));
    child.stderr?.on('data', (d) => opts.onOutput!(String(d)));
  }
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (m: { ready?: boolean }) => m?.ready && resolve());
    child.once('exit', (code, signal) => reject(new Error(`${name} exited (code ${code}, signal ${signal}) before it was ready`)));
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
