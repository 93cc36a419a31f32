// Runs HAProxy (Debian's package) in the foreground with deploy/haproxy.cfg, the proxy production puts in front of the API replicas.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../processes';
import { freePort, waitForPort } from './ports';
import { superviseServer } from './server-process';

export interface Proxy {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function findHaproxy(): string {
  const found = [process.env.HAPROXY, '/usr/sbin/haproxy', '/usr/bin/haproxy'].find((p): p is string => !!p && fs.existsSync(p));
  if (!found) throw new Error("HAProxy is not installed: 'apt-get install haproxy' (.ci/run does), or set HAPROXY to its path");
  return found;
}

/** `backends` are the API replicas' host:port, in the order of the configuration's servers. */
export async function startHaproxy(backends: [string, string], log: (line: string) => void = () => {}): Promise<Proxy> {
  const port = await freePort();
  const child = spawn(findHaproxy(), ['-db', '-f', path.join(ROOT, 'deploy', 'haproxy.cfg')], {
    env: { ...process.env, PROXY_BIND: `127.0.0.1:${port}`, API_1: backends[0], API_2: backends[1] },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { exited, stop } = superviseServer('haproxy', child, log, 5_000);
  await Promise.race([waitForPort(port, 10_000), exited]);
  return { url: `http://127.0.0.1:${port}`, process: child, stop };
}
