// `npm run bench`: starts PostgreSQL, Temporal and a desk once, runs each benchmark against its baseline, prints tables and writes bench/results/*.json.
// BENCH_SCALE=full for the large sizes; BENCH_ONLY=creation,transition,burst,listing,sla,overload,web,kb,reports,macros,attachments,live,ldap,permissions,rules,crm,imap,csv,memory to pick benchmarks.
import os from 'node:os';
import { startContext, type Scale } from './lib/context';
import { log, writeResult } from './lib/load';
import { ticketCreation } from './ticket-creation';
import { transition } from './transition';
import { afterBurst } from './after-burst';
import { queueListing } from './queue-listing';
import { workerMemory } from './worker-memory';
import { slaAccuracy } from './sla-accuracy';
import { overload } from './overload';
import { webBundle } from './web-bundle';
import { kbSearch } from './kb-search';
import { reportsBench } from './reports';
import { macrosBench } from './macros';
import { attachmentsBench } from './attachments';
import { liveLatency } from './live-latency';
import { ldapSyncBench } from './ldap-sync';
import { permissionsBench } from './permissions';
import { rulesBench } from './rules';
import { crmPanelBench } from './crm-panel';
import { imapIntakeBench } from './imap-intake';
import { csvImportBench } from './csv-import';
import type { BenchContext } from './lib/context';

const BENCHMARKS: Array<[string, (ctx: BenchContext) => Promise<unknown>]> = [
  ['creation', ticketCreation],
  ['transition', transition],
  ['burst', afterBurst],
  ['listing', queueListing],
  ['sla', slaAccuracy],
  ['overload', overload],
  ['web', webBundle],
  ['kb', kbSearch],
  ['reports', reportsBench],
  ['macros', macrosBench],
  ['attachments', attachmentsBench],
  ['live', liveLatency],
  ['ldap', ldapSyncBench],
  ['permissions', permissionsBench],
  ['rules', rulesBench],
  ['crm', crmPanelBench],
  ['imap', imapIntakeBench],
  ['csv', csvImportBench],
  // Last: it restarts the desk worker.
  ['memory', workerMemory],
];

async function main(): Promise<number> {
  const scale: Scale = process.env.BENCH_SCALE === 'full' ? 'full' : 'default';
  const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : undefined;
  const unknown = [...(only ?? [])].filter((name) => !BENCHMARKS.some(([n]) => n === name));
  if (unknown.length) throw new Error(`unknown benchmark(s) in BENCH_ONLY: ${unknown.join(', ')} (known: ${BENCHMARKS.map(([n]) => n).join(', ')})`);
  const t0 = performance.now();
  const ctx = await startContext(scale);
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: tearing down`);
    void ctx.stop().finally(() => process.exit(130));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  const summary: Record<string, unknown> = {};
  let failed = 0;
  try {
    process.stdout.write(`Guichet benchmarks, scale ${scale}: ${JSON.stringify(ctx.machine)}\n`);
    for (const [name, bench] of BENCHMARKS) {
      if (only && !only.has(name)) continue;
      const b0 = performance.now();
      const loadBefore = os.loadavg()[0];
      try {
        const result = await bench(ctx);
        const seconds = (performance.now() - b0) / 1000;
        // Other processes on the machine skew every figure: the 1-minute load average is recorded beside each benchmark.
        summary[name] = { seconds: Math.round(seconds), loadavg1: { before: loadBefore, after: os.loadavg()[0] }, result };
        process.stdout.write(`(${name}: ${seconds.toFixed(0)} s, 1-min load average ${loadBefore.toFixed(2)} before, ${os.loadavg()[0].toFixed(2)} after, on ${os.cpus().length} CPUs)\n`);
        log(`${name} done in ${seconds.toFixed(1)} s`);
      } catch (err) {
        failed++;
        summary[name] = { error: err instanceof Error ? err.message : String(err) };
        log(`${name} FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    }
  } finally {
    log('tearing down');
    await ctx.stop();
  }
  const totalS = (performance.now() - t0) / 1000;
  writeResult('summary', { scale, machine: ctx.machine, totalSeconds: Math.round(totalS), failed, summary }, ctx.startedAt);
  process.stdout.write(`\nall benchmarks finished in ${totalS.toFixed(0)} s${failed ? `, ${failed} FAILED` : ''}\n`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
