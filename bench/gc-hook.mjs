// Preloaded into the worker processes that bench/worker-memory.ts measures (NODE_OPTIONS="--expose-gc --import=<this file>").
// On an IPC message {benchGc} it runs a full GC in the main isolate and in every worker thread (where the Temporal SDK keeps
// the workflow sandboxes), then answers with the V8 heap in use per isolate, so RSS samples are not skewed by garbage that
// happens not to be collected yet (e.g. the workflow bundle's webpack build at start-up) and live heap can be reported.
// Worker threads do not run --import preloads, so worker_threads.Worker is wrapped to start each thread with a small GC listener.
import { createRequire } from 'node:module';
import v8 from 'node:v8';
import { BroadcastChannel, isMainThread } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const CHANNEL = `bench-gc-${process.pid}`;

if (isMainThread && process.send) {
  const threads = require('node:worker_threads');
  const Original = threads.Worker;
  threads.Worker = class BenchGcWorker extends Original {
    constructor(filename, options = {}) {
      if (options.eval || typeof filename !== 'string') {
        super(filename, options);
        return;
      }
      const prelude = `
        const { BroadcastChannel, threadId } = require('node:worker_threads');
        const v8 = require('node:v8');
        const ch = new BroadcastChannel(${JSON.stringify(CHANNEL)});
        ch.unref();
        ch.onmessage = (e) => {
          if (!e.data || e.data.kind !== 'collect') return;
          globalThis.gc?.();
          ch.postMessage({ kind: 'collected', id: e.data.id, threadId, heapUsed: v8.getHeapStatistics().used_heap_size });
        };
        require(${JSON.stringify(filename)});
      `;
      super(prelude, { ...options, eval: true });
      BenchGcWorker.live.add(this);
      this.once('exit', () => BenchGcWorker.live.delete(this));
    }
    static live = new Set();
  };
  const channel = new BroadcastChannel(CHANNEL);
  channel.unref();
  process.on('message', (m) => {
    if (!m || !m.benchGc) return;
    const id = m.benchGc;
    const expected = threads.Worker.live.size;
    const threadHeaps = [];
    const finish = () => {
      clearTimeout(timer);
      channel.onmessage = null;
      globalThis.gc?.();
      process.send?.({ benchGcDone: id, gc: typeof globalThis.gc === 'function', memory: process.memoryUsage(), mainHeapUsed: v8.getHeapStatistics().used_heap_size, threadHeaps });
    };
    const timer = setTimeout(finish, 5000);
    channel.onmessage = (e) => {
      if (e.data?.kind === 'collected' && e.data.id === id) {
        threadHeaps.push({ threadId: e.data.threadId, heapUsed: e.data.heapUsed });
        if (threadHeaps.length >= expected) finish();
      }
    };
    channel.postMessage({ kind: 'collect', id });
    if (expected === 0) finish();
  });
  // The listener must not keep a process alive that would otherwise exit.
  process.channel?.unref();
}
