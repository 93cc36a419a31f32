// Benchmark: a 10 MB attachment uploaded through the API (streamed into PostgreSQL in 256 KiB chunks with its SHA-256)
// and downloaded again, beside the same bytes written and read raw: as 256 KiB bytea rows through `pg`, and as a file on
// the local disk. MB/s = 10 MB ÷ wall time of one transfer, median of N.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchContext } from './lib/context';
import { log, percentile, ratio, round, table, writeResult } from './lib/load';

const CHUNK = 256 * 1024;

async function timed(runs: number, op: (i: number) => Promise<void>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await op(i);
    ms.push(performance.now() - t0);
  }
  return ms.sort((a, b) => a - b);
}

export async function attachmentsBench(ctx: BenchContext) {
  const runs = Number(process.env.BENCH_ATTACHMENT_RUNS ?? 5);
  const bytes = randomBytes(10 * 1024 * 1024);
  const mb = bytes.length / 1e6;
  log(`attachments: ${runs} uploads and downloads of ${mb} MB`);
  const ticket = await ctx.admin.post('/api/tickets', { type: 'incident', title: 'Attachment bench', priority: 'low' });
  const cookie = (ctx.admin as unknown as { cookie: string }).cookie;
  const ids: string[] = [];

  const upload = await timed(runs, async (i) => {
    const res = await fetch(`${ctx.desk.url}/api/tickets/${ticket.body.id}/attachments?filename=bench-${i}.zip&visibility=public`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': ctx.admin.csrf, 'content-type': 'application/zip' },
      body: bytes,
    });
    if (res.status !== 201) throw new Error(`upload: ${res.status} ${await res.text()}`);
    ids.push(((await res.json()) as { id: string }).id);
  });
  const download = await timed(runs, async (i) => {
    const res = await fetch(`${ctx.desk.url}/api/attachments/${ids[i]}`, { headers: { cookie } });
    const got = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200 || got.length !== bytes.length) throw new Error(`download: ${res.status}, ${got.length} bytes`);
  });

  // Raw PostgreSQL: the same bytes as 256 KiB bytea rows, one INSERT each, then read back in order.
  await ctx.pool.query('create table if not exists bench_blob (id int, n int, data bytea, primary key (id, n))');
  const pgWrite = await timed(runs, async (i) => {
    for (let n = 0; n * CHUNK < bytes.length; n++) await ctx.pool.query('insert into bench_blob values ($1, $2, $3)', [i, n, bytes.subarray(n * CHUNK, (n + 1) * CHUNK)]);
  });
  const pgRead = await timed(runs, async (i) => {
    const rows = await ctx.pool.query<{ data: Buffer }>('select data from bench_blob where id = $1 order by n', [i]);
    if (Buffer.concat(rows.rows.map((r) => r.data)).length !== bytes.length) throw new Error('raw read: wrong size');
  });
  await ctx.pool.query('drop table bench_blob');

  // A file on the local disk (fsync'd, as a database commit is).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-bench-files-'));
  const fileWrite = await timed(runs, async (i) => {
    const fh = await fs.promises.open(path.join(dir, `f${i}`), 'w');
    await fh.writeFile(bytes);
    await fh.sync();
    await fh.close();
  });
  const fileRead = await timed(runs, async (i) => void (await fs.promises.readFile(path.join(dir, `f${i}`))));
  fs.rmSync(dir, { recursive: true, force: true });

  const rate = (ms: number[]) => round(mb / (percentile(ms, 50) / 1000), 1);
  const rows: Array<[string, number[]]> = [
    ['API upload (PostgreSQL chunks + SHA-256)', upload],
    ['raw pg INSERT 256 KiB bytea rows', pgWrite],
    ['file write + fsync', fileWrite],
    ['API download', download],
    ['raw pg SELECT of the rows', pgRead],
    ['file read', fileRead],
  ];
  process.stdout.write(
    `\n== a ${mb} MB attachment, ${runs} transfers each (median) ==\n` +
      table(['transfer', 'MB/s', 'p50 ms', 'max ms'], rows.map(([l, ms]) => [l, rate(ms), round(percentile(ms, 50)), round(ms[ms.length - 1]!)])) +
      '\n\n' +
      table(
        ['ratio (MB/s)', 'vs raw pg', 'vs file'],
        [
          ['upload', ratio(rate(upload), rate(pgWrite)), ratio(rate(upload), rate(fileWrite))],
          ['download', ratio(rate(download), rate(pgRead)), ratio(rate(download), rate(fileRead))],
        ],
      ) +
      '\n',
  );
  const result = Object.fromEntries(rows.map(([l, ms]) => [l, { mbPerSecond: rate(ms), ms: ms.map((x) => round(x)) }]));
  const file = writeResult('attachments', { benchmark: 'attachments', machine: ctx.machine, megabytes: mb, runs, result }, ctx.startedAt);
  log(`attachments written to ${file}`);
  return result;
}
