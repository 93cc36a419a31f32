// Benchmark: a CSV import of N tickets (POST /api/imports/tickets, streamed) beside opening tickets one by one through
// POST /api/tickets on the same desk. The file is written to a temp file row by row: 95 % closed tickets spread over
// past years (read model only), 5 % open ones (new / in_progress, each a workflow started after the commit), about
// 2,000 requesters unknown to the desk (made as customers), one or two comments per ticket and sometimes an internal
// note, by agents the bench makes first. Measured: a dry run of the whole file, the import itself (until its answer, so
// the commit, the report facts and the workflow starts of the open ones are in), and a second run of the same file
// (everything unchanged), in tickets/s; the API process's RSS before and its peak during each run (VmRSS sampled every
// 200 ms from /proc/<pid>/status of the desk's API child, VmHWM reset first through /proc/<pid>/clear_refs); where the
// import's time goes, sampled from pg_stat_activity every 200 ms; and the CPU of each process tree. One file past 400
// lines on purpose: the data it writes, the runs it times and the samplers that explain them are read together.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { BenchContext } from './lib/context';
import { closedLoop, expectStatus, log, ratio, round, sleep, table, writeResult, type LoadResult } from './lib/load';
import { cpuRows, cpuSnapshot, measureCpu, type CpuSplit } from './lib/cpu';
import { waitRecorded } from './lib/recorded';
import { ticketBody } from './ticket-creation';
import { rssKiB } from './worker-memory';
import type { ImportReport } from '../api/modules/imports/schemas';

const HEADER = ['id', 'type', 'title', 'description', 'priority', 'state', 'queue', 'requester', 'requester_name', 'assignee', 'created_at', 'updated_at', 'resolved_at', 'closed_at', 'tags', 'field.category', 'field.resolution', 'comment', 'comment', 'note'];
const AGENTS = 20;
const DAY = 86_400_000;
const MIB = 1024 * 1024;

