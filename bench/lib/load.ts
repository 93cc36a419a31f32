// The benchmark toolkit: a closed-loop load generator (N async clients, each sending its next request when the previous one answers), latency percentiles, tables and JSON results.
import fs from 'node:fs';
import path from 'node:path';

export interface LoadResult {
  /** Operations measured (warm-up excluded). */
  count: number;
  concurrency: number;
  /** Operations that threw or answered an unexpected status; they are counted in the latencies but reported apart. */
  errors: number;
  firstError?: string;
  wallMs: number;
  /** Completed operations per second over the measured wall time. */
  throughput: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarise(latencies: number[], wallMs: number, concurrency: number, errors: number, firstError?: string): LoadResult {
  const sorted = [...latencies].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / (sorted.length || 1);
  return {
    count: sorted.length,
    concurrency,
    errors,
    ...(firstError ? { firstError } : {}),
    wallMs: round(wallMs),
    throughput: round((sorted.length / wallMs) * 1000),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    mean: round(mean),
    max: round(sorted[sorted.length - 1] ?? NaN),
  };
}

export function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Runs `op(i)` for i in [0, count) with `concurrency` clients in a closed loop and returns the latencies; ops throw to signal an error. */
async function loop(count: number, concurrency: number, offset: number, op: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const started = performance.now();
  const client = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const t0 = performance.now();
      try {
        await op(offset + i);
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(count, 1)) }, client));
  return { latencies, wallMs: performance.now() - started, errors, firstError };
}

/**
 * Closed-loop load: `warmup` unmeasured operations, then `count` measured ones, both at `concurrency`.
 * `op` receives a global index (warm-up first), so callers can give each operation its own ticket.
 */
export async function closedLoop(opts: { count: number; concurrency: number; warmup?: number; op: (i: number) => Promise<void> }): Promise<LoadResult> {
  const warmup = opts.warmup ?? 0;
  if (warmup > 0) await loop(warmup, opts.concurrency, 0, opts.op);
  const r = await loop(opts.count, opts.concurrency, warmup, opts.op);
  return summarise(r.latencies, r.wallMs, opts.concurrency, r.errors, r.firstError);
}

/** Throws unless the HTTP status is the expected one, so the load generator counts it as an error. */
export function expectStatus(res: { status: number; body: unknown }, expected: number, what: string): void {
  if (res.status !== expected) throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
}

export function ratio(a: number, b: number): number {
  return b > 0 ? round(a / b) : NaN;
}

/** A plain-text table with right-aligned numeric columns. */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: Array<string | number>) =>
    r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return '-';
  if (Number.isInteger(v)) return String(v);
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

export const RESULTS_DIR = path.resolve(import.meta.dirname, '..', 'results');

/** Writes bench/results/<name>-<timestamp>.json and returns its path. */
export function writeResult(name: string, data: unknown, startedAt: Date): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const file = path.join(RESULTS_DIR, `${name}-${stamp}.json`);
  fs.writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return file;
}

export function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
