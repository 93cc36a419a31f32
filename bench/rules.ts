// Benchmark: what automation rules cost. (1) Evaluating the enabled rules on a batch of ticket events, in process,
// with 10 and 200 rules beside none (µs per event), plus the one indexed read each batch makes to see whether the
// rule set changed. (2) Opening tickets through the API and until the worker has recorded them, with 50 rules enabled
// (one of which matches and tags each ticket, so each ticket takes one more round) beside none. (3) The dry run over
// 100,000 historical events (10,000 tickets of 10 events, written straight into the read model for the occasion).
import { randomUUID } from 'node:crypto';
import { ruleSetOf } from '../activities/automation-rules';
import { evaluateRules } from '../workflow-definitions/rules/evaluate';
import type { RuleBody } from '../workflow-definitions/rules/schema';
import type { TicketEvent } from '../workflow-definitions/ticket-machine/contract';
import type { BenchContext } from './lib/context';
import { closedLoop, expectStatus, log, ratio, round, table, writeResult } from './lib/load';
import { ticketBody } from './ticket-creation';

type Stored = { id: string; name: string; version: number; body: Pick<RuleBody, 'when' | 'if' | 'then'> };

/** A realistic mix: triggers on creation, field changes, comments and states; conditions that mostly do not hold. */
function someRules(n: number): Stored[] {
  const triggers: Array<RuleBody['when']> = [{ event: 'created' }, { event: 'field_changed', field: 'priority' }, { event: 'commented', by: 'customer' }, { event: 'state_entered', state: 'resolved' }, { event: 'field_changed' }];
  return Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    name: `rule ${i}`,
    version: 1,
    body: {
      when: triggers[i % triggers.length]!,
      if: [
        { subject: 'queue', op: 'in', value: ['service_desk'] },
        { subject: 'tags', op: 'contains', value: `tag-${i}` },
        { subject: 'field', field: 'category', op: 'is', value: 'hardware' },
      ],
      then: [{ action: 'add_tags', tags: [`t-${i}`] }, { action: 'set_priority', priority: 'high' }],
    },
  }));
}

const ROW = { priority: 'medium', queue: 'service_desk', type: 'incident', state: 'in_progress', organisationId: null, requesterId: randomUUID(), assigneeId: null, assignedGroup: null, tags: ['vpn', 'laptop'], fields: { category: 'network' } };

function someEvents(n: number): TicketEvent[] {
  const kinds: Array<Pick<TicketEvent, 'type' | 'actor' | 'data'>> = [
    { type: 'commented', actor: { id: randomUUID(), role: 'customer' }, data: { body: 'It still fails' } },
    { type: 'priority_changed', actor: { id: randomUUID(), role: 'agent' }, data: { from: 'low', to: 'medium' } },
    { type: 'transitioned', actor: { id: randomUUID(), role: 'agent' }, data: { transition: 'start', from: 'new', to: 'in_progress' } },
    { type: 'tags_changed', actor: { id: randomUUID(), role: 'agent' }, data: { added: ['vpn'], removed: [] } },
    { type: 'created', actor: { id: randomUUID(), role: 'customer' }, data: { title: 'x', priority: 'low', type: 'incident', state: 'new' } },
  ];
  return Array.from({ length: n }, (_, i) => ({ seq: i + 1, visibility: 'public', at: new Date().toISOString(), ...kinds[i % kinds.length]! }));
}

function evaluationCost(rules: number, events: TicketEvent[]): number {
  const set = ruleSetOf(1, someRules(rules));
  // One event per batch, as most commands record: the cost a ticket pays on each of its events.
  for (let i = 0; i < 2000; i++) evaluateRules(set.rules, [events[i % events.length]!], ROW);
  const t0 = performance.now();
  for (const e of events) evaluateRules(set.rules, [e], ROW);
  return round(((performance.now() - t0) * 1000) / events.length, 3);
}

