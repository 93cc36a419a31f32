// What every server the desk starts as a child process shares: its output into a log, a promise that rejects if it dies
// before it is ready, and a stop that asks (SIGTERM) then insists (SIGKILL) after a grace period.
import type { ChildProcess } from 'node:child_process';

export interface ServerProcess {
  /** Rejects as soon as the process exits; race it against readiness. */
  exited: Promise<never>;
  stop(): Promise<void>;
}

export function superviseServer(name: string, child: ChildProcess, log: (line: string) => void, graceMs: number): ServerProcess {
  child.stdout?.on('data', (d) => log(String(d).trim()));
  child.stderr?.on('data', (d) => log(String(d).trim()));
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`${name} exited with code ${code}`))));
  exited.catch(() => {});
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
    });
  return { exited, stop };
}

/** Retries a setup step while a freshly started server is still coming up (not a test retry): its last error on timeout. */
export async function untilServerAnswers(what: string, attempt: () => Promise<unknown>, timeoutMs = 60_000, everyMs = 500): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await attempt();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what}: the server did not answer within ${timeoutMs} ms: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}