/** A small seeded PRNG (mulberry32): the same file for the same size, run after run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Marie', 'Ada', 'Grace', 'Alan', 'Hedy', 'Linus', 'Margaret', 'Dennis', 'Barbara', 'Ken', 'Frances', 'Edsger', 'Radia', 'Niklaus', 'Karen', 'Tim'];
const LAST = ['Curie', 'Lovelace', 'Hopper', 'Turing', 'Lamarr', 'Torvalds', 'Hamilton', 'Ritchie', 'Liskov', 'Thompson', 'Allen', 'Dijkstra', 'Perlman', 'Wirth', 'Jones', 'Berners-Lee'];
const THINGS = ['printer', 'laptop', 'VPN client', 'mailbox', 'badge reader', 'Wi-Fi access point', 'ERP screen', 'docking station', 'shared drive', 'phone line', 'payroll export', 'meeting-room screen'];
const PROBLEMS = ['does not start', 'is very slow since the update', 'shows an error at login', 'drops the connection every few minutes', 'cannot be reached from the office', 'asks for a password again and again', 'jams on every second page', 'lost its settings'];
const PLACES = ['Lyon office', 'floor 3', 'the warehouse', 'Paris HQ', 'the front desk', 'building B', 'the training room', 'home office'];
const SENTENCES = [
  'Since this morning nobody on the team can work normally, and we have a customer deadline at the end of the week.',
  'I already restarted the machine twice and unplugged every cable, as the intranet page suggests, without any change.',
  'The error message says that the service is temporarily unavailable and that I should contact my administrator.',
  'It worked fine yesterday evening; the only change I know of is the update that was pushed overnight.',
  'Two colleagues next to me have the same problem, so it does not seem to be linked to my account only.',
  'Could someone have a look today? I can be reached on my mobile phone all afternoon, or by e-mail, whatever suits you.',
  'I attach nothing because the screen freezes before I can take a screenshot, but I can show it to a technician.',
  'This is the third time this month; last time the fix was to reinstall the driver, which took about an hour.',
];
const REPLIES = [
  'Thanks for the details. I have reproduced the problem on a test machine and I am looking at the logs now.',
  'Could you tell me the exact time it last happened, and whether you were on the office network or on the VPN?',
  'A technician will come by this afternoon; please leave the machine switched on and logged out.',
  'The update has been rolled back on your workstation. Please restart it and tell me if the problem is gone.',
  'It works again now, thank you very much for the quick help!',
  'Still the same here, even after the restart. The message appears right after I type my password.',
];
const NOTES = ['Known issue with the last driver package, see the change ticket.', 'Called the user, confirmed on the phone.', 'Escalated informally to the network team; waiting for their answer.'];
const CATEGORIES = ['hardware', 'software', 'network', 'access', 'other'];
const TAGS = ['printer', 'vpn', 'onboarding', 'vip', 'outage', 'windows', 'macos', 'mobile'];

const cell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Writes the file row after row (never the whole text in memory) and says what is in it. */
async function writeCsv(file: string, n: number, requesters: number, run: string, agents: string[]): Promise<{ bytes: number; open: number; comments: number; notes: number }> {
  const rand = prng(n * 7919 + requesters);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const out = fs.createWriteStream(file, { highWaterMark: 1 << 20 });
  const write = async (line: string) => {
    if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', resolve));
  };
  const now = Date.now();
  const iso = (ms: number) => new Date(Math.floor(ms)).toISOString();
  let open = 0;
  let comments = 0;
  let notes = 0;
  await write(HEADER.join(',') + '\r\n');
  for (let i = 0; i < n; i++) {
    const r = i % requesters;
    const requester = `${FIRST[r % FIRST.length]!.toLowerCase()}.${LAST[Math.floor(r / FIRST.length) % LAST.length]!.toLowerCase()}.${r}.${run}@customers-bench.test`;
    const requesterName = `${FIRST[r % FIRST.length]} ${LAST[Math.floor(r / FIRST.length) % LAST.length]}`;
    const isOpen = i % 20 === 7;
    const state = isOpen ? (rand() < 0.5 ? 'in_progress' : 'new') : 'closed';
    const agent = pick(agents);
    const assignee = state === 'new' ? '' : agent;
    // Closed: created 30 days to 6 years ago, resolved within 20 days, closed up to a week later. Open: the last 60 days.
    const created = isOpen ? now - (1 + rand() * 59) * DAY : now - (30 + rand() * 2160) * DAY;
    const resolved = isOpen ? 0 : created + (0.05 + rand() * 20) * DAY;
    const closed = isOpen ? 0 : resolved + rand() * 7 * DAY;
    const lastAt = isOpen ? now - 3_600_000 : resolved;
    const title = `${pick(THINGS)} ${pick(PROBLEMS)} in ${pick(PLACES)} #${i}`;
    let description = '';
    while (description.length < 380) description += (description ? ' ' : '') + pick(SENTENCES);
    const cells = Array.from({ length: 1 + (rand() < 0.5 ? 1 : 0) }, (_, k) => {
      const at = created + ((k + 1) / 3) * (lastAt - created);
      const author = k === 0 && state !== 'new' ? agent : requester;
      return `${iso(at)};${author};${pick(REPLIES)} ${pick(SENTENCES)}`;
    });
    comments += cells.length;
    const note = rand() < 0.3 ? `${iso(created + 0.9 * (lastAt - created))};${agent};${pick(NOTES)}` : '';
    if (note) notes += 1;
    if (isOpen) open += 1;
    const tags = rand() < 0.3 ? [pick(TAGS), pick(TAGS)].join(';') : '';
    const row = [
      `LEGACY-${i}`,
      'incident',
      title,
      description,
      pick(['low', 'medium', 'medium', 'high', 'critical']),
      state,
      'service_desk',
      requester,
      requesterName,
      assignee,
      iso(created),
      isOpen ? '' : iso(closed),
      isOpen ? '' : iso(resolved),
      isOpen ? '' : iso(closed),
      tags,
      pick(CATEGORIES),
      isOpen ? '' : `Fixed: ${pick(REPLIES)}`,
      cells[0] ?? '',
      cells[1] ?? '',
      note,
    ];
    await write(row.map(cell).join(',') + '\r\n');
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return { bytes: fs.statSync(file).size, open, comments, notes };
}

/** VmRSS sampled every 200 ms, and VmHWM, of one process; VmHWM is reset first (clear_refs 5) so it is this run's peak. */
function rssWatch(pid: number) {
  let hwmReset = true;
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    hwmReset = false;
  }
  const t0 = performance.now();
  const before = rssKiB(pid);
  let peak = before.rss;
  const samples: Array<[number, number]> = [[0, round(before.rss / 1024, 1)]];
  const timer = setInterval(() => {
    try {
      const { rss } = rssKiB(pid);
      peak = Math.max(peak, rss);
      samples.push([Math.round(performance.now() - t0), round(rss / 1024, 1)]);
    } catch {
      // the process is gone: the run fails on its own
    }
  }, 200);
  return {
    stop() {
      clearInterval(timer);
      const end = rssKiB(pid);
      return {
        beforeMiB: round(before.rss / 1024, 1),
        peakSampledMiB: round(Math.max(peak, end.rss) / 1024, 1),
        /** Peak RSS the kernel saw since the reset (null when clear_refs was refused: then it is since the process started). */
        vmHwmMiB: hwmReset ? round(end.hwm / 1024, 1) : null,
        afterMiB: round(end.rss / 1024, 1),
        samples,
      };
    },
  };
}

