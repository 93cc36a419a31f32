// Benchmark: the console's weight and speed. (1) What each area downloads on its first load (entry chunk, preloads, the
// area's lazy chunk and its dependencies, CSS), raw and gzip, read from web/dist. (2) Time from navigation to the first
// rows of the agent queue view visible in Chromium with N seeded tickets, beside a static HTML table of the same rows.
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BrowserContext } from 'playwright-core';
import { adminBrowser } from './lib/browser';
import type { BenchContext } from './lib/context';
import { log, ratio, round, table, writeResult } from './lib/load';
import { ROOT } from '../platform/processes';

const PREFIX = 'BENCH-W-';
const REQUESTER = '00000000-0000-4000-8000-0000000be0c2';
const DIST = path.join(ROOT, 'web', 'dist');

interface AreaSize {
  area: string;
  files: number;
  rawKiB: number;
  gzipKiB: number;
  /** The files, as paths the server serves. */
  paths: string[];
}

function ensureBuilt(): void {
  if (fs.existsSync(path.join(DIST, 'index.html'))) return;
  log('web-bundle: building the console (web/dist is missing)');
  execFileSync('npx', ['vite', 'build', 'web', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
}

/** The first load of each area: what index.html loads, plus the deps Vite lists for the area's dynamic import. */
export function areaSizes(dist = DIST): { areas: AreaSize[]; entry: AreaSize; chunks: Array<{ file: string; rawKiB: number; gzipKiB: number }> } {
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const entryFile = initial.find((f) => /assets\/index-[^/]+\.js$/.test(f))!;
  const entry = fs.readFileSync(path.join(dist, entryFile), 'utf8');
  const deps = /__vite__mapDeps=\(i,m=__vite__mapDeps,d=\(m\.f\|\|\(m\.f=(\[[^\]]*\])/.exec(entry);
  const depFiles: string[] = deps ? JSON.parse(deps[1]!) : [];
  const lazy = new Map<string, string[]>();
  for (const m of entry.matchAll(/import\(`\.\/([^`]+)`\)[^_]{0,40}__vite__mapDeps\(\[([\d,]*)\]\)/g)) {
    lazy.set(m[1]!, m[2]!.split(',').filter(Boolean).map((i) => depFiles[Number(i)]!));
  }
  const size = (files: Iterable<string>) => {
    let raw = 0;
    let gz = 0;
    let n = 0;
    for (const f of new Set(files)) {
      const buf = fs.readFileSync(path.join(dist, f));
      raw += buf.length;
      gz += gzipSync(buf, { level: 9 }).length;
      n++;
    }
    return { files: n, rawKiB: round(raw / 1024, 1), gzipKiB: round(gz / 1024, 1), paths: [...new Set(files)].map((f) => `/${f}`) };
  };
  const lazyOf = (prefix: string) => [...lazy.entries()].find(([file]) => file.startsWith(prefix))?.[1] ?? [];
  // The language picker's list loads beside every first page, so it counts in each area.
  const shell = [...initial, ...lazyOf('select-')];
  const areas = [
    ['login', 'LoginPage-'],
    ['portal', 'portal-'],
    ['agent', 'agent-'],
    ['admin', 'admin-'],
  ].map(([area, prefix]) => ({ area: area!, ...size([...shell, ...lazyOf(prefix!)]) }));
  const chunks = fs
    .readdirSync(path.join(dist, 'assets'))
    .filter((f) => /\.(js|css)$/.test(f))
    .map((f) => {
      const buf = fs.readFileSync(path.join(dist, 'assets', f));
      return { file: f, rawKiB: round(buf.length / 1024, 1), gzipKiB: round(gzipSync(buf, { level: 9 }).length / 1024, 1) };
    })
    .sort((a, b) => b.rawKiB - a.rawKiB);
  return { areas, entry: { area: 'entry chunk', ...size([entryFile]) }, chunks };
}

/** Bytes the server sends for these paths (bodies as they come on the wire) when the browser accepts `encoding`. */
async function wireBytes(base: string, paths: string[], encoding: string): Promise<number> {
  let total = 0;
  for (const p of paths) {
    total += await new Promise<number>((resolve, reject) => {
      http
        .get(new URL(p, base), { headers: { 'accept-encoding': encoding } }, (res) => {
          let n = 0;
          res.on('data', (c: Buffer) => (n += c.length));
          res.on('end', () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`${p}: HTTP ${res.statusCode}`))));
        })
        .on('error', reject);
    });
  }
  return total;
}

async function seed(ctx: BenchContext, n: number): Promise<void> {
  await ctx.pool.query(
    `insert into tickets (id, number, type, title, description, priority, priority_order, state, state_category, queue, assignee_id,
       requester_id, definition_key, definition_version, fields, links, sla, sla_status, sla_due_at, last_seq, created_at, updated_at)
     select gen_random_uuid(), $1::text || g, 'incident', 'Seeded console ticket ' || g, 'Seeded by bench/web-bundle.ts, row ' || g,
       p.priority, p.priority_order, 'new', 'new', 'service_desk', null, $2::uuid, 'incident', 1, '{}'::jsonb, '[]'::jsonb,
       coalesce((select sla from tickets where number not like $1::text || '%' and sla <> '[]'::jsonb limit 1), '[]'::jsonb),
       'ok', null, 1, t.at, t.at
     from generate_series(1, $3::int) g
     cross join lateral (select case when g % 20 = 0 then 'critical' when g % 20 < 4 then 'high' when g % 20 < 12 then 'medium' else 'low' end as priority) q
     cross join lateral (select q.priority, case q.priority when 'critical' then 1 when 'high' then 2 when 'medium' then 3 else 4 end::smallint as priority_order) p
     cross join lateral (select now() - (g * interval '1 minute') as at) t`,
    [PREFIX, REQUESTER, n],
  );
  await ctx.pool.query('analyze tickets');
}

/** The same rows as the console's first page, as a plain server-rendered table: the floor for "rows on screen". */
function staticTable(rows: Array<{ number: string; title: string; type: string; priority: string; state: string; createdAt: string }>): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>baseline</title></head><body><table><thead><tr><th>Number</th><th>Title</th><th>Type</th><th>Priority</th><th>State</th><th>Created</th></tr></thead><tbody>${rows
    .map((r) => `<tr data-testid="ticket-row"><td>${esc(r.number)}</td><td>${esc(r.title)}</td><td>${esc(r.type)}</td><td>${esc(r.priority)}</td><td>${esc(r.state)}</td><td>${esc(r.createdAt)}</td></tr>`)
    .join('')}</tbody></table></body></html>`;
}

async function timeToRows(context: BrowserContext, url: string, runs: number): Promise<{ coldMs: number; warmMedianMs: number; samples: number[] }> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const page = await context.newPage();
    const t0 = performance.now();
    await page.goto(url, { waitUntil: 'commit' });
    await page.locator('[data-testid="ticket-row"]').first().waitFor({ state: 'visible', timeout: 60_000 });
    samples.push(performance.now() - t0);
    await page.close();
  }
  const warm = samples.slice(1).sort((a, b) => a - b);
  return { coldMs: round(samples[0]!, 1), warmMedianMs: round(warm[Math.floor(warm.length / 2)] ?? samples[0]!, 1), samples: samples.map((s) => round(s, 1)) };
}

export async function webBundle(ctx: BenchContext) {
  ensureBuilt();
  const sizes = areaSizes();
  const n = Number(process.env.BENCH_WEB_TICKETS ?? 10_000);
  const runs = Number(process.env.BENCH_WEB_RUNS ?? (ctx.full ? 15 : 5));
  log(`web-bundle: seeding ${n} tickets`);
  await ctx.pool.query(`delete from tickets where number like $1`, [PREFIX + '%']);
  await seed(ctx, n);
  const { browser, context } = await adminBrowser(ctx);
  try {
    const first = await ctx.admin.get('/api/tickets');
    const baselineHtml = staticTable(first.body.items);
    await context.route('**/bench-baseline.html', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: baselineHtml }));

    // What a first visit downloads from the desk itself: uncompressed (as the desk served it before it compressed), and
    // as a browser gets it (Accept-Encoding: gzip, deflate, br).
    const wire = [];
    for (const a of sizes.areas) {
      const identity = await wireBytes(ctx.desk.url, [...a.paths, '/'], 'identity');
      const compressed = await wireBytes(ctx.desk.url, [...a.paths, '/'], 'gzip, deflate, br');
      wire.push({ area: a.area, identityKiB: round(identity / 1024, 1), compressedKiB: round(compressed / 1024, 1), ratio: ratio(compressed, identity) });
    }
    process.stdout.write(
      `\n== web-bundle: first visit over the wire (the HTML shell, JS and CSS as the desk sends them) ==\n` +
        table(['area', 'uncompressed KiB', 'Brotli KiB', 'ratio'], wire.map((w) => [w.area, w.identityKiB, w.compressedKiB, w.ratio])) +
        '\n',
    );

    const consoleRun = await timeToRows(context, '/tickets', runs);
    const baselineRun = await timeToRows(context, '/bench-baseline.html', runs);
    const firstRender = {
      tickets: n,
      rowsShown: first.body.items.length,
      console: consoleRun,
      baseline: baselineRun,
      coldRatio: ratio(consoleRun.coldMs, baselineRun.coldMs),
      warmRatio: ratio(consoleRun.warmMedianMs, baselineRun.warmMedianMs),
    };
    process.stdout.write(
      `\n== web-bundle: first load per area (JS + CSS from web/dist; the entry chunk alone: ${sizes.entry.rawKiB} KiB, ${sizes.entry.gzipKiB} KiB gzip) ==\n` +
        table(['area', 'files', 'raw KiB', 'gzip KiB'], sizes.areas.map((a) => [a.area, a.files, a.rawKiB, a.gzipKiB])) +
        `\n\n== web-bundle: navigation to first queue rows visible (${n} tickets seeded, ${firstRender.rowsShown} rows on the first page; ${runs} runs, ms) ==\n` +
        table(
          ['page', 'cold', 'warm median', 'samples'],
          [
            ['console /tickets', consoleRun.coldMs, consoleRun.warmMedianMs, consoleRun.samples.join(' ')],
            ['static HTML table, same rows', baselineRun.coldMs, baselineRun.warmMedianMs, baselineRun.samples.join(' ')],
          ],
        ) +
        `\nconsole/static ratio: cold ${firstRender.coldRatio}, warm ${firstRender.warmRatio}\n`,
    );
    const file = writeResult('web-bundle', { benchmark: 'web-bundle', scale: ctx.scale, machine: ctx.machine, sizes, wire, firstRender }, ctx.startedAt);
    log(`web-bundle written to ${file}`);
    return { areas: sizes.areas, entry: sizes.entry, wire, firstRender };
  } finally {
    await browser.close();
    await ctx.pool.query(`delete from tickets where number like $1`, [PREFIX + '%']);
    await ctx.pool.query('analyze tickets');
  }
}

// `npx tsx bench/web-bundle.ts --sizes`: the size table alone, no servers (e.g. after `npx vite build web`).
if (process.argv[1] && import.meta.filename === path.resolve(process.argv[1]) && process.argv.includes('--sizes')) {
  const s = areaSizes();
  process.stdout.write(table(['area', 'files', 'raw KiB', 'gzip KiB'], [...s.areas, s.entry].map((a) => [a.area, a.files, a.rawKiB, a.gzipKiB])) + '\n');
}
