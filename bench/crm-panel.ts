// Benchmark: the CRM connector's panel beside a ticket (plugins/crm, PostgreSQL source with 10,000 contacts in a
// database of its own), as an agent's console asks for it: with a warm cache, then with the cache off (every opening
// reads the CRM). Baselines in the same run: the ticket read the same agent makes when opening the page, and the bare
// parameterised lookup on the CRM database (no desk, no HTTP).
import pg from 'pg';
import type { BenchContext } from './lib/context';
import { closedLoop, expectStatus, log, ratio, round, table, writeResult } from './lib/load';
import { Session } from '../tests/support/http';

const CONTACTS = 10_000;
const TICKETS = 40;
const CONTACT_QUERY = 'select full_name, company, tier, phone, renewal from contacts where email = $1';

export async function crmPanelBench(ctx: BenchContext) {
  const run = Date.now().toString(36);
  const database = `crm_bench_${run}`;
  await ctx.pool.query(`create database ${database}`);
  const url = new URL(ctx.databaseUrl);
  url.pathname = `/${database}`;
  const crmUrl = url.toString();
  const crm = new pg.Pool({ connectionString: crmUrl, max: 8 });
  const emailOf = (i: number) => `c${1 + ((i * 241) % CONTACTS)}.${run}@crm-bench.test`;
  try {
    log(`crm: ${CONTACTS} contacts in ${database}`);
    await crm.query('create table contacts (email text primary key, full_name text not null, company text, tier text, phone text, renewal date)');
    await crm.query(
      `insert into contacts select 'c' || i || '.' || $2 || '@crm-bench.test', 'Contact ' || i, 'Company ' || (i % 300), (array['Gold', 'Silver', 'Bronze'])[1 + i % 3], '+33 1 00 00 ' || lpad(i::text, 5, '0'), date '2027-01-01' + (i % 365)
         from generate_series(1, $1::int) i`,
      [CONTACTS, run],
    );
    await crm.query('analyze contacts');

    const settings = (cacheSeconds: number) => ({ source: 'sql', databaseUrl: crmUrl, contactQuery: CONTACT_QUERY, cacheSeconds, timeoutMs: 2000 });
    expectStatus(await ctx.admin.request('PUT', '/api/plugins/crm/settings', settings(600)), 200, 'PUT crm settings');

    log(`crm: ${TICKETS} tickets from CRM contacts`);
    const tickets: string[] = [];
    for (let i = 0; i < TICKETS; i++) {
      const user = await ctx.admin.post('/api/users', { email: emailOf(i), name: `Contact ${i}`, role: 'customer', password: 'a-long-password-for-bench' });
      expectStatus(user, 201, 'POST /api/users');
      const ticket = await ctx.admin.post('/api/tickets', { type: 'incident', title: `CRM bench ${i}`, description: 'Panel', priority: 'medium', requesterId: user.body.id });
      expectStatus(ticket, 201, 'POST /api/tickets');
      tickets.push(ticket.body.id as string);
    }
    const agentEmail = `bench-crm-${run}@example.test`;
    expectStatus(await ctx.admin.post('/api/users', { email: agentEmail, name: 'Bench agent', role: 'agent', password: 'a-long-password-for-bench' }), 201, 'POST /api/users');
    const agent = await Session.login(agentEmail, 'a-long-password-for-bench', ctx.desk.url);

    const measure = (op: (i: number) => Promise<void>) => closedLoop({ count: 1000, concurrency: 8, warmup: 40, op });
    const panel = () => measure(async (i) => expectStatus(await agent.get(`/api/tickets/${tickets[i % TICKETS]}/panels/crm/customer`), 200, 'GET panel'));
    const ticketRead = () => measure(async (i) => expectStatus(await agent.get(`/api/tickets/${tickets[i % TICKETS]}`), 200, 'GET ticket'));
    const bare = () =>
      measure(async (i) => {
        const client = await crm.connect();
        try {
          await client.query('begin read only');
          const { rows } = await client.query(CONTACT_QUERY, [emailOf(i % TICKETS)]);
          if (rows.length !== 1) throw new Error(`bare lookup found ${rows.length} rows`);
          await client.query('commit');
        } finally {
          client.release();
        }
      });

    log('crm: panel with a warm cache, the ticket read, the bare lookup');
    // Every ticket's panel once, checked: the cache is warm for all of them, and each found its record.
    for (const id of tickets) {
      const first = await agent.get(`/api/tickets/${id}/panels/crm/customer`);
      expectStatus(first, 200, 'GET panel');
      if (!String(first.body.content.summary).startsWith('CRM record of')) throw new Error(`panel found no record: ${JSON.stringify(first.body.content)}`);
    }
    const warm = await panel();
    const read = await ticketRead();
    const lookup = await bare();
    log('crm: panel with the cache off');
    expectStatus(await ctx.admin.request('PUT', '/api/plugins/crm/settings', settings(0)), 200, 'PUT crm settings');
    const cold = await panel();

    process.stdout.write(
      `\n== CRM connector panel (PostgreSQL source, ${CONTACTS} contacts, ${TICKETS} tickets), 1,000 requests at concurrency 8 (latencies in ms) ==\n` +
        table(
          ['request', 'req/s', 'p50', 'p95', 'p99', 'errors', 'p95 vs ticket read'],
          [
            ['panel, warm cache', warm.throughput, warm.p50, warm.p95, warm.p99, warm.errors, ratio(warm.p95, read.p95)],
            ['panel, cache off (reads the CRM each time)', cold.throughput, cold.p50, cold.p95, cold.p99, cold.errors, ratio(cold.p95, read.p95)],
            ['baseline: GET /api/tickets/{id} (same agent)', read.throughput, read.p50, read.p95, read.p99, read.errors, 1],
            ['baseline: bare read-only lookup on the CRM (pg)', lookup.throughput, lookup.p50, lookup.p95, lookup.p99, lookup.errors, ratio(lookup.p95, read.p95)],
          ],
        ) +
        `\n(cache off minus warm cache, p95: ${round(cold.p95 - warm.p95)} ms saved per opening)\n`,
    );
    const file = writeResult('crm-panel', { benchmark: 'crm-panel', machine: ctx.machine, contacts: CONTACTS, tickets: TICKETS, warm, cold, read, lookup }, ctx.startedAt);
    log(`crm-panel written to ${file}`);
    return { warm, cold, read, lookup };
  } finally {
    await crm.end();
  }
}