async function creationWithRules(ctx: BenchContext, count: number, tag: string): Promise<{ apiPerSecond: number; recordedPerSecond: number; p95: number }> {
  const opened: string[] = [];
  const t0 = performance.now();
  const load = await closedLoop({
    count,
    concurrency: 8,
    op: async (i) => {
      const res = await ctx.admin.post('/api/tickets', ticketBody(i, tag));
      expectStatus(res, 201, 'POST /api/tickets');
      opened.push((res.body as { id: string }).id);
    },
  });
  // Recorded: the creation is in the read model, and so is whatever the enabled rules did with it.
  for (;;) {
    const { rows } = await ctx.pool.query<{ n: number }>(`select count(*)::int as n from tickets where id = any($1::uuid[]) and last_seq >= 1 and (not $2 or 'bench-rule' = any(tags))`, [opened, tag === 'rules-on']);
    if (rows[0]!.n >= opened.length) break;
    if (performance.now() - t0 > 300_000) throw new Error(`${opened.length - rows[0]!.n} tickets not recorded after 300 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { apiPerSecond: load.throughput, recordedPerSecond: round(opened.length / ((performance.now() - t0) / 1000), 1), p95: load.p95 };
}

async function seedHistory(ctx: BenchContext, tickets: number, perTicket: number, run: string): Promise<void> {
  const requester = ctx.admin.user!.id;
  await ctx.pool.query(
    `insert into tickets (id, number, type, title, description, priority, priority_order, state, state_category, queue, assignee_id, requester_id, definition_key,
       definition_version, fields, links, sla, sla_status, sla_due_at, last_seq, created_at, updated_at, resolved_at, closed_at)
     select gen_random_uuid(), 'DRY-' || $1 || '-' || g, 'incident', 'Dry run history ' || g, '', (array['low','medium','high','critical'])[1 + g % 4], 1 + g % 4,
            'in_progress', 'open', 'service_desk', null, $2::uuid, 'incident', 1, '{}'::jsonb, '[]'::jsonb, '[]'::jsonb, 'ok', null, $3, now() - interval '10 days', now(), null, null
       from generate_series(1, $4) g`,
    [run, requester, perTicket, tickets],
  );
  await ctx.pool.query(
    `insert into ticket_events (ticket_id, seq, type, actor_id, actor_role, visibility, at, data)
     select t.id, s, case when s = 1 then 'created' when s % 3 = 0 then 'priority_changed' when s % 3 = 1 then 'commented' else 'tags_changed' end,
            $2::uuid, 'agent', 'public', now() - interval '10 days' + s * interval '1 hour',
            case when s = 1 then '{"title":"x","priority":"low","type":"incident","state":"new"}'::jsonb
                 when s % 3 = 0 then jsonb_build_object('from', 'low', 'to', (array['medium','high','critical'])[1 + s % 3])
                 when s % 3 = 1 then '{"body":"Any news?"}'::jsonb
                 else '{"added":["vpn"],"removed":[]}'::jsonb end
       from tickets t cross join generate_series(1, $3) s where t.number like 'DRY-' || $1 || '-%'`,
    [run, requester, perTicket],
  );
}

export async function rulesBench(ctx: BenchContext) {
  const events = someEvents(20_000);
  const cost = { none: evaluationCost(0, events), ten: evaluationCost(10, events), twoHundred: evaluationCost(200, events) };
  const probes = 500;
  const g0 = performance.now();
  for (let i = 0; i < probes; i++) await ctx.pool.query('select coalesce(max(id), 0)::text as generation from automation_rule_changes');
  const generationReadUs = round(((performance.now() - g0) * 1000) / probes, 1);

  const count = Number(process.env.BENCH_RULES_TICKETS ?? (ctx.full ? 1000 : 200));
  log(`rules: ${count} tickets with no rule, then with 50 enabled`);
  const off = await creationWithRules(ctx, count, 'rules-off');
  const made: string[] = [];
  for (const [i, r] of someRules(49).entries()) {
    const res = await ctx.admin.post('/api/rules', { name: `Bench rule ${i} ${Date.now()}`, enabled: true, when: r.body.when, if: r.body.if, then: [{ action: 'add_tags', tags: [`t-${i}`] }] });
    expectStatus(res, 201, 'POST /api/rules');
    made.push(res.body.id);
  }
  const tagging = await ctx.admin.post('/api/rules', { name: `Bench tagging rule ${Date.now()}`, enabled: true, when: { event: 'created' }, if: [{ subject: 'type', op: 'is', value: 'incident' }], then: [{ action: 'add_tags', tags: ['bench-rule'] }] });
  expectStatus(tagging, 201, 'POST /api/rules');
  made.push(tagging.body.id);
  let on;
  try {
    on = await creationWithRules(ctx, count, 'rules-on');
  } finally {
    for (const id of made) await ctx.admin.request('DELETE', `/api/rules/${id}`);
  }

  const tickets = Number(process.env.BENCH_DRY_RUN_TICKETS ?? 10_000);
  const run = randomUUID().slice(0, 8);
  log(`rules: seeding ${tickets * 10} historical events for the dry run`);
  await seedHistory(ctx, tickets, 10, run);
  let dry;
  try {
    const t0 = performance.now();
    const res = await ctx.admin.post('/api/rules/dry-run', {
      rule: { name: 'Bench dry run', when: { event: 'field_changed', field: 'priority' }, if: [{ subject: 'priority', op: 'is', value: 'critical' }], then: [{ action: 'add_tags', tags: ['ops'] }] },
      days: 30,
    });
    expectStatus(res, 200, 'POST /api/rules/dry-run');
    dry = { events: res.body.events as number, tickets: res.body.tickets as number, firings: res.body.firings as number, serverSeconds: res.body.seconds as number, wallSeconds: round((performance.now() - t0) / 1000, 2) };
  } finally {
    await ctx.pool.query(`delete from ticket_events where ticket_id in (select id from tickets where number like 'DRY-' || $1 || '-%')`, [run]);
    await ctx.pool.query(`delete from tickets where number like 'DRY-' || $1 || '-%'`, [run]);
  }

  process.stdout.write(
    `\n== automation rules: evaluation per ticket event (in process, one event per batch), µs ==\n` +
      table(
        ['enabled rules', 'µs per event', 'ratio vs none'],
        [
          ['none', cost.none, 1],
          ['10', cost.ten, ratio(cost.ten, Math.max(cost.none, 0.001))],
          ['200', cost.twoHundred, ratio(cost.twoHundred, Math.max(cost.none, 0.001))],
          ['+ generation read per batch (PostgreSQL)', generationReadUs, ''],
        ],
      ) +
      `\n\n== ticket creation (c=8, ${count} tickets) until recorded, with 50 rules enabled beside none ==\n` +
      table(
        ['rules', 'API tickets/s', 'API p95 ms', 'recorded tickets/s'],
        [
          ['none', off.apiPerSecond, off.p95, off.recordedPerSecond],
          ['50 enabled (1 matches and tags)', on.apiPerSecond, on.p95, on.recordedPerSecond],
          ['ratio', ratio(on.apiPerSecond, off.apiPerSecond), ratio(on.p95, off.p95), ratio(on.recordedPerSecond, off.recordedPerSecond)],
        ],
      ) +
      `\n\n== dry run over the last 30 days ==\n` +
      table(['events', 'tickets', 'firings', 'server s', 'wall s'], [[dry.events, dry.tickets, dry.firings, dry.serverSeconds, dry.wallSeconds]]) +
      '\n',
  );
  const file = writeResult('rules', { benchmark: 'rules', machine: ctx.machine, cost, generationReadUs, creation: { off, on }, dryRun: dry }, ctx.startedAt);
  log(`rules written to ${file}`);
  return { cost, generationReadUs, creation: { off, on }, dryRun: dry };
}
