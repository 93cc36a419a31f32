// Benchmark: how soon a comment shows on a ticket page another agent has open. A Chromium page (the second agent) has
// the ticket open; comments are posted through the API one after the other, and the page notes when each one appears in
// its timeline (a MutationObserver) and when the stream event carrying it arrived (an EventSource of its own, the
// baseline: the same event with no page work). Latency is from the API's answer (the comment committed) to each.
import type { BenchContext } from './lib/context';
import { adminBrowser } from './lib/browser';
import { expectStatus, log, percentile, ratio, round, table, writeResult } from './lib/load';

export async function liveLatency(ctx: BenchContext) {
  const n = Number(process.env.BENCH_LIVE_COMMENTS ?? 40);
  const ticket = await ctx.admin.post('/api/tickets', { type: 'incident', title: 'Live latency bench', priority: 'low' });
  expectStatus(ticket, 201, 'POST /api/tickets');
  const id = ticket.body.id as string;
  log(`live-latency: ${n} comments onto a ticket page open in Chromium`);
  const { browser, context } = await adminBrowser(ctx);
  try {
    const page = await context.newPage();
    await page.goto(`/tickets/${id}`);
    await page.getByTestId('timeline-item').first().waitFor();
    await page.evaluate((ticketId) => {
      const w = window as unknown as { seen: Record<string, number>; streamed: number[] };
      w.seen = {};
      w.streamed = [];
      new MutationObserver(() => {
        for (const el of Array.from(document.querySelectorAll('[data-testid="timeline-item"]'))) {
          const m = /live-bench-(\d+)/.exec(el.textContent ?? '');
          if (m && !(m[1]! in w.seen)) w.seen[m[1]!] = Date.now();
        }
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
      const source = new EventSource('/api/events/stream', { withCredentials: true });
      source.addEventListener('ticket', (e) => {
        if ((JSON.parse((e as MessageEvent<string>).data) as { id: string }).id === ticketId) w.streamed.push(Date.now());
      });
    }, id);
    // Let the page's own stream and the baseline's connect before the first comment.
    await page.waitForTimeout(1000);

    const display: number[] = [];
    const stream: number[] = [];
    for (let i = 0; i < n; i++) {
      // Each comment is one recorded batch, so one stream event for the ticket: the first after this count is its own.
      const before = await page.evaluate(() => (window as unknown as { streamed: number[] }).streamed.length);
      const res = await ctx.admin.post(`/api/tickets/${id}/comments`, { body: `live-bench-${i}`, visibility: 'internal' });
      const answered = Date.now();
      expectStatus(res, 201, 'comment');
      const seen = await page.waitForFunction(
        ([k, s]) => {
          const w = window as unknown as { seen: Record<string, number>; streamed: number[] };
          return w.seen[k] && w.streamed.length > s ? [w.seen[k], w.streamed[s]] : null;
        },
        [String(i), before] as const,
        { timeout: 30_000, polling: 20 },
      ).catch(async (err) => {
        const state = await page.evaluate(() => JSON.stringify({ seen: (window as unknown as { seen: unknown }).seen, streamed: (window as unknown as { streamed: unknown }).streamed }));
        throw new Error(`comment ${i} not seen: ${state}; ${String(err)}`);
      });
      const [shown, arrived] = (await seen.jsonValue()) as [number, number];
      display.push(shown - answered);
      stream.push(arrived - answered);
    }
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const [d, s] = [sorted(display), sorted(stream)];
    const figure = (xs: number[]) => ({ p50: round(percentile(xs, 50)), p95: round(percentile(xs, 95)), max: round(xs[xs.length - 1]!) });
    process.stdout.write(
      `\n== live ticket page: ${n} comments, from the API's answer (ms) ==\n` +
        table(
          ['measure', 'p50', 'p95', 'max'],
          [
            ['comment shown on the open ticket page', figure(d).p50, figure(d).p95, figure(d).max],
            ['its stream event at a bare EventSource (baseline)', figure(s).p50, figure(s).p95, figure(s).max],
          ],
        ) +
        `\nratio page/stream p50 ${ratio(figure(d).p50, figure(s).p50)}, p95 ${ratio(figure(d).p95, figure(s).p95)}\n`,
    );
    const file = writeResult('live-latency', { benchmark: 'live-latency', machine: ctx.machine, comments: n, display: figure(d), stream: figure(s), raw: { display, stream } }, ctx.startedAt);
    log(`live-latency written to ${file}`);
    return { display: figure(d), stream: figure(s) };
  } finally {
    await browser.close();
  }
}