/** What PostgreSQL says the import is doing, every 200 ms: the statement of the run's transaction (it holds the source's advisory lock), then the facts refresh and the workflow starts after the commit. */
function dbWatch(databaseUrl: string, source: string) {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'bench-csv-watch' });
  const shares = new Map<string, number>();
  const t0 = performance.now();
  let stopped = false;
  let locked = false;
  let commitAt: number | undefined;
  let factsEnd: number | undefined;
  let last = t0;
  const classify = (rows: Array<{ state: string; query: string; importing: boolean }>): string => {
    const tx = rows.find((r) => r.importing);
    if (tx) {
      locked = true;
      // The ORM's statements quote their names and alias their tables ("t0"): matched without the quotes.
      const q = tx.query.replace(/\s+/g, ' ').replace(/"/g, '').trim().toLowerCase();
      if (tx.state !== 'active') return 'in tx: no statement running (API: reading the upload, parsing, checking, building rows)';
      if (q.startsWith('insert into tickets')) return 'in tx: insert into tickets';
      if (q.startsWith('update tickets')) return 'in tx: update tickets';
      if (q.startsWith('insert into ticket_events')) return 'in tx: insert into ticket_events';
      if (q.startsWith('delete from')) return 'in tx: delete (rewrites)';
      if (q.includes('nextval')) return "in tx: nextval('ticket_number_seq'), one per ticket";
      if (q.startsWith('insert into import_keys')) return 'in tx: insert into import_keys';
      if (q.includes('from import_keys')) return 'in tx: select import_keys (known keys)';
      if (q.includes('from users') || q.startsWith('insert into users')) return 'in tx: users (lookup, customers made)';
      if (q.startsWith('select') && q.includes('from tickets')) return 'in tx: select tickets of known keys';
      if (q.startsWith('commit')) return 'commit';
      return `in tx: other SQL (${q.slice(0, 40)})`;
    }
    if (!locked) return 'before the transaction';
    commitAt ??= performance.now() - t0;
    const active = rows.filter((r) => r.state === 'active').map((r) => r.query.replace(/\s+/g, ' ').trim().toLowerCase());
    if (active.some((q) => q.startsWith('insert into ticket_facts'))) {
      factsEnd = performance.now() - t0;
      return 'after commit: report facts refresh (insert into ticket_facts)';
    }
    if (factsEnd === undefined) return 'after commit: before/between facts statements';
    if (active.some((q) => q.includes('import_keys'))) return 'after commit: workflow starts (import_keys page / update)';
    return 'after commit: workflow starts (Temporal round trips, no SQL)';
  };
  const loop = (async () => {
    await client.connect();
    while (!stopped) {
      try {
        const { rows } = await client.query<{ state: string; query: string; importing: boolean }>(
          `select a.state, left(a.query, 200) as query,
             exists (select 1 from pg_locks l where l.pid = a.pid and l.locktype = 'advisory' and l.granted and l.objid::bigint = (hashtext($1)::bigint & 4294967295)) as importing
           from pg_stat_activity a
           where a.backend_type = 'client backend' and a.pid <> pg_backend_pid() and a.datname = current_database() and a.state <> 'idle'`,
          [`guichet-import:csv:${source}`],
        );
        const now = performance.now();
        const what = classify(rows);
        shares.set(what, (shares.get(what) ?? 0) + (now - last));
        last = now;
      } catch (err) {
        log(`csv: pg_stat_activity sample failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      await sleep(200);
    }
    await client.end();
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      const total = [...shares.values()].reduce((s, v) => s + v, 0) || 1;
      return {
        commitAtS: commitAt === undefined ? null : round(commitAt / 1000, 1),
        factsEndS: factsEnd === undefined ? null : round(factsEnd / 1000, 1),
        phases: [...shares].sort((a, b) => b[1] - a[1]).map(([what, ms]) => ({ what, seconds: round(ms / 1000, 1), share: round((ms / total) * 100, 1) })),
      };
    },
  };
}

/** Streams the file to the import (fetch with a ReadableStream body, duplex half) with the admin's cookie and CSRF header. */
async function upload(ctx: BenchContext, file: string, source: string, dryRun: boolean, label: string): Promise<{ status: number; report: ImportReport; ms: number; uploadedMs: number }> {
  const cookie = (ctx.admin as unknown as { cookie: string }).cookie;
  const size = fs.statSync(file).size;
  const fh = await fs.promises.open(file, 'r');
  let sent = 0;
  let uploadedMs = NaN;
  const t0 = performance.now();
  const progress = setInterval(() => log(`  ${label}: ${round((sent / size) * 100, 1)} % of the file taken by the API after ${round((performance.now() - t0) / 1000, 0)} s`), 15_000);
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const buf = Buffer.allocUnsafe(256 * 1024);
        const { bytesRead } = await fh.read(buf, 0, buf.length, null);
        if (!bytesRead) {
          uploadedMs = performance.now() - t0;
          controller.close();
          return;
        }
        sent += bytesRead;
        controller.enqueue(buf.subarray(0, bytesRead));
      },
    },
    { highWaterMark: 0 },
  );
  try {
    const res = await fetch(`${ctx.desk.url}/api/imports/tickets?source=${source}&dryRun=${dryRun}&filename=${path.basename(file)}`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': ctx.admin.csrf, 'content-type': 'text/csv; charset=utf-8' },
      body,
      duplex: 'half',
    } as RequestInit);
    const text = await res.text();
    const ms = performance.now() - t0;
    let report: ImportReport;
    try {
      report = JSON.parse(text) as ImportReport;
    } catch {
      throw new Error(`${label}: HTTP ${res.status} ${text.slice(0, 300)}`);
    }
    return { status: res.status, report, ms, uploadedMs };
  } finally {
    clearInterval(progress);
    await fh.close();
  }
}

/** `$from, …` for `count` parameters, as the ORM numbers an `in` list's. */
const placeholders = (from: number, count: number) => Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ');

/** EXPLAIN ANALYZE of one statement: its plan's nodes, time and buffers. */
async function explain(ctx: BenchContext, sql: string, params: unknown[]) {
  const { rows } = await ctx.pool.query(`explain (analyze, buffers, format json) ${sql}`, params);
  const plan = (rows[0] as Record<string, any>)['QUERY PLAN'][0];
  const nodes: string[] = [];
  const walk = (p: any) => {
    nodes.push(`${p['Node Type']}${p['Relation Name'] ? ` on ${p['Relation Name']}` : ''}${p['Index Name'] ? ` using ${p['Index Name']}` : ''}`);
    (p.Plans ?? []).forEach(walk);
  };
  walk(plan.Plan);
  return { plan: nodes.join(' > '), executionMs: round(plan['Execution Time'] as number), sharedBlocks: (plan.Plan['Shared Hit Blocks'] as number) + (plan.Plan['Shared Read Blocks'] as number) };
}

/** Waits until the worker's process tree has been nearly idle (< 0.1 core) for 2 s: the first tasks of the started workflows are done. */
async function workerSettled(ctx: BenchContext, timeoutMs = 900_000): Promise<number> {
  const t0 = performance.now();
  let quiet = 0;
  let prev = cpuSnapshot(ctx.cpuRoots()).worker ?? 0;
  while (performance.now() - t0 < timeoutMs) {
    await sleep(1000);
    const now = cpuSnapshot(ctx.cpuRoots()).worker ?? 0;
    quiet = now - prev < 100 ? quiet + 1 : 0;
    prev = now;
    if (quiet >= 2) return performance.now() - t0 - 2000;
  }
  return NaN;
}

export async function csvImportBench(ctx: BenchContext) {
  const n = Number(process.env.BENCH_CSV_TICKETS ?? 100_000);
  const requesters = Math.min(Number(process.env.BENCH_CSV_REQUESTERS ?? 2000), n);
  const apiCount = Number(process.env.BENCH_CSV_API_TICKETS ?? 1000);
  const run = Date.now().toString(36);
  const source = `bench-${run}`;
  const apiPid = ctx.desk.api.process.pid!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-bench-csv-'));
  const file = path.join(dir, `tickets-${n}.csv`);
  try {
    log(`csv: ${AGENTS} agents, then a file of ${n} tickets from ${requesters} requesters`);
    const agents: string[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const email = `agent${i}.${run}@desk-bench.test`;
      expectStatus(await ctx.admin.post('/api/users', { email, name: `Bench agent ${i}`, role: 'agent', password: 'a-long-password-for-bench' }), 201, 'POST /api/users');
      agents.push(email);
    }
    const g0 = performance.now();
    const content = await writeCsv(file, n, requesters, run, agents);
    const generateS = round((performance.now() - g0) / 1000, 1);
    const mb = round(content.bytes / MIB, 1);
    log(`csv: ${file}: ${mb} MiB, ${content.open} open tickets, ${content.comments} comments, ${content.notes} notes (written in ${generateS} s)`);

    // Baseline first, on the desk as it is (before 100,000 more tickets and thousands of workflows to run).
    log(`csv: baseline, ${apiCount} tickets through POST /api/tickets at concurrency 8`);
    const opened: string[] = [];
    let drainMs = 0;
    const api = await measureCpu(ctx.cpuRoots, apiCount, async () => {
      const r: LoadResult = await closedLoop({
        count: apiCount,
        concurrency: 8,
        warmup: 32,
        op: async (i) => {
          const res = await ctx.admin.post('/api/tickets', ticketBody(i, 'csv'));
          expectStatus(res, 201, 'POST /api/tickets');
          if (i >= 32) opened.push((res.body as { id: string }).id);
        },
      });
      drainMs = await waitRecorded(ctx.pool, opened, 300_000);
      return r;
    });
    const apiRate = api.result.throughput;
    const apiRecorded = round((apiCount / ((apiCount / apiRate) * 1000 + drainMs)) * 1000);
    log(`csv: API ${apiRate} tickets/s (${apiRecorded}/s until recorded)${api.result.errors ? `, ${api.result.errors} errors: ${api.result.firstError}` : ''}`);

    const measureRun = async (label: string, dryRun: boolean) => {
      log(`csv: ${label}`);
      const rss = rssWatch(apiPid);
      const db = dbWatch(ctx.databaseUrl, source);
      const { result, cpu } = await measureCpu(ctx.cpuRoots, n, () => upload(ctx, file, source, dryRun, label));
      const memory = rss.stop();
      const where = await db.stop();
      const { report } = result;
      if (result.status !== 200 || report.errorCount) throw new Error(`${label}: HTTP ${result.status}, ${report.errorCount} errors: ${JSON.stringify(report.errors?.slice(0, 5))}`);
      const seconds = round(result.ms / 1000, 1);
      const perSecond = round(n / (result.ms / 1000));
      log(`csv: ${label}: ${seconds} s, ${perSecond} tickets/s, API RSS ${memory.beforeMiB} → peak ${memory.vmHwmMiB ?? memory.peakSampledMiB} MiB`);
      const { errors: _errors, ...counts } = report;
      return { label, seconds, perSecond, uploadedS: round(result.uploadedMs / 1000, 1), report: counts, memory, where, cpu };
    };

    const dry = await measureRun('dry run of the whole file (dryRun=true)', true);
    const real = await measureRun(`import (written; ${content.open} workflows started)`, false);
    if (real.report.created !== n || real.report.workflowsStarted !== content.open) throw new Error(`import: created ${real.report.created} of ${n}, started ${real.report.workflowsStarted} of ${content.open} workflows`);
    log('csv: waiting for the worker to run the started workflows\' first tasks before the second run');
    const settleMs = await workerSettled(ctx);
    const again = await measureRun('second run, same file (all unchanged)', false);
    if (again.report.unchanged !== n) throw new Error(`second run: ${again.report.unchanged} of ${n} unchanged`);

    // The two look-ups each batch of 500 rows makes before it writes (the SQL the ORM sends for imports/keys.ts knownKeys
    // and for writeTickets in imports/ticket-writer.ts), on 500 of this file's keys, once the runs are over.
    const { rows: keys } = await ctx.pool.query<{ external_id: string; local_id: string }>(
      `select external_id, local_id from import_keys where source = $1 and kind = 'ticket' order by external_id limit 500`,
      [`csv:${source}`],
    );
    const plans = {
      'known keys (import_keys)': await explain(
        ctx,
        `select i0.external_id, i0.local_id, i0.digest, i0.imported_seq, i0.live from import_keys as i0 where i0.source = $1 and i0.kind = $2 and i0.external_id in (${placeholders(3, keys.length)})`,
        [`csv:${source}`, 'ticket', ...keys.map((k) => k.external_id)],
      ),
      'tickets of known keys (tickets)': await explain(
        ctx,
        `select t0.id, t0.number, t0.last_seq, t0.anonymised_at from tickets as t0 where t0.id in (${placeholders(1, keys.length)})`,
        keys.map((k) => k.local_id),
      ),
    };
    const { rows: counts } = await ctx.pool.query<{ tickets: number }>(`select count(*)::int as tickets from tickets`);

    const runs = [dry, real, again];
    const rowsOut = runs.map((r) => [
      r.label,
      n,
      r.seconds,
      r.perSecond,
      ratio(r.perSecond, apiRate),
      r.memory.beforeMiB,
      r.memory.vmHwmMiB ?? r.memory.peakSampledMiB,
      r.memory.peakSampledMiB,
      `created ${r.report.created}, unchanged ${r.report.unchanged}, users ${r.report.usersCreated}, workflows ${r.report.workflowsStarted}`,
    ]);
    rowsOut.push([`baseline: POST /api/tickets one by one, c=8 (p50 ${api.result.p50} ms)`, apiCount, round(api.result.wallMs / 1000, 1), apiRate, 1, '', '', '', `${apiRecorded}/s until recorded, ${api.result.errors} errors`]);
    const cpu = cpuRows([...runs.map((r) => [r.label, r.cpu] as [string, CpuSplit]), ['baseline: POST /api/tickets c=8', api.cpu]]);
    const out =
      `\n== csv-import: ${n} tickets (${n - content.open} closed, ${content.open} open), ${requesters} requesters, ${content.comments} comments, ${content.notes} notes; ${mb} MiB file, streamed ==\n` +
      table(['run', 'tickets', 's', 'tickets/s', 'vs API', 'API RSS before MiB', 'peak (VmHWM) MiB', 'peak sampled MiB', 'report'], rowsOut) +
      `\n(vs API: tickets/s ÷ the baseline's tickets/s. The import's seconds run until its answer: commit, report facts and the ${content.open} workflow starts included.` +
      `\n the worker then ran the started workflows' first tasks for ${round(settleMs / 1000, 1)} s more, before the second run.)\n` +
      `\nWhere the time goes (pg_stat_activity every 200 ms: what the run's connection was doing, then the statements after its commit). The import's upload was all taken by the API at ${real.uploadedS} s, its transaction committed at ~${real.where.commitAtS} s, its facts refresh ended at ~${real.where.factsEndS} s of ${real.seconds} s:\n` +
      table(
        ['run / phase', 's', '%'],
        runs.flatMap((r) => [[`${r.label} (${r.seconds} s, upload all taken at ${r.uploadedS} s)`, '', ''], ...r.where.phases.map((p) => [`  ${p.what}`, p.seconds, p.share])]),
      ) +
      `\n\nThe look-ups each batch of 500 rows makes (EXPLAIN ANALYZE on 500 of the file's keys after the runs, ${counts[0]!.tickets} rows in tickets):\n` +
      table(['look-up', 'plan', 'ms', 'buffers'], Object.entries(plans).map(([k, p]) => [k, p.plan, p.executionMs, p.sharedBlocks])) +
      '\n\nWhere the CPU goes (user+system ms per ticket in each process tree; "cores busy" = CPU time ÷ wall time, 2 = both cores):\n' +
      table(cpu.headers, cpu.rows) +
      '\n';
    process.stdout.write(out);
    const result = {
      tickets: n,
      requesters,
      file: { mib: mb, open: content.open, comments: content.comments, notes: content.notes, generateSeconds: generateS },
      api: { count: apiCount, result: api.result, recordedPerSecond: apiRecorded, cpu: api.cpu },
      runs,
      workerSettleSeconds: round(settleMs / 1000, 1),
      plans,
      ratios: Object.fromEntries(runs.map((r) => [r.label, ratio(r.perSecond, apiRate)])),
    };
    const written = writeResult('csv-import', { benchmark: 'csv-import', machine: ctx.machine, apiMeasured: `desk API child process (pid ${apiPid})`, ...result }, ctx.startedAt);
    log(`csv-import written to ${written}`);
    return { ...result, runs: runs.map(({ memory: { samples: _s, ...memory }, ...r }) => ({ ...r, memory })) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
