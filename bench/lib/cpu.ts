// Where the CPU goes during a measurement: user+system time of each server process tree (API, worker, Temporal, PostgreSQL) and of the bench itself, read from /proc.
import fs from 'node:fs';

/** Component name → root pid of its process tree (descendants are counted with it, e.g. PostgreSQL backends). */
export type CpuRoots = Record<string, number | undefined>;

const TICKS_PER_SECOND = 100; // USER_HZ on Linux x86-64.

interface Proc {
  ppid: number;
  ticks: number;
}

function readProcs(): Map<number, Proc> {
  const procs = new Map<number, Proc>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we listed
    }
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the name: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14); children reaped by a tree member count through cutime/cstime.
    procs.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]) });
  }
  return procs;
}

/** CPU ms of each component's process tree now; `bench` counts the bench process alone, without its children. */
export function cpuSnapshot(roots: CpuRoots): Record<string, number> {
  const procs = readProcs();
  const children = new Map<number, number[]>();
  for (const [pid, p] of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
  const treeTicks = (root: number): number => {
    let sum = 0;
    const stack = [root];
    while (stack.length) {
      const pid = stack.pop()!;
      sum += procs.get(pid)?.ticks ?? 0;
      stack.push(...(children.get(pid) ?? []));
    }
    return sum;
  };
  const out: Record<string, number> = {};
  for (const [name, pid] of Object.entries(roots)) {
    if (pid === undefined) continue;
    out[name] = ((name === 'bench' ? (procs.get(pid)?.ticks ?? 0) : treeTicks(pid)) * 1000) / TICKS_PER_SECOND;
  }
  return out;
}

export interface CpuSplit {
  /** CPU ms per operation of each component, and their total. */
  perOpMs: Record<string, number>;
  /** Share of the measured wall time each component kept a core busy (1 = one whole core). */
  cores: Record<string, number>;
}

/** Runs `fn` and splits the CPU it cost among the components, per operation. */
export async function measureCpu<T>(roots: () => CpuRoots, ops: number, fn: () => Promise<T>): Promise<{ result: T; cpu: CpuSplit }> {
  const before = cpuSnapshot(roots());
  const t0 = performance.now();
  const result = await fn();
  const wall = performance.now() - t0;
  const after = cpuSnapshot(roots());
  const perOpMs: Record<string, number> = {};
  const cores: Record<string, number> = {};
  let total = 0;
  for (const name of Object.keys(after)) {
    const used = Math.max(0, after[name] - (before[name] ?? 0));
    total += used;
    perOpMs[name] = Math.round((used / Math.max(ops, 1)) * 100) / 100;
    cores[name] = Math.round((used / wall) * 100) / 100;
  }
  perOpMs.total = Math.round((total / Math.max(ops, 1)) * 100) / 100;
  cores.total = Math.round((total / wall) * 100) / 100;
  return { result, cpu: { perOpMs, cores } };
}

/** One row per measurement: CPU ms per operation in each component, and how many cores the whole desk kept busy. */
export function cpuRows(rows: Array<[string, CpuSplit]>): { headers: string[]; rows: Array<Array<string | number>> } {
  const names = [...new Set(rows.flatMap(([, c]) => Object.keys(c.perOpMs)).filter((n) => n !== 'total'))];
  return {
    headers: ['CPU ms per op', ...names, 'total', 'cores busy'],
    rows: rows.map(([label, c]) => [label, ...names.map((n) => c.perOpMs[n] ?? NaN), c.perOpMs.total, c.cores.total]),
  };
}
